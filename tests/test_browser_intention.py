"""In a real browser (Debian's Chromium): a customer announces a notification to the AP, the
GBA and the data subjects at once (checkboxes, issue 17); its notice page and the privacy
officer's dashboard name all three in words, in English and Dutch, without horizontal
overflow at 1280 and 390 px. Screenshots go to /tmp/shots17/ (I-*.png). Run with
`pytest -m browser`. Interactions use the fields' names and values, not their labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_notify, incident_report
from tests.test_browser_breaches import DESCRIPTION, TITLE, context_for, site, world  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots17")


def _no_overflow(page, label: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{label} overflows at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("language", ["en", "nl"])
def test_intention_to_several_recipients(
    browser: Browser,
    site,  # noqa: F811
    clock,
    world,  # noqa: F811
    language,
):
    """OBL BR-09: the customer ticks the AP, the GBA and the data subjects and announces;
    the notice page and the officer's dashboard show all three, in words."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    incident = incident_report(actor=world["staff"], title=TITLE, description=DESCRIPTION)
    affected_select(actor=world["officer"], incident=incident, rule="all")
    incident_notify(actor=world["officer"], incident=incident)
    user = world["contact_user"]
    for person in (user, world["officer"]):
        person.language = language
        person.save(update_fields=["language"])
    notice = CustomerNotice.objects.get(incident=incident, customer=user.customer)
    context = context_for(browser, site, user)
    context.set_extra_http_headers({"Accept-Language": language})
    page = context.new_page()
    page.goto(f"/portal/notices/{notice.pk}/")
    section = page.locator("#intention")
    for value in ("ap", "gba", "data_subjects"):
        section.locator(f'input[name="recipients"][value="{value}"]').check()
    section.locator('input[name="kind"][value="preliminary"]').check()
    section.screenshot(path=str(SHOTS / f"I-intention-form-{language}.png"))
    section.locator('button[type="submit"]').click()
    expect(page.locator("#intention")).to_contain_text("Gegevensbeschermingsautoriteit")
    text = page.locator("#intention").inner_text()
    assert "Autoriteit Persoonsgegevens (NL), Gegevensbeschermingsautoriteit (BE)" in text
    _no_overflow(page, "notice page")
    page.locator("#intention").screenshot(path=str(SHOTS / f"I-intention-shown-{language}.png"))
    notice.refresh_from_db()
    assert notice.intention_recipients == ["ap", "gba", "data_subjects"]

    officer = context_for(browser, site, world["officer"])
    officer.set_extra_http_headers({"Accept-Language": language})
    dashboard = officer.new_page()
    dashboard.goto("/")
    answers = dashboard.locator("#recent-decisions")
    expect(answers).to_contain_text("Gegevensbeschermingsautoriteit (BE)")
    _no_overflow(dashboard, "dashboard")
    answers.screenshot(path=str(SHOTS / f"I-dashboard-{language}.png"))
    context.close()
    officer.close()
