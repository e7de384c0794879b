"""People never see internal codes (issue 17): every page of every role, every mail and every
PDF, in English and in Dutch, shows words, never an obligation ID (`BR-07`), an audit action
string (`notice.state:queued`, `incident.all_customers_informed`), a model label
(`breaches.CustomerNotice:1`), a sign-in method name (`mfa:totp`), an authority code (`ap`) or
the raw value of a choice (`customer_admin`).

Only what a person reads is checked: the visible text of each page (tags, attributes, URLs,
hidden inputs and option values left out), the subject and text of each mail, the text of
each PDF read back with pypdf. Machine-readable answers (JSON, CSV, the API, calendar and
feed files, zip bundles) keep their codes and are skipped by their content type.

The world is the demo data plus a breach handled end to end, a closed breach and a change
notice with objections (tests/no_codes_world.py). Each role walks the URL resolver's GET
routes without parameters and, from there, every link its pages offer (a few of each route),
so every route with an id is opened with ids of real objects; a last test shows that every
GET route of the project was opened by some role, or says why not.
"""

import io
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import connection, transaction
from django.db.models import TextChoices
from django.test import Client
from django.urls import Resolver404, resolve
from pypdf import PdfReader

from audits.actions import AuditAction
from compliance.models import OutboxMessage, Role, StoredDocument, User
from tests.auth import sign_in
from tests.test_http_methods import ACTIONS
from tests.test_route_security import walk_urlpatterns

ROLES = [
    None,  # anonymous: the public pages
    Role.STAFF_MEMBER,
    Role.ICT_MANAGER,
    Role.BOARD_MEMBER,
    Role.PRIVACY_OFFICER,
    Role.AUDITOR,
    Role.CUSTOMER_ADMIN,
    Role.CUSTOMER_CONTACT,
]
LANGUAGES = ["en", "nl"]
PER_ROUTE = 1  # URLs opened per route, role and language
# The API answers machines; the admin is the back office's view of the stored rows (audit
# actions and model labels as stored, like the machine exports); signing out ends the walk.
NOT_FOLLOWED = ("/static/", "/media/", "/api/", "/admin/", "/accounts/logout", "/logout")
MACHINE_TYPES = ("application/json", "text/csv", "application/zip", "text/calendar", "xml")

OBLIGATION_ID = re.compile(r"\b(?:AC|AU|BR|CT|DS|IN|ON|RP|RT|SP)-\d{2}\b")
ACTION_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+:[a-z_]+\b")
MODEL_LABEL = re.compile(r"\b[a-z_]+\.[A-Z]\w+(?::\d+)?\b")
METHOD_NAME = re.compile(r"\b(?:mfa|password|totp|webauthn|recovery_codes|code):[a-z_]+\b")
AUTHORITY_CODE = re.compile(r"(?<![\w/.-])(?:ap|gba|apd)(?![\w/.-])")
URL_OR_ADDRESS = re.compile(r"https?://\S+|\S+@\S+|/[\w./?=&%-]+")


def _choice_codes() -> set[str]:
    """Raw values of the project's choices that are unmistakably codes (with an underscore or
    a dot), and every audit action string."""
    codes = {action.value for action in AuditAction}
    stack = list(TextChoices.__subclasses__())
    while stack:
        cls = stack.pop()
        stack += cls.__subclasses__()
        if not cls.__module__.startswith(
            ("breaches", "compliance", "subprocessors", "access", "processing", "audits", "web")
        ):
            continue
        codes |= {
            value
            for value in cls.values
            if ("_" in value or "." in value) and not value.replace(".", "").isdigit()
        }
    return codes


CODES = _choice_codes()
CODE_WORD = re.compile(
    r"(?<![\w/.:-])(?:"
    + "|".join(sorted(map(re.escape, CODES), key=len, reverse=True))
    + r")(?![\w/-]|\.\w)"
)


def codes_in(text: str) -> list[str]:
    """The internal codes a person would read in `text`."""
    text = URL_OR_ADDRESS.sub(" ", text)
    found = []
    for pattern in (
        OBLIGATION_ID,
        ACTION_CODE,
        MODEL_LABEL,
        METHOD_NAME,
        AUTHORITY_CODE,
        CODE_WORD,
    ):
        found += pattern.findall(text)
    return found


class VisibleText(HTMLParser):
    """The text a person sees: no tags, attributes, scripts, styles or hidden elements. A
    stored audit payload (`<pre class="payload">`, the row's before/after as recorded) is
    evidence shown verbatim, like the machine exports, and is left out too."""

    SKIPPED = {"script", "style", "template", "noscript"}
    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []  # per open element: is its content hidden

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attributes = dict(attrs)
        hidden = bool(
            tag in self.SKIPPED
            or "hidden" in attributes
            or attributes.get("aria-hidden") == "true"
            or "payload" in (attributes.get("class") or "").split()
            or (self.stack and self.stack[-1])
        )
        self.stack.append(hidden)

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self.stack or not self.stack[-1]:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


# Links, and the pages forms lead to: a GET of a form's target shows its form page (the
# project's rule: GET never writes; POST-only actions answer 405 and are skipped).
LINK = re.compile(r"<(?:a\b[^>]*\bhref|form\b[^>]*\baction)=\"(/[^\"#]*)", re.I)
VISITED: dict[str, set[str]] = defaultdict(set)  # view name -> "role/language" that opened it


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at the end."""
    from tests.no_codes_world import build

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close()


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _start_paths() -> list[str]:
    routes, _unbuildable = walk_urlpatterns()
    return [
        route.path
        for route in routes
        if not route.params and route.view_name and not route.path.startswith(NOT_FOLLOWED)
    ]


def _client(role, language) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    if role is not None:
        user = User.objects.filter(role=role, is_active=True).order_by("pk").first()
        User.objects.filter(pk=user.pk).update(language=language)
        sign_in(client, user)
    return client


def _walk(client, label) -> list[str]:
    """Open the start pages and every link they lead to; the codes found, where."""
    queue = _start_paths()
    seen, per_route, problems = set(), defaultdict(int), []
    while queue:
        path = queue.pop(0)
        if path in seen or path.startswith(NOT_FOLLOWED):
            continue
        seen.add(path)
        name = _view_name(urlsplit(path).path)
        if name is None or per_route[name] >= PER_ROUTE:
            continue
        per_route[name] += 1
        response = client.get(path)
        if response.status_code != 200:
            continue
        VISITED[name].add(label)
        kind = response.get("Content-Type", "")
        if kind.startswith("application/pdf"):
            streamed = response.streaming
            content = b"".join(response.streaming_content) if streamed else response.content
            problems += [f"{path} (PDF): {code}" for code in codes_in(pdf_text(content))]
            continue
        if not kind.startswith("text/html"):
            continue
        html = response.content.decode()
        problems += [f"{path}: {code}" for code in codes_in(visible_text(html))]
        queue += [link.replace("&amp;", "&") for link in LINK.findall(html)]
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_no_page_shows_a_code(world, role, language):
    """Every page and PDF a role can open, in its language, shows words, never a code."""
    problems = _walk(_client(role, language), f"{role}/{language}")
    assert sorted(set(problems)) == []


@pytest.mark.django_db
def test_no_mail_shows_a_code(world):
    """Every mail in the outbox (notices, updates, letters' covers, receipts, decisions,
    alerts, invitations), subject and text and HTML, shows words, never a code."""
    messages = list(OutboxMessage.objects.all())
    assert {m.language for m in messages} >= {"en", "nl"}
    problems = []
    for message in messages:
        text = " ".join([message.subject, message.body_text, visible_text(message.body_html or "")])
        problems += [f"{message.key}: {code}" for code in codes_in(text)]
    assert sorted(set(problems)) == []


@pytest.mark.django_db
def test_no_stored_pdf_shows_a_code(world):
    """Every stored PDF (letters, receipts, decisions, certificates, reports) in both
    languages shows words, never a code."""
    problems, languages = [], set()
    for document in StoredDocument.objects.filter(content_type="application/pdf"):
        languages.add(document.language)
        text = f"{document.title}\n{pdf_text(bytes(document.content))}"
        where = f"{document.filename} ({document.language})"
        problems += [f"{where}: {code}" for code in codes_in(text)]
    assert languages >= {"en", "nl"}
    assert sorted(set(problems)) == []


# GET routes no role reaches by a link from its pages in this world, and why that is fine.
FORM_TARGET = (
    "the target of a form shown on another page (incident, notice, register): a GET shows or "
    "leads back to that page, which the walk checks"
)
SIGN_IN_STEP = (
    "a step of signing in, enrolling a factor, an invitation or a subscription: it needs a "
    "pending sign-in, a code or a token, or sends a signed-in user on (the sign-in pages' "
    "words are tested in compliance/tests/test_signin_pages.py); home redirects to the "
    "role's start page"
)
NOT_IN_WORLD = (
    "a download of something built in the background on request (dossier, history export, "
    "audit sample, calendar feed, one record's export): the PDFs among them are built and swept "
    "by tests/test_no_codes_pdfs.py; the calendar feed and samples' CSV/JSON are for machines"
)
NOT_REACHED: dict[str, str] = {
    "access:portal_consent_decide": FORM_TARGET,
    "incident_discovery": FORM_TARGET,
    "incident_dismiss": FORM_TARGET,
    "incident_final_report": FORM_TARGET,
    "incident_notice_late_reason": FORM_TARGET,
    "incident_notice_out_of_band": FORM_TARGET,
    "incident_notify": FORM_TARGET,
    "incident_preview": FORM_TARGET,
    "incident_progress": FORM_TARGET,
    "incident_select": FORM_TARGET,
    "incident_triage": FORM_TARGET,
    "incident_update": FORM_TARGET,
    "portal_notice_decision": FORM_TARGET,
    "portal_notice_intention": FORM_TARGET,
    "processing:audit_report": FORM_TARGET,
    "processing:audit_schedule": FORM_TARGET,
    "processing:binding_take_on": FORM_TARGET,
    "processing:deletion_confirm": FORM_TARGET,
    "processing:instruction_answer": FORM_TARGET,
    "processing:instruction_carry_out": FORM_TARGET,
    "processing:instruction_decline": FORM_TARGET,
    "processing:instruction_warn": FORM_TARGET,
    "processing:portal_early_deletion": FORM_TARGET,
    "processing:portal_instruction_answer": FORM_TARGET,
    "processing:subject_request_reply": FORM_TARGET,
    "processing:subject_request_task_add": FORM_TARGET,
    "processing:subject_request_task_done": FORM_TARGET,
    "subprocessors:change_notice_announce": FORM_TARGET,
    "subprocessors:change_notice_edit": FORM_TARGET,
    "subprocessors:termination_confirm": FORM_TARGET,
    "access:temporary_approve": FORM_TARGET,
    "access:temporary_confirm_removal": FORM_TARGET,
    "access:temporary_refuse": FORM_TARGET,
    "access:temporary_revoke": FORM_TARGET,
    "api_token_revoke": FORM_TARGET,
    "invitation_revoke": FORM_TARGET,
    "account_complete_password_reset": SIGN_IN_STEP,
    "account_confirm_login_code": SIGN_IN_STEP,
    "account_confirm_password_reset_code": SIGN_IN_STEP,
    "account_email_verification_sent": SIGN_IN_STEP,
    "account_login": SIGN_IN_STEP,
    "account_set_password": SIGN_IN_STEP,
    "mfa_authenticate": SIGN_IN_STEP,
    "mfa_deactivate_totp": SIGN_IN_STEP,
    "mfa_download_recovery_codes": SIGN_IN_STEP,
    "mfa_edit_webauthn": SIGN_IN_STEP,
    "mfa_login_webauthn": SIGN_IN_STEP,
    "mfa_reauthenticate": SIGN_IN_STEP,
    "mfa_reauthenticate_webauthn": SIGN_IN_STEP,
    "mfa_remove_webauthn": SIGN_IN_STEP,
    "mfa_view_recovery_codes": SIGN_IN_STEP,
    "invitation_open": SIGN_IN_STEP,
    "subprocessors:subscription_confirm": SIGN_IN_STEP,
    "subprocessors:unsubscribe": SIGN_IN_STEP,
    "home": SIGN_IN_STEP,
    "audit_export_download": NOT_IN_WORLD,
    "audit_sample_csv": NOT_IN_WORLD,
    "audit_sample_detail": NOT_IN_WORLD,
    "audit_sample_json": NOT_IN_WORLD,
    "calendar_feed": NOT_IN_WORLD,
    "incident_dossier": NOT_IN_WORLD,
    "incident_dossier_download": NOT_IN_WORLD,
    "processing:record_export": NOT_IN_WORLD,
}


def test_every_route_was_opened():
    """The walk above reached every GET page of the project (run after the role walks)."""
    if len({label for labels in VISITED.values() for label in labels}) < len(ROLES) * 2:
        pytest.skip("runs after every role's walk in both languages")
    routes, _unbuildable = walk_urlpatterns()
    names = {
        route.view_name
        for route in routes
        if route.view_name and not route.path.startswith(NOT_FOLLOWED)
    }
    missing = sorted(names - set(VISITED) - ACTIONS - set(NOT_REACHED))
    assert missing == [], "\n".join(missing)
