"""Plain text is not HTML, and bidi controls do not reach what people read as a line.

A subprocessor, a customer, an incident and a person are named `O'Brien<U+202E> <img src=x>
& Co`. The mails about them are read back as the real SMTP server of the test received them:
subjects and plain-text parts show the apostrophe, `<img` and `&` as typed (only the HTML
part escapes them), and no subject, PDF text, CSV cell or download name carries a bidi
control character (U+202E would show the rest of a line reversed, e.g. a file `x<RLO>fdp.exe`
that looks like `xexe.pdf`).
"""

import datetime
import io
import re

import pytest
from django.test import Client
from pypdf import PdfReader

from breaches.dossier.attachments import attachments_write
from breaches.services import incident_report
from compliance import accounts
from compliance.access import SYSTEM
from compliance.models import Role
from compliance.outbox import outbox_sweep
from subprocessors.services import (
    change_notice_announce,
    change_notice_draft,
    location_add,
    objection_decide,
    objection_lodge,
    objection_review_start,
    subprocessor_create,
)
from subprocessors.tests.conftest import (  # noqa: F401 - fixtures
    START,
    clock,
    customer_with_contract,
    processor,
    product,
)
from tests.auth import sign_in

NAME = "O'Brien\u202e <img src=x> & Co"
SHOWN = "O'Brien <img src=x> & Co"
ESCAPED = "O&#x27;Brien &lt;img src=x&gt; &amp; Co"
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
DAY = datetime.timedelta(days=1)


@pytest.fixture
def world(product, clock, processor, make_user):  # noqa: F811
    subprocessor = subprocessor_create(
        actor=SYSTEM,
        legal_entity=NAME,
        purpose="Hosting",
        flow_down_reference="DPA-OB-1",
        flow_down_signed_on=datetime.date(2020, 1, 1),
        products=[product],
        active_since=datetime.date(2012, 1, 1),
    )
    location_add(actor=SYSTEM, subprocessor=subprocessor, city="Haarlem", country="NL")
    customer = customer_with_contract(
        product, contacts=1, name=NAME, customer_number="77\u202e01", language="en"
    )
    return {
        "subprocessor": subprocessor,
        "customer": customer,
        "officer": make_user(Role.PRIVACY_OFFICER, full_name=NAME),
        "board": make_user(Role.BOARD_MEMBER),
        "customer_user": make_user(
            Role.CUSTOMER_ADMIN, customer=customer, full_name=NAME, language="en"
        ),
    }


def _received(smtp_server) -> dict[str, object]:
    """Subject → message, as the SMTP server received them."""
    return {r.message["Subject"]: r.message for r in smtp_server.handler.received}


def _one(received: dict, start: str):
    found = [message for subject, message in received.items() if subject.startswith(start)]
    assert len(found) == 1, f"no single mail starting {start!r} in {sorted(received)}"
    return found[0]


def _assert_plain_and_html(message, *, kind: str) -> None:
    subject = message["Subject"]
    assert not BIDI.search(subject), f"{kind}: bidi control in subject {subject!r}"
    assert SHOWN in subject, f"{kind}: subject {subject!r}"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert SHOWN in BIDI.sub("", text), f"{kind}: plain text escaped:\n{text}"
    assert "&#x27;" not in text and "&lt;" not in text and "&amp;" not in text, kind
    html = message.get_body(preferencelist=("html",)).get_content()
    assert ESCAPED in BIDI.sub("", html), f"{kind}: HTML part not escaped"
    assert "<img src=x>" not in html, kind


def _pdf_text(document) -> str:
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_change_notice_objection_and_decision_mails_are_plain_text(world, smtp_server):
    """OBL SP-04: the change notice, the objection receipt and the board's decision reach
    the customer with subjects and text parts as typed (HTML escaped only in the HTML part)
    and without bidi controls in subjects, letters and download names."""
    officer, customer_user = world["officer"], world["customer_user"]
    notice = change_notice_announce(
        actor=officer,
        notice=change_notice_draft(
            actor=officer,
            kind="new_location",
            subprocessor=world["subprocessor"],
            location_city="Amsterdam",
            location_country="NL",
            effective_at=START + 28 * DAY,
        ),
    )
    objection = objection_lodge(
        actor=customer_user,
        customer=world["customer"],
        change_notice=notice,
        reasons=f"Because of {NAME}",
    )
    objection_review_start(actor=officer, objection=objection)
    decided = objection_decide(
        actor=world["board"], objection=objection, decision="rejected", reasoning=NAME
    )
    outbox_sweep()
    received = _received(smtp_server)
    _assert_plain_and_html(
        _one(received, "Announcement: change to our subprocessors"), kind="change notice"
    )
    receipt_mail = _one(received, "Receipt of your objection")
    _assert_plain_and_html(receipt_mail, kind="objection receipt")
    _assert_plain_and_html(_one(received, "Decision on your objection"), kind="decision")

    attachment = next(receipt_mail.iter_attachments())
    assert not BIDI.search(attachment.get_filename()), attachment.get_filename()
    for document in (objection.receipt, decided.decision_letter):
        assert not BIDI.search(document.filename), document.filename
        assert SHOWN in _pdf_text(document), f"{document.filename}: {_pdf_text(document)}"
    client = sign_in(Client(), customer_user)
    response = client.get(f"/documents/{objection.receipt.uuid}/download/")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert not BIDI.search(disposition), disposition
    assert "7701" in disposition


def test_invitation_mail_is_plain_text(world, smtp_server):
    """OBL ON-01: the invitation names the organisation and the inviter as typed in its
    plain text, escaped only in its HTML part."""
    accounts.invitation_create(
        actor=world["officer"],
        email="new.admin@customer.example",
        role=Role.CUSTOMER_ADMIN,
        customer=world["customer"],
        language="en",
    )
    outbox_sweep()
    message = _one(_received(smtp_server), "Your invitation to the privacy portal")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"{SHOWN} invites you to the privacy portal" in BIDI.sub("", text), text
    assert f"for {SHOWN}." in BIDI.sub("", text), text
    assert "&#x27;" not in text and "&lt;" not in text and "&amp;" not in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert ESCAPED in BIDI.sub("", html) and "<img src=x>" not in html


def test_incident_alert_subject_has_no_bidi_controls(world, smtp_server, privacy_officer):
    """OBL BR-06: an incident titled with a bidi override alerts the privacy officer with
    the title as typed, minus the control characters."""
    incident_report(actor=world["officer"], title=NAME, description="Described.")
    outbox_sweep()
    message = _one(_received(smtp_server), "New security incident")
    assert message["Subject"].endswith(f"reported: {SHOWN}"), message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert SHOWN in text and "&lt;" not in text


def test_dossier_csv_cells_have_no_bidi_controls(tmp_path):
    """OBL BR-06: the evidence dossier's CSV files carry names and subjects without bidi
    controls (a spreadsheet shows them as typed)."""
    written, _digest, _kept = attachments_write(
        tmp_path,
        header={},
        timeline=[
            {
                "at": "2026-09-01T08:00:00Z",
                "event": NAME,
                "object": "breaches.CustomerNotice:1",
                "detail": NAME,
            }
        ],
        notices=[
            {
                "id": 1,
                "customer": {"id": 2, "name": NAME},
                "messages": [{"subject": f"Notice: {NAME}", "to_name": NAME}],
                "decision_history": [],
            }
        ],
    )
    files = {f.name: f.text() for f in written}
    for name in ("timeline.csv", "messages.csv", "decisions.csv"):
        assert not BIDI.search(files[name]), f"{name}: {files[name]!r}"
    assert SHOWN in files["messages.csv"]
