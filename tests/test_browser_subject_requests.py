"""In a real browser (Debian's Chromium): the privacy officer reads the register of
data-subject requests with the deadline in words and one forwarded request with its task;
the customer's administrator reads its page in the portal (DS-01). Screenshots go to
/tmp/shots16/K/. Run with `pytest -m browser`."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from compliance.models import Role
from processing.demo import subject_requests as demo
from processing.models import SubjectRequest
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.test_browser_access_e import _page
from tests.test_browser_audit import site  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots16/K")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_register_detail_and_portal(site, browser: Browser, language):  # noqa: F811
    """OBL DS-01: the register shows each request's deadline in words, the detail its
    forwarding and task, the portal the customer's forwarded requests with task progress."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    first = CustomerFactory(name="Bakkerij Jansen")
    second = CustomerFactory(name="Slagerij Pietersen")
    ContactFactory(customer=first)
    ContactFactory(customer=second)
    officer = UserFactory(role=Role.PRIVACY_OFFICER, full_name="Priya Officer")
    people = {
        Role.PRIVACY_OFFICER: officer,
        Role.STAFF_MEMBER: UserFactory(role=Role.STAFF_MEMBER, full_name="Sam Staff"),
        Role.ICT_MANAGER: UserFactory(role=Role.ICT_MANAGER, full_name="Ivo Manager"),
    }
    demo.load(now=timezone.now(), people=people, customers=[first, second])
    admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=first, full_name="Ada Admin")
    page = _page(browser, site, officer, language)
    page.goto("/processing/subject-requests/")
    expect(page.locator("h1")).to_be_visible()
    page.screenshot(path=SHOTS / f"list-{language}.png", full_page=True)
    forwarded = SubjectRequest.objects.get(state="forwarded")
    page.goto(f"/processing/subject-requests/{forwarded.pk}/")
    page.screenshot(path=SHOTS / f"detail-{language}.png", full_page=True)
    waiting = SubjectRequest.objects.get(state="received")
    page.goto(f"/processing/subject-requests/{waiting.pk}/forward/")
    page.screenshot(path=SHOTS / f"forward-{language}.png", full_page=True)
    portal = _page(browser, site, admin, language)
    portal.goto("/portal/processing/subject-requests/")
    expect(portal.get_by_text("Export the employee's address history")).to_be_visible()
    portal.screenshot(path=SHOTS / f"portal-{language}.png", full_page=True)
    assert forwarded.forwarded_at < timezone.now() + datetime.timedelta(seconds=1)
