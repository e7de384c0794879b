"""OBL ON-02: every non-public page, API call, download and export refuses a user without a
verified second factor, and object ids from URLs never reach another organisation's data.

The walker visits every URL pattern of the project (through every include, the Django admin
included) and every operation of the OpenAPI schema, fills the path parameters with ids of
objects that belong to another customer ("the victim"), and proves that each route refuses

(a) an anonymous visitor: a redirect to the sign-in page, or 401 for the API;
(b) a user who entered the password but no second factor (a superuser, so no account
    bypasses it): the same;
(c) for routes with an object id, a fully signed-in user of another organisation: 403/404
    (or 405), never a success, and the victim's objects are unchanged afterwards.

Public routes are an explicit allow-list here, compared with the access layer's own list, so
a new public route is always a conscious change in two places. A self-check runs the walker
on a URLconf with deliberately unprotected views and proves it flags each one.
"""

import datetime
import hashlib
import re
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.forms.models import model_to_dict
from django.shortcuts import resolve_url
from django.test import Client, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter, UUIDConverter
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from compliance import access
from compliance.models import (
    ApiToken,
    Contact,
    Contract,
    OutboxMessage,
    Role,
    StoredDocument,
    User,
)
from compliance.tokens import api_token_create, hash_secret
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

# View names (namespace:name) anyone may open. Must equal compliance.access.PUBLIC_URL_NAMES:
# adding a public route means adding it in both places, on purpose.
PUBLIC_ROUTES = frozenset(
    {
        "help",
        "healthz",
        "set_language",
        "login",
        "logout",
        "account_login",
        "account_logout",
        "account_inactive",
        "account_signup",
        "account_email_verification_sent",
        "account_request_login_code",
        "account_confirm_login_code",
        "account_reset_password",
        "account_confirm_password_reset_code",
        "account_complete_password_reset",
        "account_password_reset_completed",
        "mfa_authenticate",
        "mfa_login_webauthn",
        "invitation_open",
        # The public subprocessor register, its feed and e-mail subscriptions (SP-01).
        "subprocessors:register",
        "subprocessors:feed",
        "subprocessors:subscribe",
        "subprocessors:subscribe_sent",
        "subprocessors:subscription_confirm",
        "subprocessors:unsubscribe",
        # A calendar app's feed of deadlines: refuses (404) without a valid calendar token.
        "calendar_feed",
    }
)
# The steps a user signed in without a verified second factor may still open (never an
# anonymous visitor): setting the first password, enrolling a factor, proving it.
SET_PASSWORD_ROUTES = frozenset({"account_set_password"})
ENROLMENT_ROUTES = frozenset(
    {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "account_reauthenticate",
    }
)
PROVE_FACTOR_ROUTES = frozenset({"mfa_reauthenticate", "mfa_reauthenticate_webauthn"})
STEP_ROUTES = SET_PASSWORD_ROUTES | ENROLMENT_ROUTES | PROVE_FACTOR_ROUTES

# Every object of the victim customer gets this primary key, so whatever model an int in a
# URL refers to, it names something of another organisation.
VICTIM_ID = 4242
VICTIM_UUID = uuid.UUID("00000000-0000-4000-8000-000000004242")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PAGE_METHODS = ("get", "post")
REFUSALS_FOR_OTHER_CUSTOMER = {403, 404, 405}


class CannotBuildUrl(Exception):
    pass


@dataclass(frozen=True)
class Route:
    view_name: str | None
    pattern: str
    path: str
    params: tuple[str, ...]
    methods: tuple[str, ...] = PAGE_METHODS

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def has_object_id(self) -> bool:
        return any(p not in {"format"} for p in self.params)

    def __str__(self):
        return f"{self.view_name or '(unnamed)'} {self.pattern} -> {self.path}"


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def add(self, route, who: str, method: str, response, expected: str) -> None:
        location = response.get("Location", "")
        self.problems.append(
            f"{who} {method.upper()} {route}: {response.status_code}"
            f"{' -> ' + location if location else ''} (expected {expected})"
        )


# --- building concrete URLs from patterns ------------------------------------------------

ID_NAMES = {"pk", "id", "object_id"}
GENERIC_CANDIDATES = (str(VICTIM_ID), "example", "MQ", "abc-def", "x1")


def _value_for(name: str, regex: str, converter=None) -> str:
    if isinstance(converter, UUIDConverter) or name == "uuid":
        return str(VICTIM_UUID)
    if isinstance(converter, IntConverter) or name in ID_NAMES or name.endswith(("_pk", "_id")):
        if re.fullmatch(regex, str(VICTIM_ID)):
            return str(VICTIM_ID)
    if name == "format":
        for candidate in ("json", ".json"):
            if re.fullmatch(regex, candidate):
                return candidate
    # A plain alternation of words, e.g. the admin's (?P<app_label>auth|compliance|...).
    if re.fullmatch(r"[\w|-]+", regex):
        return regex.split("|")[0]
    for candidate in GENERIC_CANDIDATES:
        if re.fullmatch(regex, candidate):
            return candidate
    raise CannotBuildUrl(f"no value for <{name}> matching {regex!r}")


def _group_end(regex: str, start: int) -> int:
    """Index of the ")" closing the group opened at `start`."""
    depth, i = 0, start
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i = regex.index("]", i + 1) + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise CannotBuildUrl(f"unbalanced group in {regex!r}")


def _regex_to_path(regex: str) -> tuple[str, tuple[str, ...]]:
    out, names, i = [], [], 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            name_end = regex.index(">", i)
            name = regex[i + 4 : name_end]
            end = _group_end(regex, i)
            out.append(_value_for(name, regex[name_end + 1 : end]))
            names.append(name)
            i = end + 1
        elif regex[i] == "(" and not regex.startswith("(?", i):
            # An unnamed group (e.g. simple_history's admin history view): an object id.
            name = f"_{len(names)}"
            end = _group_end(regex, i)
            out.append(_value_for(name + "_id", regex[i + 1 : end]))
            names.append(name)
            i = end + 1
        elif regex.startswith("\\Z", i):
            i += 2
        elif regex[i] == "\\":
            out.append(regex[i + 1])
            i += 2
        elif regex.startswith("/?", i):
            out.append("/")
            i += 2
        elif regex[i] in "^$":
            i += 1
        elif regex[i] in "()[]{}*+?|.":
            raise CannotBuildUrl(f"unnamed pattern part in {regex!r}")
        else:
            out.append(regex[i])
            i += 1
    return "".join(out), tuple(names)


ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _concrete(pattern) -> tuple[str, tuple[str, ...]]:
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix, ()
    if isinstance(pattern, RoutePattern):
        route, names = str(pattern), []

        def fill(match):
            name = match["name"]
            names.append(name)
            converter = pattern.converters[name]
            return _value_for(name, converter.regex, converter)

        return ROUTE_PARAM.sub(fill, route), tuple(names)
    if isinstance(pattern, RegexPattern):
        return _regex_to_path(pattern.regex.pattern)
    raise CannotBuildUrl(f"unknown pattern type {type(pattern).__name__}")


def walk_urlpatterns(urlconf=None) -> tuple[list[Route], list[str]]:
    """Every URL pattern as a concrete URL; and the patterns the walker could not build."""
    routes, unbuildable = [], []

    def visit(patterns, path, shown, namespace, params):
        for entry in patterns:
            try:
                piece, names = _concrete(entry.pattern)
            except CannotBuildUrl as error:
                unbuildable.append(f"{shown}{entry.pattern}: {error}")
                continue
            if isinstance(entry, URLResolver):
                inner = [*namespace, entry.namespace] if entry.namespace else namespace
                visit(
                    entry.url_patterns,
                    path + piece,
                    f"{shown}{entry.pattern}",
                    inner,
                    params + names,
                )
                continue
            view_name = ":".join([*namespace, entry.name]) if entry.name else None
            full = "/" + path + piece
            try:
                match = resolve(full, urlconf)
            except Resolver404:
                unbuildable.append(f"{shown}{entry.pattern}: {full} does not resolve")
                continue
            if match.func != entry.callback:
                # Shadowed by an earlier pattern for these values: that one is walked itself.
                continue
            routes.append(Route(view_name, f"{shown}{entry.pattern}", full, params + names))

    visit(get_resolver(urlconf).url_patterns, "", "", [], ())
    return routes, unbuildable


def walk_openapi() -> list[Route]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    routes = []
    for template, operations in schema["paths"].items():
        params = tuple(re.findall(r"\{(\w+)\}", template))
        path = re.sub(r"\{(\w+)\}", lambda m: _value_for(m[1], r"[^/]+"), template)
        methods = tuple(m for m in operations if m in HTTP_METHODS)
        routes.append(Route(f"openapi {template}", template, path, params, methods))
    return routes


# --- the world: a victim customer, an attacker of another customer ------------------------


def _victim_world() -> list:
    """Objects of the victim customer, each with primary key VICTIM_ID where it has one.
    When you add a customer-owned model, add an object of it here."""
    victim = CustomerFactory(pk=VICTIM_ID, name="Victim B.V.")
    victim_user = UserFactory(pk=VICTIM_ID, role=Role.CUSTOMER_ADMIN, customer=victim)
    content = b"%PDF-1.4 victim"
    objects = [
        victim,
        victim_user,
        Contact.objects.create(
            pk=VICTIM_ID, customer=victim, name="Victim Contact", email="victim@b.example"
        ),
        Contract.objects.create(pk=VICTIM_ID, customer=victim, starts_on=datetime.date(2024, 1, 1)),
        StoredDocument.objects.create(
            pk=VICTIM_ID,
            uuid=VICTIM_UUID,
            customer=victim,
            title="Victim letter",
            filename="victim.pdf",
            content=content,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            template_name="pdf/base_letter.html",
            template_version="1",
            language="nl",
        ),
        OutboxMessage.objects.create(
            pk=VICTIM_ID,
            key="victim:1",
            message_id="<victim.1@processor.example>",
            customer=victim,
            to_email="victim@b.example",
            language="nl",
            subject="Victim",
            body_text="Victim",
        ),
        ApiToken.objects.create(
            pk=VICTIM_ID,
            user=victim_user,
            name="victim script",
            prefix="cpt_victim00",
            token_hash=hash_secret("cpt_victim-secret"),
            expires_at=timezone.now() + datetime.timedelta(days=30),
        ),
        Authenticator.objects.create(
            pk=VICTIM_ID,
            user=victim_user,
            type=Authenticator.Type.WEBAUTHN,
            data={"name": "Victim key"},
        ),
        *_victim_subprocessor_objects(victim, victim_user),
        *_victim_breach_objects(victim, victim_user),
        _victim_audit_sample(victim, victim_user),
    ]
    return objects


def _victim_audit_sample(victim, victim_user):
    """A sample drawn by an auditor engaged by the victim (AU-03)."""
    from audits.models import AuditSample

    return AuditSample.objects.create(
        pk=VICTIM_ID,
        kind="notice",
        period_from=datetime.date(2026, 1, 1),
        period_to=datetime.date(2026, 12, 31),
        seed="victim",
        size=1,
        formula="sha256-utf8(seed|id)-lowest-n-v1",
        population_size=1,
        member_ids=[VICTIM_ID],
        chain_seq=0,
        chain_hash="0" * 64,
        customer_id=victim.pk,
        drawn_by=victim_user,
    )


def _victim_breach_objects(victim, victim_user) -> list:
    """An incident the victim reported and the victim's notice on it (BR-04, BR-10)."""
    from breaches.models import CustomerNotice, Incident

    now = timezone.now()
    incident = Incident.objects.create(
        pk=VICTIM_ID,
        title="Victim incident",
        description="Victim description",
        source="customer",
        reported_by=victim_user,
        source_customer=victim,
        discovered_at=now,
        customer_due_at=now + datetime.timedelta(hours=48),
    )
    notice = CustomerNotice.objects.create(
        pk=VICTIM_ID,
        incident=incident,
        customer=victim,
        customer_reported=True,
        aware_at=now,
        authority_due_at=now + datetime.timedelta(hours=72),
    )
    return [incident, notice]


def _victim_subprocessor_objects(victim, victim_user) -> list:
    """The victim's objection, termination right and change-notice recipient (SP-04..06).
    The subprocessor and the draft notice are not the victim's, so they keep ordinary ids."""
    from subprocessors.models import (
        ChangeNotice,
        ChangeNoticeRecipient,
        Objection,
        Subprocessor,
        TerminationRight,
    )

    subprocessor = Subprocessor.objects.create(
        legal_entity="Victim Hosting B.V.",
        purpose="Hosting",
        flow_down_reference="DPA-V",
        flow_down_signed_on=datetime.date(2024, 1, 1),
    )
    notice = ChangeNotice.objects.create(
        kind="new_purpose",
        subprocessor=subprocessor,
        new_purpose="Backups",
        planned_effective_at=timezone.now() + datetime.timedelta(days=40),
        effective_at=timezone.now() + datetime.timedelta(days=40),
    )
    objection = Objection.objects.create(
        pk=VICTIM_ID,
        customer=victim,
        subprocessor=subprocessor,
        change_notice=notice,
        reasons="Victim reasons",
        lodged_by=victim_user,
    )
    return [
        objection,
        TerminationRight.objects.create(
            pk=VICTIM_ID, customer=victim, change_notice=notice, objection=objection
        ),
        ChangeNoticeRecipient.objects.create(
            pk=VICTIM_ID, change_notice=notice, customer=victim, reason="active"
        ),
    ]


def _snapshot(objects) -> dict:
    return {
        (obj._meta.label, obj.pk): model_to_dict(type(obj).objects.get(pk=obj.pk))
        for obj in objects
    }


@pytest.fixture
def world(db):
    victim_objects = _victim_world()
    superuser = User.objects.create_superuser("root@processor.example", "a long passphrase 1")
    # The realistic attack: someone knows the password of a user who enrolled a factor.
    enrolled = User.objects.create_superuser("enrolled@processor.example", "a long passphrase 2")
    TOTP.activate(enrolled, generate_totp_secret())
    attacker_customer = CustomerFactory(name="Attacker B.V.")
    attacker = UserFactory(role=Role.CUSTOMER_ADMIN, customer=attacker_customer)
    attacker_client = sign_in(Client(), attacker)
    request = _FakeRequest(attacker)
    _token, secret = api_token_create(
        actor=attacker, request=request, name="attacker script", expires_in_days=30
    )
    return {
        "victim_objects": victim_objects,
        "anonymous": Client(),
        "password_only": sign_in(Client(), superuser, second_factor=False),
        "password_only_enrolled": sign_in(Client(), enrolled, second_factor=False),
        "attacker_session": attacker_client,
        "attacker_token": Client(HTTP_AUTHORIZATION=f"Bearer {secret}"),
    }


class _FakeRequest:
    """What a request looks like to the token service right after a second-factor check."""

    def __init__(self, user):
        self.user = user
        self.session = {access.SESSION_SECOND_FACTOR: "2026-01-01T00:00:00+00:00"}


# --- the checks --------------------------------------------------------------------------


def _request(client, method, path):
    return getattr(client, method)(
        path,
        data={} if method == "get" else "{}",
        **({} if method == "get" else {"content_type": "application/json"}),
    )


def _redirect_target(response) -> str | None:
    try:
        return resolve(urlsplit(response["Location"]).path).view_name
    except Resolver404:
        return None


def _check_refuses_unverified(route, client, who, findings, *, api_statuses, steps) -> None:
    """Pages: a redirect to the sign-in page, or (for a signed-in user) to a second-factor
    step; the API: one of `api_statuses`."""
    login_path = resolve_url(settings.LOGIN_URL)
    for method in route.methods:
        response = _request(client, method, route.path)
        if route.is_api:
            if response.status_code not in api_statuses:
                findings.add(route, who, method, response, f"one of {sorted(api_statuses)}")
            continue
        if response.status_code == 302 and (
            urlsplit(response["Location"]).path == login_path or _redirect_target(response) in steps
        ):
            continue
        findings.add(route, who, method, response, f"a redirect to {login_path} or a step")


def _check_other_customer(route, client, who, findings) -> None:
    for method in route.methods:
        response = _request(client, method, route.path)
        if response.status_code not in REFUSALS_FOR_OTHER_CUSTOMER:
            findings.add(route, who, method, response, "403 or 404")


def check_routes(routes, world) -> list[str]:
    findings = Findings()
    before = _snapshot(world["victim_objects"])
    for route in routes:
        if route.view_name in PUBLIC_ROUTES:
            continue
        _check_refuses_unverified(
            route, world["anonymous"], "anonymous", findings, api_statuses={401}, steps=()
        )
        if route.view_name not in ENROLMENT_ROUTES:
            _check_refuses_unverified(
                route,
                world["password_only"],
                "password-only superuser",
                findings,
                api_statuses={401, 403},
                steps=ENROLMENT_ROUTES,
            )
        if route.view_name not in PROVE_FACTOR_ROUTES:
            _check_refuses_unverified(
                route,
                world["password_only_enrolled"],
                "password-only enrolled superuser",
                findings,
                api_statuses={401, 403},
                steps=PROVE_FACTOR_ROUTES,
            )
        if route.has_object_id:
            _check_other_customer(route, world["attacker_session"], "other customer", findings)
            if route.is_api:
                _check_other_customer(
                    route, world["attacker_token"], "other customer's token", findings
                )
    after = _snapshot(world["victim_objects"])
    for key in before:
        if before[key] != after[key]:
            findings.problems.append(
                f"victim object {key} was changed: {before[key]} -> {after[key]}"
            )
    return findings.problems


# --- tests -------------------------------------------------------------------------------


def test_public_allow_list_is_the_access_layers():
    """OBL ON-02: the public routes, and the steps open to a user still missing the second
    factor, are short explicit lists, kept in two places on purpose."""
    assert set(access.PUBLIC_URL_NAMES) == PUBLIC_ROUTES
    assert set(access.SET_PASSWORD_URL_NAMES) == SET_PASSWORD_ROUTES
    assert set(access.ENROLMENT_URL_NAMES) == ENROLMENT_ROUTES
    assert set(access.PROVE_FACTOR_URL_NAMES) == PROVE_FACTOR_ROUTES


def test_walker_sees_the_whole_project():
    """OBL ON-02: the walker reaches pages, API, downloads and the admin."""
    routes, unbuildable = walk_urlpatterns()
    assert not unbuildable, "teach the walker these patterns:\n" + "\n".join(unbuildable)
    names = {route.view_name for route in routes}
    for expected in (
        "home",
        "customer_detail",
        "document_download",
        "api_tokens",
        "api-contact-detail",
        "admin:index",
        "admin:compliance_customer_change",
    ):
        assert expected in names
    assert PUBLIC_ROUTES <= names | {None}, "a public name that is no route: remove it"


def test_every_url_pattern_refuses_without_second_factor_and_across_customers(world):
    """OBL ON-02: every non-public URL pattern refuses an anonymous visitor, a password-only
    superuser, and (for object ids) a user of another organisation."""
    routes, _ = walk_urlpatterns()
    problems = check_routes(routes, world)
    assert not problems, f"{len(problems)} unprotected:\n" + "\n".join(problems)


def test_every_openapi_operation_refuses_without_second_factor_and_across_customers(world):
    """OBL ON-02: every operation of the OpenAPI schema answers 401 without a verified second
    factor and never serves another organisation's object."""
    routes = walk_openapi()
    assert any(route.params for route in routes)
    problems = check_routes(routes, world)
    assert not problems, f"{len(problems)} unprotected:\n" + "\n".join(problems)


@override_settings(ROOT_URLCONF="tests.route_security_leaky_urls")
def test_walker_flags_unprotected_views(world):
    """OBL ON-02: self-check: the walker finds a plain view under /api/, a DRF view that
    allows anyone, and a page that looks an id up without the user's scope."""
    routes, _ = walk_urlpatterns()
    problems = "\n".join(check_routes(routes, world))
    assert "anonymous GET leaky_export" in problems
    assert "password-only superuser GET leaky_export" in problems
    assert "anonymous GET leaky_api" in problems
    assert "other customer GET leaky_customer" in problems
    openapi_problems = "\n".join(check_routes(walk_openapi(), world))
    assert "/api/leaky/" in openapi_problems


# --- API tokens across the access layer ---------------------------------------------------


def _bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def token_user(db, customer):
    return UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer)


@pytest.fixture
def token_secret(token_user):
    _token, secret = api_token_create(
        actor=token_user, request=_FakeRequest(token_user), name="script", expires_in_days=30
    )
    return secret


def test_token_of_customer_user_sees_only_its_organisation(
    client, token_user, token_secret, customer, other_customer
):
    """OBL ON-02: a token carries its user's organisation: only that customer is listed and
    another customer's contact answers 404."""
    other_contact = Contact.objects.create(
        customer=other_customer, name="Other", email="other@other.example"
    )
    response = client.get("/api/customers/", **_bearer(token_secret))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [customer.pk]
    response = client.get(f"/api/contacts/{other_contact.pk}/", **_bearer(token_secret))
    assert response.status_code == 404


def test_revoked_token_is_refused(client, token_user, token_secret):
    """OBL ON-02: a revoked token answers 401 with the reason."""
    from compliance.tokens import api_token_revoke

    token = ApiToken.objects.get(user=token_user)
    assert client.get("/api/customers/", **_bearer(token_secret)).status_code == 200
    api_token_revoke(actor=token_user, token=token)
    response = client.get("/api/customers/", **_bearer(token_secret))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_refused(client, token_secret):
    """OBL ON-02: a token stops working at its expiry."""
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30, seconds=-1)):
        assert client.get("/api/customers/", **_bearer(token_secret)).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=30, seconds=1)):
        response = client.get("/api/customers/", **_bearer(token_secret))
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_cannot_create_a_token(client, token_user, token_secret):
    """OBL ON-02: a token cannot mint another token, so a leaked token cannot outlive its
    expiry or revocation."""
    response = client.post(
        "/api/tokens/",
        {"name": "child", "expires_in_days": 90},
        content_type="application/json",
        **_bearer(token_secret),
    )
    assert response.status_code == 403
    assert ApiToken.objects.filter(user=token_user).count() == 1


def test_unauthenticated_api_call_is_401(client, db):
    """OBL ON-02: the API answers 401 (not 403) with a Bearer challenge."""
    response = client.get("/api/customers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    response = client.get("/api/customers/", HTTP_AUTHORIZATION="Bearer cpt_not-a-token")
    assert response.status_code == 401
    assert "Invalid API token" in response.json()["detail"]
