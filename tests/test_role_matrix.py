"""OBL ON-02, AC-01: each role sees what its work needs, tested like customer isolation.

The table (docs/ARCHITECTURE.md, Access):

- staff member: reports incidents and sees their own reports; no customer list, no contacts;
- ICT manager: customer names and numbers, triage; no contacts;
- board member: customer names, change notices, objections and their letters, incident
  summaries; no contacts;
- privacy officer: everything operational;
- auditor: reads everything, writes nothing but its own account, exports, tokens and dossier
  requests;
- customer users: their own organisation only.

Contacts' names and addresses (pages, `/api/contacts/`, customer pages, notice messages,
exports, admin) only for the privacy officer, the auditor and the customer's own users.
"""

import datetime
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone

from compliance import access
from compliance.models import Contact, OutboxMessage, Role
from tests.auth import sign_in
from tests.factories import ContractFactory, CustomerFactory, ProductFactory, UserFactory

CONTACT_NAME = "Carla Vertrouwelijk"
CONTACT_EMAIL = "carla.vertrouwelijk@acme.example"
OTHER_CONTACT_NAME = "Bert Anderzijds"
OTHER_CONTACT_EMAIL = "bert.anderzijds@other.example"
SECRETS = (CONTACT_NAME, CONTACT_EMAIL, OTHER_CONTACT_NAME, OTHER_CONTACT_EMAIL)

STAFF_MEMBER = Role.STAFF_MEMBER
ICT = Role.ICT_MANAGER
BOARD = Role.BOARD_MEMBER
OFFICER = Role.PRIVACY_OFFICER
AUDITOR = Role.AUDITOR
CUSTOMER_ADMIN = Role.CUSTOMER_ADMIN
CUSTOMER_CONTACT = Role.CUSTOMER_CONTACT
ALL_ROLES = [STAFF_MEMBER, ICT, BOARD, OFFICER, AUDITOR, CUSTOMER_ADMIN, CUSTOMER_CONTACT]
WITHOUT_CONTACT_RIGHTS = [STAFF_MEMBER, ICT, BOARD]
WITH_CONTACT_RIGHTS = [OFFICER, AUDITOR, CUSTOMER_ADMIN, CUSTOMER_CONTACT]


@pytest.fixture
def world(db):
    """Two customers with contacts, a notice with a message to a contact, an incident a
    staff member reported and one the officer reported, an announced change notice and an
    objection of the first customer."""
    from breaches.models import CustomerNotice, Incident
    from breaches.services.common import NOTICE_CAUSE
    from subprocessors.models import (
        ChangeNotice,
        ChangeNoticeRecipient,
        ChangeNoticeState,
        Objection,
        Subprocessor,
    )

    now = timezone.now()
    acme = CustomerFactory(name="Acme Zorg B.V.", customer_number="70001")
    other = CustomerFactory(name="Other Onderwijs B.V.", customer_number="70002")
    product = ProductFactory(code="roles", name="Roles product")
    ContractFactory(customer=acme).products.set([product])
    ContractFactory(customer=other).products.set([product])
    contact = Contact.objects.create(
        customer=acme,
        name=CONTACT_NAME,
        email=CONTACT_EMAIL,
        receives_breach_notices=True,
        is_subscription_contact=True,
    )
    Contact.objects.create(
        customer=other,
        name=OTHER_CONTACT_NAME,
        email=OTHER_CONTACT_EMAIL,
        receives_breach_notices=True,
        is_subscription_contact=True,
    )
    users = {
        role: UserFactory(
            role=role, customer=acme if role in (CUSTOMER_ADMIN, CUSTOMER_CONTACT) else None
        )
        for role in ALL_ROLES
    }
    reported = Incident.objects.create(
        title="Laptop lost on the train",
        description="A staff laptop was lost.",
        source="staff",
        reported_by=users[STAFF_MEMBER],
        discovered_at=now,
        customer_due_at=now + datetime.timedelta(hours=48),
    )
    reported.affected_customers.set([acme, other])
    officers = Incident.objects.create(
        title="Backup exposed",
        description="A backup bucket was public.",
        source="staff",
        reported_by=users[OFFICER],
        discovered_at=now,
        customer_due_at=now + datetime.timedelta(hours=48),
    )
    officers.affected_customers.set([acme, other])
    notice = CustomerNotice.objects.create(
        incident=officers,
        customer=acme,
        aware_at=now,
        informed_at=now,
        authority_due_at=now + datetime.timedelta(hours=72),
    )
    OutboxMessage.objects.create(
        key=f"roles:notice:{notice.pk}",
        message_id="<roles.1@processor.example>",
        customer=acme,
        to_email=contact.email,
        to_name=contact.name,
        language="nl",
        subject="Security incident",
        body_text="Security incident",
        cause_type=NOTICE_CAUSE,
        cause_id=notice.pk,
    )
    subprocessor = Subprocessor.objects.create(
        legal_entity="Roles Hosting B.V.",
        purpose="Hosting",
        flow_down_reference="DPA-R",
        flow_down_signed_on=datetime.date(2024, 1, 1),
    )
    change = ChangeNotice.objects.create(
        kind="new_purpose",
        subprocessor=subprocessor,
        new_purpose="Backups",
        planned_effective_at=now + datetime.timedelta(days=40),
        effective_at=now + datetime.timedelta(days=40),
    )
    ChangeNotice.objects.filter(pk=change.pk).update(
        state=ChangeNoticeState.ANNOUNCED, announced_at=now
    )
    ChangeNoticeRecipient.objects.create(
        change_notice=change, customer=acme, reason="active", informed_at=now
    )
    objection = Objection.objects.create(
        customer=acme,
        subprocessor=subprocessor,
        change_notice=change,
        reasons="We object to backups abroad.",
        lodged_by=users[CUSTOMER_ADMIN],
    )
    return {
        "acme": acme,
        "other": other,
        "contact": contact,
        "users": users,
        "reported": reported,
        "officers": officers,
        "notice": notice,
        "change": change,
        "objection": objection,
    }


def _client(world, role) -> Client:
    return sign_in(Client(), world["users"][role])


# --- the table: who may open what -------------------------------------------------------

# (name, url builder) -> expected status per role. 403: the role may not do this at all;
# 404: the object is outside what the role may see (another organisation, another's report).
PAGES = {
    "customer list": lambda w: reverse("customer_list"),
    "customer detail": lambda w: reverse("customer_detail", args=[w["acme"].pk]),
    "other customer's detail": lambda w: reverse("customer_detail", args=[w["other"].pk]),
    "contacts API": lambda w: "/api/contacts/",
    "customer API": lambda w: f"/api/customers/{w['acme'].pk}/",
    "own incident report": lambda w: reverse("incident_detail", args=[w["reported"].pk]),
    "someone else's incident": lambda w: reverse("incident_detail", args=[w["officers"].pk]),
    "notice recipients": lambda w: reverse(
        "incident_notice_messages", args=[w["officers"].pk, w["notice"].pk]
    ),
    "change notice": lambda w: reverse("subprocessors:change_notice_detail", args=[w["change"].pk]),
    "objection": lambda w: reverse("subprocessors:objection_detail", args=[w["objection"].pk]),
}
EXPECTED = {
    #                          staff ICT  board PO   audit c-adm c-cont
    "customer list": (403, 200, 200, 200, 200, 403, 403),
    "customer detail": (403, 200, 200, 200, 200, 200, 200),
    "other customer's detail": (403, 200, 200, 200, 200, 404, 404),
    "contacts API": (403, 403, 403, 200, 200, 200, 200),
    "customer API": (403, 200, 200, 200, 200, 200, 200),
    "own incident report": (200, 200, 200, 200, 200, 403, 403),
    "someone else's incident": (404, 200, 200, 200, 200, 403, 403),
    "notice recipients": (403, 403, 403, 200, 200, 403, 403),
    "change notice": (403, 403, 200, 200, 200, 403, 403),
    "objection": (403, 403, 200, 200, 200, 200, 200),
}
MATRIX = [
    (page, role, EXPECTED[page][index]) for page in PAGES for index, role in enumerate(ALL_ROLES)
]


@pytest.mark.parametrize(("page", "role", "status"), MATRIX)
def test_each_role_opens_what_its_work_needs(world, page, role, status):
    """OBL ON-02: the role table, page by page: allowed (200) or refused (403, or 404 for an
    object outside the role's scope)."""
    response = _client(world, role).get(PAGES[page](world))
    assert response.status_code == status, (page, role, response.status_code)


# --- contacts' names and addresses ------------------------------------------------------


def _contact_pages(world) -> list[str]:
    officers, notice = world["officers"], world["notice"]
    return [
        reverse("dashboard"),
        reverse("customer_list"),
        reverse("customer_detail", args=[world["acme"].pk]),
        reverse("incident_detail", args=[officers.pk]),
        reverse("incident_detail", args=[world["reported"].pk]),
        reverse("incident_progress", args=[officers.pk]),
        reverse("incident_notice_messages", args=[officers.pk, notice.pk]),
        reverse("subprocessors:change_notice_detail", args=[world["change"].pk]),
        reverse("subprocessors:objection_detail", args=[world["objection"].pk]),
        reverse("subprocessors:objection_list"),
        reverse("portal_contacts"),
        "/api/contacts/",
        f"/api/contacts/{world['contact'].pk}/",
        "/api/customers/",
        f"/api/customers/{world['acme'].pk}/",
        "/api/notices/",
        f"/api/notices/{notice.pk}/",
        f"/api/notices/{notice.pk}/messages/",
        f"/api/incidents/{officers.pk}/",
        "/admin/compliance/contact/",
        "/admin/compliance/outboxmessage/",
    ]


@pytest.mark.parametrize("role", WITHOUT_CONTACT_RIGHTS)
def test_contacts_never_reach_roles_without_contact_rights(world, role):
    """OBL AC-01: a contact's name and e-mail address appear in no page, API answer or admin
    page for the staff member, the ICT manager or the board member, whatever the status."""
    client = _client(world, role)
    leaks = []
    for url in _contact_pages(world):
        body = unescape(client.get(url).content.decode())
        leaks += [f"{url}: {secret}" for secret in SECRETS if secret in body]
    assert leaks == []


@pytest.mark.parametrize("role", [OFFICER, AUDITOR])
def test_officer_and_auditor_read_every_customers_contacts(world, role):
    """OBL AC-01: the privacy officer and the auditor see contacts, on the customer page and
    in the API."""
    client = _client(world, role)
    page = client.get(reverse("customer_detail", args=[world["acme"].pk])).content.decode()
    assert CONTACT_NAME in page and CONTACT_EMAIL in page
    emails = {row["email"] for row in client.get("/api/contacts/").json()["results"]}
    assert {CONTACT_EMAIL, OTHER_CONTACT_EMAIL} <= emails


@pytest.mark.parametrize("role", [CUSTOMER_ADMIN, CUSTOMER_CONTACT])
def test_customer_users_read_only_their_own_contacts(world, role):
    """OBL AC-01: a customer's own users see its contacts and nobody else's."""
    client = _client(world, role)
    page = client.get(reverse("portal_contacts")).content.decode()
    assert CONTACT_EMAIL in page and OTHER_CONTACT_EMAIL not in page
    emails = {row["email"] for row in client.get("/api/contacts/").json()["results"]}
    assert emails == {CONTACT_EMAIL}


def test_auditor_never_writes_contacts(world):
    """OBL AC-01: the auditor reads contacts but cannot change them (page and API)."""
    client = _client(world, AUDITOR)
    contact = world["contact"]
    assert client.post(reverse("contact_update", args=[contact.pk]), {}).status_code == 403
    response = client.patch(
        f"/api/contacts/{contact.pk}/", {"name": "Changed"}, content_type="application/json"
    )
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.name == CONTACT_NAME


# --- navigation: no link that leads to a refusal ----------------------------------------

LINK = re.compile(r'href="(/[^"]*)"')
NOT_FOLLOWED = ("/static/", "/accounts/logout", "/logout", "/admin/logout")


def _start_pages(world, role) -> list[str]:
    pages = [reverse("home")]
    for name in PAGES:
        if EXPECTED[name][ALL_ROLES.index(role)] == 200 and not PAGES[name](world).startswith(
            "/api/"
        ):
            pages.append(PAGES[name](world))
    return pages


@pytest.mark.parametrize("role", ALL_ROLES)
def test_no_link_leads_to_a_refusal(world, role):
    """OBL ON-02: the navigation and every link on the pages a role may open lead to pages
    it may open: the menu hides what the access layer would refuse."""
    client = _client(world, role)
    links, refused = set(), []
    for url in _start_pages(world, role):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        links |= {unescape(link) for link in LINK.findall(response.content.decode())}
    for link in sorted(links):
        path = urlsplit(link).path
        if path.startswith(NOT_FOLLOWED):
            continue
        status = client.get(link).status_code
        if status in (403, 404):
            refused.append(f"{link}: {status}")
    assert refused == []


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (STAFF_MEMBER, ["incident_list"], ["customer_list", "portal_contacts"]),
        (ICT, ["incident_list", "customer_list"], ["portal_contacts"]),
        (BOARD, ["incident_list", "customer_list"], ["portal_contacts"]),
        (OFFICER, ["incident_list", "customer_list"], []),
        (AUDITOR, ["incident_list", "customer_list"], []),
        (CUSTOMER_ADMIN, ["portal_contacts"], ["customer_list", "incident_list"]),
    ],
)
def test_menu_per_role(world, role, shown, hidden):
    """OBL ON-02: the main menu offers a role the lists its work needs, and no others."""
    response = _client(world, role).get(reverse("home"), follow=True)
    nav = response.content.decode().split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    for name in shown:
        assert f'href="{reverse(name)}"' in nav, name
    for name in hidden:
        assert f'href="{reverse(name)}"' not in nav, name


# --- the auditor writes nothing but its own ---------------------------------------------

# What an auditor may POST: its own account (sign-in security, e-mail, password), its own API
# and calendar tokens, and requests for an incident's evidence dossier.
AUDITOR_OWN_WRITES = frozenset(
    {
        "account_reauthenticate",
        "account_email",
        "account_change_password",
        "account_set_password",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_generate_recovery_codes",
        "api_token_create",
        "api-token-list",
        # Its own exports of the audit history (AU-03).
        "audit_export_request",
        "calendar_token",
        "incident_dossier",
        "api-incident-dossier-list",
        # Drawing a reproducible sample records the auditor's own sample (AU-03).
        "audit_samples",
        # Asking for a check of the audit chain records the auditor's own check (AU-03).
        "audit_chain",
        # Acknowledging the confidentiality text is the auditor's own act (AC-01).
        "access:confidentiality_acknowledge",
        "api-confidentiality-acknowledge",
    }
)


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def test_auditor_writes_only_its_own_account_tokens_and_dossier_requests(world):
    """OBL ON-02: every write route (pages and API, POST/PUT/PATCH/DELETE) refuses a
    processor-wide auditor, except its own account, tokens and dossier requests; the admin
    answers but changes nothing."""
    from tests.test_route_security import _request, walk_openapi, walk_urlpatterns

    client = _client(world, AUDITOR)
    objects = [world[k] for k in ("acme", "contact", "officers", "notice", "change", "objection")]
    before = {(type(o), o.pk): model_to_dict(type(o).objects.get(pk=o.pk)) for o in objects}
    routes, _unbuildable = walk_urlpatterns()
    writes = []
    for route in routes + walk_openapi():
        name = route.view_name or ""
        if name in access.PUBLIC_URL_NAMES or name.endswith("logout"):
            continue
        for method in route.methods:
            if method == "get":
                continue
            response = _request(client, method, route.path)
            resolved = _view_name(route.path)
            if response.status_code in (401, 403, 404, 405) or resolved in AUDITOR_OWN_WRITES:
                continue
            if route.path.startswith("/admin/"):
                continue  # read-only for auditors (tests/test_admin.py); checked below
            writes.append(f"{method.upper()} {route.path}: {response.status_code}")
    after = {(type(o), o.pk): model_to_dict(type(o).objects.get(pk=o.pk)) for o in objects}
    assert writes == []
    assert before == after


# --- the rule itself --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "allowed"),
    [
        ("customer.view_list", {ICT, BOARD, OFFICER, AUDITOR}),
        ("customer.view", {ICT, BOARD, OFFICER, AUDITOR, CUSTOMER_ADMIN, CUSTOMER_CONTACT}),
        ("contact.view", {OFFICER, AUDITOR, CUSTOMER_ADMIN, CUSTOMER_CONTACT}),
        ("contact.change", {OFFICER, CUSTOMER_ADMIN}),
        ("incident.report", {STAFF_MEMBER, ICT, BOARD, OFFICER}),
        ("incident.view", {STAFF_MEMBER, ICT, BOARD, OFFICER, AUDITOR}),
        ("incident.triage", {ICT, OFFICER}),
        ("change_notice.view", {BOARD, OFFICER, AUDITOR, CUSTOMER_ADMIN, CUSTOMER_CONTACT}),
        ("objection.view", {BOARD, OFFICER, AUDITOR, CUSTOMER_ADMIN, CUSTOMER_CONTACT}),
        ("document.view", {ICT, BOARD, OFFICER, AUDITOR, CUSTOMER_ADMIN, CUSTOMER_CONTACT}),
    ],
)
def test_the_table_in_the_access_layer(world, action, allowed):
    """OBL ON-02: `can()` decides the table, one place for pages, API, admin and exports."""
    granted = {role for role in ALL_ROLES if access.can(world["users"][role], action)}
    assert granted == allowed
