"""Accessibility in a real browser (Debian's Chromium): axe-core, from the npm registry
(`package-lock.json`, installed by `make deps-test`), runs on the main pages of every role in
Dutch and English with the WCAG 2.0/2.1/2.2 A and AA rules and best practices switched on —
target size (WCAG 2.2, 2.5.8) included — and finds no violation of any impact.

Run with `pytest -m browser tests/test_browser_axe.py`; a failure prints every violation with
the elements it found.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_acknowledge,
)
from compliance.models import Customer, Role, User
from subprocessors.models import Subprocessor
from subprocessors.services import change_notice_announce, change_notice_draft, objection_lodge
from tests.auth import sign_in
from web.demo import load_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 AA (with 2.0 and 2.1 A/AA) and axe's best practices; `target-size` is WCAG 2.2 AA.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
TIMEOUT_MS = 15_000
LANGUAGES = ["en", "nl"]


@pytest.fixture
def site(live_server, settings, smtp_server, temporary_broker):
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    cache.clear()
    yield base
    cache.clear()


def person(role: str) -> User:
    return User.objects.filter(role=role, is_active=True, customer__isnull=True).order_by("pk")[0]


@pytest.fixture
def world(transactional_db):
    """The demo data, a breach notified to two demo customers (the first has acknowledged its
    notice, so its decision form is open) and an announced change with an objection."""
    load_demo()
    officer = person(Role.PRIVACY_OFFICER)
    staff = person(Role.STAFF_MEMBER)
    customers = list(
        Customer.objects.filter(users__role=Role.CUSTOMER_ADMIN).distinct().order_by("pk")[:2]
    )
    incident = incident_report(
        actor=staff,
        title="Backup bucket public",
        description="A backup bucket of the Profit environment was readable from the internet.",
    )
    incident_triage(
        actor=officer,
        incident=incident,
        personal_data_involved=True,
        data_categories="Names, addresses and salary data",
        special_categories=False,
        likely_consequences="Phishing aimed at employees.",
        data_unintelligible=False,
        enisa_dpc=2,
        enisa_ei="0.5",
    )
    affected_select(actor=officer, incident=incident, rule="hand", customers=customers)
    incident_notify(actor=officer, incident=incident)
    admin = User.objects.filter(customer=customers[0], role=Role.CUSTOMER_ADMIN).first()
    notice = CustomerNotice.objects.get(incident=incident, customer=customers[0])
    notice_acknowledge(actor=admin, notice=notice)

    subprocessor = Subprocessor.objects.order_by("pk").first()
    draft = change_notice_draft(
        actor=officer,
        kind="new_location",
        subprocessor=subprocessor,
        location_city="Amsterdam",
        location_country="NL",
        effective_at=timezone.now() + timezone.timedelta(days=40),
    )
    change = change_notice_announce(actor=officer, notice=draft)
    objection_lodge(
        actor=admin,
        customer=customers[0],
        reasons="We do not want our data in a second place.",
        subprocessor=subprocessor,
        change_notice=change,
    )
    return {
        "officer": officer,
        "customer": admin,
        "board": person(Role.BOARD_MEMBER),
        "auditor": person(Role.AUDITOR),
        "incident": incident,
        "notice": notice,
    }


def pages_of(role: str, world: dict) -> list[tuple[str, str]]:
    incident, notice = world.get("incident"), world.get("notice")
    return {
        "officer": [
            ("dashboard", "/dashboard/"),
            ("incident list", "/incidents/"),
            ("incident page", f"/incidents/{incident.pk}/"),
            ("report form", "/incidents/report/"),
            ("customers", "/customers/"),
            ("audit home", "/audit/"),
        ],
        "customer": [
            ("portal", "/portal/"),
            ("notice page", f"/portal/notices/{notice.pk}/"),
            ("contacts", "/portal/contacts/"),
        ],
        "board": [("dashboard", "/dashboard/"), ("objections", "/subprocessors/objections/")],
        "auditor": [("audit home", "/audit/"), ("search", "/audit/history/")],
        "anonymous": [
            ("sign-in", "/accounts/login/"),
            ("public register", "/subprocessors/"),
            ("subscribe", "/subprocessors/subscribe/"),
        ],
    }[role]


def context_as(new_context, base: str, user: User | None, language: str) -> BrowserContext:
    """A browser context in `language`: a signed-in user's stored language wins over the
    browser's, so it is stored; an anonymous visitor's browser asks for it."""
    # bypass_csp: the site's Content-Security-Policy (script-src 'self') would refuse the
    # injected axe script; the pages themselves are unchanged.
    context: BrowserContext = new_context(
        locale="nl-NL" if language == "nl" else "en-GB", bypass_csp=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    if user is not None:
        User.objects.filter(pk=user.pk).update(language=language)
        client = sign_in(Client(), User.objects.get(pk=user.pk))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base}]
        )
    return context


def axe_violations(page: Page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            const ran = [...result.passes, ...result.violations, ...result.incomplete];
            if (!ran.some(rule => rule.id === 'target-size')) {
                throw new Error('axe did not run target-size (WCAG 2.2, 2.5.8)');
            }
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        TAGS,
    )
    return result


def test_axe_core_is_installed():
    """`make deps-test` installs axe-core with `npm ci`; without it the checks cannot run."""
    assert AXE.is_file(), "run `npm ci` (make deps-test) to install axe-core"
    version = json.loads((AXE.parent / "package.json").read_text())["version"]
    lock = json.loads((Path(settings.BASE_DIR) / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/axe-core"]["version"] == version


@pytest.mark.parametrize("role", ["officer", "customer", "board", "auditor", "anonymous"])
def test_main_pages_have_no_axe_violation(role, world, site, new_context):
    """WCAG 2.2 AA and best practices, axe-core in Chromium: no violation of any impact on
    the main pages of each role, in English and Dutch."""
    user = world.get(role)
    found: list[str] = []
    for language in LANGUAGES:
        context = context_as(new_context, site, user, language)
        page = context.new_page()
        for name, path in pages_of(role, world):
            response = page.goto(site + path)
            assert response.status == 200, (name, path, response.status)
            assert page.locator("html").get_attribute("lang") == language, (name, language)
            for violation in axe_violations(page):
                found.append(
                    f"{role} · {name} ({language}) {path}: {violation['id']} "
                    f"[{violation['impact']}] {violation['help']}\n"
                    + "\n".join(
                        f"    {node['target']}: {node['summary']}" for node in violation["nodes"]
                    )
                )
        context.close()
    assert not found, "axe-core found violations:\n" + "\n".join(found)
