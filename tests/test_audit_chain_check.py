"""The chain check of the Audit section (AU-03): asked for from the browser, run by a worker
with its progress, recorded as an audit event and shown in words with the newest anchor."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from audits.anchors import anchor_make
from audits.models import AuditEvent, ChainCheck, CheckState
from audits.services import audit_seal
from audits.tests.conftest import record_events, tamper
from compliance.models import Role
from tests.auth import language_stored, sign_in
from tests.factories import CustomerFactory, UserFactory
from web.audit import chain

pytestmark = pytest.mark.django_db
SHOTS = Path("/tmp/shots14/B")


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")


@pytest.fixture
def auditor():
    return UserFactory(role=Role.AUDITOR)


def _ask(client):
    return client.post(reverse("audit_chain"))


def test_auditor_asks_for_a_check_and_a_worker_runs_it(auditor, django_capture_on_commit_callbacks):
    """OBL AU-03: the check is asked for (recorded), run by the worker with its progress, and
    its outcome recorded as an audit event and shown in words with the anchor's tail."""
    record_events(30)
    anchor_make()
    record_events(4)
    audit_seal()
    client = sign_in(Client(), auditor)
    with django_capture_on_commit_callbacks(execute=False):
        assert _ask(client).status_code == 302
    check = ChainCheck.objects.get()
    assert check.state == CheckState.PENDING and check.total >= 30
    assert AuditEvent.objects.filter(action="audit.chain_check_requested").count() == 1
    page = client.get(reverse("audit_chain")).content.decode()
    assert "hx-trigger" in page and "Waiting" in page

    chain.chain_check_run(check_id=check.pk)
    check.refresh_from_db()
    assert check.state == CheckState.DONE and check.intact is True
    assert check.checked == check.result["count"]
    assert check.result["anchor"]["seq"] == 30 and check.result["anchor"]["after"] >= 5
    recorded = AuditEvent.objects.get(action="audit.chain_checked")
    assert recorded.after["intact"] is True and recorded.actor_id == auditor.pk
    page = client.get(reverse("audit_chain")).content.decode()
    assert "Intact." in page and "events after the last anchor" in page
    assert "hx-trigger" not in page
    assert "anchor_mismatch" not in page


def test_a_break_is_shown_in_words_and_progress_is_kept(auditor, monkeypatch):
    """OBL AU-03: a changed event shows as the first break, in words, never as a code."""
    events = record_events(12)
    audit_seal()
    tamper("UPDATE audits_auditevent SET action = 'x' WHERE id = %s", [events[5].pk])
    monkeypatch.setattr(chain, "PROGRESS_EVERY", 5)
    check = chain.chain_check_request(actor=auditor)
    chain.chain_check_run(check_id=check.pk)
    check.refresh_from_db()
    assert check.intact is False and check.checked == 5
    assert check.result["break"] == {"kind": "content_changed", "seq": 6}
    client = sign_in(Client(), auditor)
    page = client.get(reverse("audit_chain")).content.decode()
    assert "the first break is at position 6: the content of an event was changed" in page
    assert "content_changed" not in page


def test_the_sweep_runs_a_lost_check_and_a_second_ask_waits_for_the_first(auditor):
    import time_machine

    record_events(3)
    with time_machine.travel("2026-06-01 10:00Z", tick=False):
        first = chain.chain_check_request(actor=auditor)
        assert chain.chain_check_request(actor=auditor).pk == first.pk
    with time_machine.travel("2026-06-01 10:05Z", tick=False):
        assert chain.chain_checks_sweep() == [first.pk]
    first.refresh_from_db()
    assert first.state == CheckState.DONE


def test_each_reader_sees_only_its_own_checks_and_customer_users_none(auditor):
    """OBL AU-03: an auditor engaged by one customer sees its own checks only; customer
    users have no Audit section."""
    customer = CustomerFactory()
    engaged = UserFactory(role=Role.AUDITOR, customer=customer)
    chain.chain_check_request(actor=auditor)
    client = sign_in(Client(), engaged)
    assert (
        "You have not checked the chain yet." in client.get(reverse("audit_chain")).content.decode()
    )
    admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer)
    assert _ask(sign_in(Client(), admin)).status_code == 403
    assert ChainCheck.objects.count() == 1


def test_page_renders_in_english_and_dutch(auditor):
    record_events(2)
    anchor_make()
    client = sign_in(Client(), auditor)
    for language in ("en", "nl"):
        language_stored(auditor, language)
        page = client.get(reverse("audit_chain"))
        assert page.status_code == 200
        assert f'<html lang="{language}">' in page.content.decode()


# --- in a real browser ----------------------------------------------------------------------


@pytest.fixture
def site(live_server, settings):
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return base


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_auditor_checks_the_chain_in_a_browser(site, browser, auditor):
    """OBL AU-03: in Chromium the auditor asks for a check from the Audit section and reads
    the outcome, in English and Dutch. Screenshots in /tmp/shots14/B/."""
    from playwright.sync_api import expect

    from tests.test_audit_sampling import _browser_page

    SHOTS.mkdir(parents=True, exist_ok=True)
    record_events(40)
    anchor_make()
    record_events(3)
    audit_seal()
    for language in ("en", "nl"):
        page = _browser_page(browser, site, auditor, language)
        page.goto(reverse("audit_home"))
        page.screenshot(path=str(SHOTS / f"audit-home-{language}.png"), full_page=True)
        page.goto(reverse("audit_chain"))
        page.locator("main form button[type=submit]").click()
        check = ChainCheck.objects.filter(requested_by=auditor).order_by("-pk").first()
        page.screenshot(path=str(SHOTS / f"chain-waiting-{language}.png"), full_page=True)
        chain.chain_check_run(check_id=check.pk)
        page.reload()
        expect(page.locator("#chain-check article").first).to_be_visible()
        page.screenshot(path=str(SHOTS / f"chain-done-{language}.png"), full_page=True)
        page.context.close()
