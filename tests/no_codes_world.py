"""A demo-like world for the sweep that looks for internal codes (tests/test_no_codes.py):
the demo data (customers, users, access and processing registers) plus a breach handled end
to end and a subprocessor change with an objection the board decided, built through the
services as people would, so every page, mail and PDF has something to show."""

import datetime

from django.utils import timezone

from breaches.models import CustomerNotice
from breaches.services import (
    affected_select,
    incident_final_report,
    incident_notify,
    incident_report,
    incident_triage,
    notice_acknowledge,
    notice_decision_record,
    notice_letters_render,
    update_publish,
)
from compliance.models import Customer, Role, User
from subprocessors.models import Subprocessor
from subprocessors.services.change_notices import change_notice_announce
from subprocessors.services.drafting import change_notice_draft
from subprocessors.services.notice_mail import change_notice_letters_render
from subprocessors.services.objections import objection_decide, objection_lodge
from web.demo import load_demo


def person(role: str) -> User:
    return User.objects.filter(role=role, is_active=True).order_by("pk").first()


def _breach(officer, staff, customers):
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
    first, second = customers[:2]
    user = User.objects.filter(customer=first, role=Role.CUSTOMER_ADMIN).first()
    notice = CustomerNotice.objects.get(incident=incident, customer=first)
    notice_acknowledge(actor=user, notice=notice)
    notice_decision_record(
        actor=user,
        notice=notice,
        is_breach=True,
        breach_reasoning="Our employees' data was readable.",
        authority_notified=True,
        authority="ap",
        authority_notified_on=timezone.localdate(),
        authority_reference="AP-2026-77",
        authority_kind="complete",
        subjects_informed=False,
        subjects_reasoning="Low risk for the people.",
    )
    other = User.objects.filter(customer=second, role=Role.CUSTOMER_CONTACT).first()
    notice_acknowledge(
        actor=other, notice=CustomerNotice.objects.get(incident=incident, customer=second)
    )
    update_publish(actor=officer, incident=incident, summary="Backups restored; bucket closed.")
    notices = CustomerNotice.objects.filter(incident=incident)
    notice_letters_render(notice_ids=list(notices.values_list("pk", flat=True)))
    second_incident = incident_report(
        actor=staff, title="Laptop lost on the train", description="A staff laptop was lost."
    )
    incident_triage(actor=officer, incident=second_incident, personal_data_involved=False)
    return incident, second_incident


def _closed_breach(officer, staff, customers):
    incident = incident_report(
        actor=staff, title="Mail sent to the wrong customer", description="One payslip misdirected."
    )
    incident_triage(actor=officer, incident=incident, personal_data_involved=True)
    affected_select(actor=officer, incident=incident, rule="hand", customers=customers[:1])
    incident_notify(actor=officer, incident=incident)
    incident_final_report(
        actor=officer,
        incident=incident,
        root_cause="A wrong address in the mailing list.",
        lessons_learned="Addresses are checked by a second person.",
        summary="Closed.",
    )
    return incident


def _change_and_objection(officer, board, customers):
    hosting = Subprocessor.objects.order_by("pk").first()
    draft = change_notice_draft(
        actor=officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Amsterdam",
        location_country="NL",
        effective_at=timezone.now() + datetime.timedelta(days=40),
    )
    notice = change_notice_announce(actor=officer, notice=draft)
    change_notice_letters_render(notice_id=notice.pk, limit=5)  # Dutch and English
    admins = []
    objections = []
    for customer in customers[:2]:
        admin = User.objects.filter(customer=customer, role=Role.CUSTOMER_ADMIN).first()
        admins.append(admin)
        objections.append(
            objection_lodge(
                actor=admin,
                customer=customer,
                reasons="We do not want our data in a second place.",
                subprocessor=hosting,
                change_notice=notice,
            )
        )
    objection_decide(
        actor=board,
        objection=objections[0],
        decision="rejected",
        reasoning="The location is inside the EEA and certified.",
    )
    return notice, objections


def build() -> dict:
    load_demo()
    officer = person(Role.PRIVACY_OFFICER)
    staff = person(Role.STAFF_MEMBER)
    board = person(Role.BOARD_MEMBER)
    customers = list(Customer.objects.filter(users__isnull=False).distinct().order_by("pk"))
    english = Customer.objects.filter(language="en").order_by("pk").first()
    incident, second_incident = _breach(officer, staff, [*customers, english])
    closed = _closed_breach(officer, staff, customers)
    change, objections = _change_and_objection(officer, board, customers)
    return {
        "incident": incident,
        "second_incident": second_incident,
        "closed": closed,
        "change": change,
        "objections": objections,
        "customers": customers,
    }
