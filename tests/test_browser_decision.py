"""In a real browser (Debian's Chromium): the customer's decision form asked step by step
(BR-04, issue 17), in English and Dutch, without horizontal overflow at 1280 and 390 px;
an error summary at the top that takes the focus and links to each field; the authority
draft's PDF. Screenshots go to /tmp/shots17/ (E-*.png). Run with `pytest -m browser`.

Interactions use the fields' names and values, not their labels, so the Dutch run does not
depend on the translations being merged."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_notify, incident_report
from tests.test_browser_breaches import DESCRIPTION, TITLE, context_for, site, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots17")
WIDTHS = (1280, 390)


def _overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def _no_overflow(page, label: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert _overflow(page) <= 0, f"{label} overflows at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def _shot(page, name: str) -> None:
    page.locator("#decision").screenshot(path=str(SHOTS / f"E-{name}.png"))


def _step(page, key: str):
    return page.locator(f"#step-{key}")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_decision_form_step_by_step_with_error_summary(
    browser: Browser,
    site,  # noqa: F811
    clock,
    world,  # noqa: F811
    language,
):
    """OBL BR-04: the decision form shows only what the answers call for; a wrong submission
    shows an error summary at the top, focused, whose links reach the fields; no horizontal
    overflow at 1280 and 390 px in either language."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    incident = incident_report(actor=world["staff"], title=TITLE, description=DESCRIPTION)
    affected_select(actor=world["officer"], incident=incident, rule="all")
    incident_notify(actor=world["officer"], incident=incident)
    user = world["contact_user"]
    user.language = language
    user.save(update_fields=["language"])
    notice = CustomerNotice.objects.get(incident=incident, customer=user.customer)
    context = context_for(browser, site, user)
    context.set_extra_http_headers({"Accept-Language": language})
    page = context.new_page()
    page.goto(f"/portal/notices/{notice.pk}/")
    form = page.locator("form[data-steps]")

    # Step 1: only "a breach or not" and the reasoning.
    expect(_step(page, "breach")).to_be_hidden()
    _no_overflow(page, "start")
    _shot(page, f"decision-1-start-{language}")

    # Step 2: a breach → the authority and the data subjects are asked.
    form.locator('input[name="is_breach"][value="yes"]').check()
    expect(_step(page, "breach")).to_be_visible()
    expect(_step(page, "authority_which")).to_be_hidden()
    _shot(page, f"decision-2-breach-{language}")

    # Step 3: will notify → which authority, nothing about a date or reference.
    form.locator('input[name="authority_status"][value="will_notify"]').check()
    expect(_step(page, "authority_which")).to_be_visible()
    expect(_step(page, "authority_notified")).to_be_hidden()
    _shot(page, f"decision-3-will-notify-{language}")

    # Step 4: notified provisionally → date and reference too.
    form.locator('input[name="authority_status"][value="notified_provisionally"]').check()
    expect(_step(page, "authority_notified")).to_be_visible()
    form.locator('input[name="subjects_status"][value="will_not_inform"]').check()
    expect(_step(page, "subjects_not")).to_be_visible()
    expect(_step(page, "subjects_informed")).to_be_hidden()
    _no_overflow(page, "every step open")
    _shot(page, f"decision-4-provisional-{language}")

    # Back to "not a breach": the steps close again.
    form.locator('input[name="is_breach"][value="no"]').check()
    expect(_step(page, "breach")).to_be_hidden()
    form.locator('input[name="is_breach"][value="yes"]').check()

    # Submit with what is missing: the summary at the top, focused, with working links.
    form.locator('button[type="submit"]').click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate(
        "document.getElementById('error-summary').getBoundingClientRect().top"
    ) < page.evaluate("document.querySelector('h1').getBoundingClientRect().top")
    links = summary.locator("a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "#id_breach_reasoning" in targets and "#id_authority_notified_on" in targets
    # What was entered stays: the answers and the steps they open.
    expect(
        form.locator('input[name="authority_status"][value="notified_provisionally"]')
    ).to_be_checked()
    expect(_step(page, "authority_notified")).to_be_visible()
    _no_overflow(page, "errors")
    page.screenshot(path=str(SHOTS / f"E-decision-5-errors-{language}.png"))
    summary.locator('a[href="#id_authority_notified_on"]').click()
    expect(page.locator("#id_authority_notified_on")).to_be_focused()

    # The authority draft's PDF, as images.
    response = context.request.get(f"/portal/notices/{notice.pk}/authority-draft.pdf")
    assert response.status == 200
    pdf = SHOTS / f"E-authority-draft-{language}.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / f"E-authority-draft-{language}")],
        check=True,
    )
    context.close()
