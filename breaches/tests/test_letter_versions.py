"""Versions of a notice's PDF letter: asked for when the customer is informed, stating its own
72-hour deadline, a new version when the moment it was informed changes, rendered once per
version however often its doorbell rings, taken up by the sweep when the doorbell is lost
(BR-04, BR-06). The cross-process crash test is in test_letters_crash.py."""

import datetime
import io

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from audits.models import AuditEvent
from breaches import deadlines, letters
from breaches.dossier.streams import notice_rows
from breaches.letters import jobs
from breaches.models import CustomerNotice, NoticeLetter
from breaches.services import (
    affected_select,
    incident_notify,
    incident_report,
    incident_triage,
    notice_acknowledge,
    notice_letter_queue,
    notice_letters_render,
    notice_letters_sweep,
    notice_out_of_band_record,
)
from breaches.services import letters as letter_service
from breaches.tests.conftest import START
from compliance.models import Role, StoredDocument
from compliance.templatetags.compliance_tags import local_deadline
from tests.auth import sign_in

H = datetime.timedelta(hours=1)

SENTENCE = {
    "en": "That is 72 hours, counted from when our notice reached you; your own assessment "
    "of when you became aware prevails.",
    "nl": "Dat is 72 uur, gerekend vanaf het moment dat ons bericht je bereikte; je eigen "
    "inschatting van wanneer je op de hoogte raakte gaat voor.",
}


@pytest.fixture
def rung(monkeypatch, django_capture_on_commit_callbacks):
    """The letter doorbells rung after commit: one list of version ids per ring (the
    test's transaction never commits, so the after-commit work runs as each block ends)."""
    calls = []
    monkeypatch.setattr(
        letter_service, "task_ring", lambda name, ids: calls.append((name, list(ids)))
    )
    return calls


def committed(capture, service, **kwargs):
    """Call `service` and run its after-commit work, as a commit would."""
    with capture(execute=True):
        return service(**kwargs)


@pytest.fixture
def notified(clock, staff, officer, processor, product, make_customer, make_user):
    incident = incident_report(
        actor=staff, title="Backup bucket exposed", description="A bucket was public."
    )
    incident_triage(actor=officer, incident=incident, personal_data_involved=True)
    en = make_customer(product, language="en", name="Alpha Holding B.V.")
    nl = make_customer(product, language="nl", name="Gamma Zorg B.V.")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    return {
        "incident": incident,
        "en": CustomerNotice.objects.get(customer=en),
        "nl": CustomerNotice.objects.get(customer=nl),
        "user_en": make_user(Role.CUSTOMER_CONTACT, customer=en),
    }


def own_page(document: StoredDocument) -> str:
    page = PdfReader(io.BytesIO(bytes(document.content))).pages[0].extract_text()
    return " ".join(page.split())


def moved(notice: CustomerNotice, at: datetime.datetime) -> CustomerNotice:
    """The moment a customer was informed changes (as the outbox's receiver does when the
    message it was informed by bounces and another arrived later): its awareness and its
    72 hours move with it, and the letter is asked for again in the same transaction."""
    with transaction.atomic():
        notice = CustomerNotice.objects.select_for_update().get(pk=notice.pk)
        notice.informed_at = notice.aware_at = at
        notice.authority_due_at = deadlines.authority_due_at(at)
        notice.save()
        notice_letter_queue(notice)
    return notice


def test_no_letter_before_the_customer_is_informed(notified, officer, rung):
    """OBL BR-06, BR-04: notifying queues no letter (it could not state the customer's own
    deadline yet); an uninformed notice asks for none, however often it is asked."""
    assert not NoticeLetter.objects.exists()
    assert notice_letter_queue(notified["en"]) is None
    assert notice_letters_render(notice_ids=[notified["en"].pk]) == []
    assert rung == []


def test_letter_names_the_customers_own_deadline_in_its_language(
    notified, officer, clock, rung, django_capture_on_commit_callbacks
):
    """OBL BR-04, BR-06: once informed, the letter names the date and time of the
    customer's own 72 hours and says they count from when our notice reached it and that
    its own assessment of when it became aware prevails, in English and in Dutch."""
    informed_at = START + 2 * H
    clock.move_to(START + 3 * H)
    with django_capture_on_commit_callbacks(execute=True):
        for key in ("en", "nl"):
            notice_out_of_band_record(
                actor=officer, notice=notified[key], note="Phoned.", informed_at=informed_at
            )
    versions = NoticeLetter.objects.order_by("pk")
    assert [(v.version, v.informed_at, v.document_id) for v in versions] == [
        (1, informed_at, None),
        (1, informed_at, None),
    ]
    # Rung after commit with the new versions' ids.
    assert {name for name, _ids in rung} == {letter_service.LETTER_VERSIONS_TASK}
    assert sorted(i for _name, ids in rung for i in ids) == [v.pk for v in versions]
    assert AuditEvent.objects.filter(action="notice.letter_requested").count() == 2

    notice_letters_render(notice_ids=[notified["en"].pk, notified["nl"].pk])
    due = informed_at + datetime.timedelta(hours=72)
    for key in ("en", "nl"):
        notice = CustomerNotice.objects.select_related("letter").get(pk=notified[key].pk)
        assert notice.authority_due_at == due
        text = own_page(notice.letter)
        with translation.override(key):
            assert local_deadline(due) in text
        assert SENTENCE[key] in text
        if key == "nl":
            assert "4 september 2026, 12:00 CEST" in text


def test_new_informed_moment_issues_a_new_version_and_keeps_the_old(notified, officer, clock):
    """OBL BR-04, BR-06: when the moment the customer was informed changes, a new version
    of the letter states the new deadline; the first stays stored, downloadable and
    listed; the notice's letter is the newest; asking again without a change adds none."""
    notice = notified["en"]
    notice_out_of_band_record(actor=officer, notice=notice, note="Phoned.")
    notice_letters_render(notice_ids=[notice.pk])
    first = NoticeLetter.objects.select_related("document").get(notice=notice)
    assert notice_letter_queue(notice) is None  # nothing changed: no new version

    later = START + 5 * H
    clock.move_to(later + H)
    moved(notice, later)
    second = NoticeLetter.objects.get(notice=notice, version=2)
    assert second.informed_at == later and second.document_id is None
    assert notice_letter_queue(notice) is None
    notice_letters_render(notice_ids=[notice.pk])

    second.refresh_from_db()
    notice.refresh_from_db()
    assert notice.letter_id == second.document_id != first.document_id
    assert StoredDocument.objects.filter(pk=first.document_id).exists()
    with translation.override("en"):
        assert local_deadline(later + 72 * H) in own_page(second.document)
        assert local_deadline(START + 72 * H) in own_page(first.document)
        assert local_deadline(START + 72 * H) not in own_page(second.document)
    stored = AuditEvent.objects.filter(action="notice.letter_stored", object_id=str(notice.pk))
    assert sorted(e.after["version"] for e in stored) == [1, 2]

    # Pages: the staff's messages page and the portal list both versions.
    staff_page = (
        sign_in(Client(), officer)
        .get(reverse("incident_notice_messages", args=[notice.incident_id, notice.pk]))
        .content.decode()
    )
    portal_page = (
        sign_in(Client(), notified["user_en"])
        .get(reverse("portal_notice_detail", args=[notice.pk]))
        .content.decode()
    )
    for page in (staff_page, portal_page):
        for version in (first, second):
            assert reverse("document_download", args=[version.document.uuid]) in page
        assert "Earlier versions" in page
        assert "The PDF letter is being prepared." not in page
        assert "A new version of the PDF letter is being prepared." not in page

    # The dossier holds the hash of every version.
    rows = notice_rows(incident=notice.incident, scope=None)
    row = next(n for n in rows if n["id"] == notice.pk)
    assert [v["sha256"] for v in row["letters"]] == [
        first.document.sha256,
        StoredDocument.objects.get(pk=second.document_id).sha256,
    ]
    assert row["letter_sha256"] == row["letters"][1]["sha256"]


def test_portal_says_a_letter_is_prepared_only_while_a_version_is_open(notified):
    """OBL BR-06: the portal shows "being prepared" only while a version is being rendered:
    not before the customer is informed, and not once the letter is stored."""
    notice, user = notified["en"], notified["user_en"]
    client = sign_in(Client(), user)
    url = reverse("portal_notice_detail", args=[notice.pk])
    prepared = "The PDF letter is being prepared."
    assert prepared not in client.get(url).content.decode()
    notice_acknowledge(actor=user, notice=notice)  # seeing it in the portal informs it
    assert prepared in client.get(url).content.decode()
    notice_letters_render(notice_ids=[notice.pk])
    page = client.get(url).content.decode()
    assert prepared not in page and "Download the letter (PDF)" in page


def test_doorbell_rung_twice_renders_once(
    notified, officer, rung, django_capture_on_commit_callbacks
):
    """OBL BR-06: a doorbell delivered twice (and a sweep after it) renders the version
    once: one document, one `notice.letter_stored` event."""
    from breaches.tasks import notice_letter_versions_render

    committed(
        django_capture_on_commit_callbacks,
        notice_out_of_band_record,
        actor=officer,
        notice=notified["en"],
        note="Phoned.",
    )
    [(_name, ids)] = rung
    notice_letter_versions_render(ids)
    notice_letter_versions_render(ids)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        assert notice_letters_sweep().claimed == 0
    version = NoticeLetter.objects.get(pk=ids[0])
    assert version.document_id is not None and version.attempts == 1
    assert StoredDocument.objects.filter(template_name=letters.TEMPLATE_NAME).count() == 1
    assert AuditEvent.objects.filter(action="notice.letter_stored").count() == 1


def test_a_render_overtaken_by_another_worker_is_not_stored(notified, officer, monkeypatch):
    """OBL BR-06: a worker whose claim ran out while it rendered, and whose version another
    worker took over and stored meanwhile, stores nothing: one letter per version (the
    store locks the version and checks it has no document yet)."""
    notice_out_of_band_record(actor=officer, notice=notified["en"], note="Phoned.")
    version = NoticeLetter.objects.get(notice=notified["en"])
    overtaken = []

    def other_worker_first(ids):
        monkeypatch.setattr(jobs, "before_store_hook", None)
        later = timezone.now() + datetime.timedelta(seconds=jobs.letter_claim_seconds() + 1)
        with time_machine.travel(later):
            overtaken.extend(jobs.letter_versions_render(ids=ids, worker="second"))

    monkeypatch.setattr(jobs, "before_store_hook", other_worker_first)
    assert jobs.letter_versions_render(ids=[version.pk], worker="first") == []
    version.refresh_from_db()
    assert [d.pk for d in overtaken] == [version.document_id]
    assert version.claimed_by.startswith("second:") and version.attempts == 2
    assert StoredDocument.objects.filter(template_name=letters.TEMPLATE_NAME).count() == 1


def test_sweep_takes_up_a_version_whose_doorbell_was_lost(
    notified, officer, monkeypatch, django_capture_on_commit_callbacks
):
    """OBL BR-06: the broker was down when the notice was informed: the version is stored
    all the same, and the sweep renders it once nobody took it up in time."""
    tried = []

    def broker_down(name, ids):
        tried.append(ids)
        raise ConnectionError("broker down")

    monkeypatch.setattr(letter_service, "task_ring", broker_down)
    committed(
        django_capture_on_commit_callbacks,
        notice_out_of_band_record,
        actor=officer,
        notice=notified["en"],
        note="Phoned.",
    )
    assert len(tried) == 1 and NoticeLetter.objects.filter(document__isnull=True).count() == 1
    assert notice_letters_sweep().claimed == 0  # the doorbell's task may still come
    later = timezone.now() + datetime.timedelta(seconds=jobs.letter_pickup_seconds() + 1)
    with time_machine.travel(later):
        result = notice_letters_sweep()
    assert (result.claimed, result.stored) == (1, 1)
    assert CustomerNotice.objects.get(pk=notified["en"].pk).letter_id is not None


def test_a_letter_that_keeps_failing_is_given_up_and_shown(notified, officer, monkeypatch):
    """OBL BR-06: a letter that cannot be rendered is tried again after a wait, and given up
    with its reason after the last try (audited); the page then stops saying it is being
    prepared and tells the privacy team."""

    def broken(**kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(jobs, "letters_render", broken)
    notice = notified["en"]
    notice_out_of_band_record(actor=officer, notice=notice, note="Phoned.")
    notice_letters_render(notice_ids=[notice.pk])
    version = NoticeLetter.objects.get(notice=notice)
    assert version.is_open and "no fonts" in version.error and version.attempts == 1
    at = timezone.now()
    for _ in range(jobs.LETTER_MAX_ATTEMPTS):
        at += datetime.timedelta(seconds=jobs.letter_retry_seconds() + 1)
        with time_machine.travel(at):
            notice_letters_sweep()
    version.refresh_from_db()
    assert version.failed_at is not None and not version.is_open
    assert version.attempts == jobs.LETTER_MAX_ATTEMPTS
    assert AuditEvent.objects.filter(action="notice.letter_failed").count() == 1
    page = (
        sign_in(Client(), officer)
        .get(reverse("incident_notice_messages", args=[notice.incident_id, notice.pk]))
        .content.decode()
    )
    assert "The PDF letter is being prepared." not in page
    assert "The newest version of the PDF letter could not be rendered." in page
