"""Bad input to the API is a 400 or 404 with a message, never a server error; every date-time
the API accepts carries its UTC offset.

The id routes are found by walking the URL patterns under /api/, so a route added later is
covered without touching this file. Real parts throughout: the URL resolver, the views, the
services and the database.
"""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.fields import DateTimeField

from breaches.models import CustomerNotice, Incident
from breaches.services import affected_select, incident_notify, incident_report
from compliance.access import SYSTEM
from compliance.models import ProcessorProfile, Role
from subprocessors.models import ChangeNotice
from subprocessors.services import change_notice_draft, subprocessor_create
from tests.auth import sign_in
from tests.factories import (
    ContactFactory,
    ContractFactory,
    CustomerFactory,
    ProductFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=datetime.UTC)
BEYOND_64_BITS = "267569138253140721664"
BAD_IDS = ("abc", "1x", "-1", "9" * 19, BEYOND_64_BITS, "9" * 400)
IMPOSSIBLE_MOMENTS = (
    "2026-08-31T12:99:00Z",  # minute 99
    "2024-02-30T12:00:00Z",  # 30 February
    "2026-08-31T25:00:00Z",  # hour 25
    "2026-08-31T12:00:99+02:00",  # second 99
    "2026-13-01T12:00:00Z",  # month 13
    "2026-08-31T12:00:00+25:00",  # offset of 25 hours
    "9999-12-31T23:59:59Z",  # in Amsterdam already year 10000
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
)
# Amsterdam: 02:30 on 25 October 2026 happens twice (CEST, then CET); 02:30 on
# 28 March 2027 never happens (the clocks jump from 02:00 to 03:00).
NAIVE = "2026-10-06T10:00:00"
AMBIGUOUS = "2026-10-25T02:30:00"
NONEXISTENT = "2027-03-28T02:30:00"
NAIVE_MOMENTS = (NAIVE, AMBIGUOUS, NONEXISTENT)


# --- walking the API's routes -------------------------------------------------------------

GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<regex>[^()]*)\)")


def _plain(regex: str) -> str:
    for anchor in ("^", "$", r"\Z"):
        regex = regex.replace(anchor, "")
    return regex


def api_id_routes() -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """(pattern, path template with {name} per id, id names, HTTP methods) of every API route
    with an object id in its path."""
    routes = []

    def visit(patterns, prefix):
        for entry in patterns:
            regex = prefix + _plain(entry.pattern.regex.pattern)
            if isinstance(entry, URLResolver):
                visit(entry.url_patterns, regex)
                continue
            if not regex.startswith("api/"):
                continue
            names = tuple(m["name"] for m in GROUP.finditer(regex) if m["name"] != "format")
            if not names:
                continue
            template = GROUP.sub(
                lambda m: "json" if m["name"] == "format" else "{" + m["name"] + "}", regex
            )
            template = "/" + re.sub(r"\\(.)", r"\1", template.replace("/?", "/"))
            assert not re.search(r"[\\()\[\]*+?|^$]", template), f"cannot walk {regex!r}"
            actions = getattr(entry.callback, "actions", None)
            methods = tuple(sorted(actions)) if actions else ("get",)
            routes.append((regex, template, names, methods))

    visit(get_resolver().url_patterns, "")
    return routes


ID_ROUTES = api_id_routes()


def bad_paths(template: str, names: tuple[str, ...]):
    """Each id of the route bad in turn (the others a plain number), and all bad at once."""
    for bad in BAD_IDS:
        for name in names:
            yield template.format(**{n: bad if n == name else "1" for n in names})
        if len(names) > 1:
            yield template.format(**dict.fromkeys(names, bad))


def api_client(user) -> Client:
    """Signed in with a verified second factor; a server error is an answer (500) here."""
    return sign_in(Client(raise_request_exception=False), user)


def call(client, method: str, path: str, data=None, **extra):
    if method in ("post", "put", "patch"):
        return getattr(client, method)(path, data or {}, content_type="application/json", **extra)
    return getattr(client, method)(path, data or {}, **extra)


def assert_refused_with_message(response, *statuses):
    statuses = statuses or (400, 404)
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert body and any(body.values()), body
    return body


# --- a small world: an incident with notices, a change notice ----------------------------


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(clock):
    ProcessorProfile.objects.create(
        legal_name="Processor B.V.",
        privacy_team_name="Privacy team",
        privacy_email="privacy@processor.example",
    )
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    product = ProductFactory(code="profit", name="Profit")
    customer = CustomerFactory(language="en")
    contract = ContractFactory(customer=customer, starts_on=datetime.date(2024, 1, 1))
    contract.products.add(product)
    ContactFactory(customer=customer, is_subscription_contact=True)
    ContactFactory(customer=customer, receives_breach_notices=True)
    customer_user = UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer)
    incident = incident_report(actor=officer, title="Ransomware", description="Files encrypted.")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    hosting = subprocessor_create(
        actor=SYSTEM,
        legal_entity="LeaseWeb Netherlands B.V.",
        purpose="Hosting",
        certifications="ISO 27001",
        flow_down_reference="DPA-LW-1",
        flow_down_signed_on=datetime.date(2020, 1, 1),
        products=[product],
        active_since=datetime.date(2012, 1, 1),
    )
    draft = change_notice_draft(
        actor=officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Frankfurt",
        location_country="DE",
        effective_at=START + datetime.timedelta(days=40),
    )
    return {
        "officer": api_client(officer),
        "customer_user": customer_user,
        "customer": customer,
        "product": product,
        "incident": incident,
        "notice": CustomerNotice.objects.get(customer=customer),
        "hosting": hosting,
        "draft": draft,
    }


# --- ids in paths --------------------------------------------------------------------------


def test_the_walk_finds_the_id_routes():
    """OBL ON-02: the walk below sees every API route with an id, action routes included."""
    templates = {template for _, template, _, _ in ID_ROUTES}
    assert len(templates) >= 40, sorted(templates)
    for expected in (
        "/api/notices/{pk}/letter/",
        "/api/notices/{pk}/acknowledge/",
        "/api/incidents/{pk}/discovery/",
        "/api/incidents/{incident_pk}/dossiers/{pk}/pdf/",
        "/api/change-notices/{pk}/effective/",
        "/api/termination-rights/{pk}/exercise/",
        "/api/tokens/{pk}/",
    ):
        assert expected in templates


@pytest.mark.parametrize(
    ("template", "names", "methods"),
    [(template, names, methods) for _, template, names, methods in ID_ROUTES],
    ids=[template for _, template, _, _ in ID_ROUTES],
)
def test_a_malformed_id_in_an_api_path_is_a_404(make_user, customer, template, names, methods):
    """OBL ON-02: a non-numeric, negative or too long (beyond 64 bits) id in any API path
    answers 404 with a message, for a customer user and a privacy officer alike, in every
    method of the route."""
    clients = {
        "privacy officer": api_client(make_user(Role.PRIVACY_OFFICER)),
        "customer admin": api_client(make_user(Role.CUSTOMER_ADMIN, customer=customer)),
    }
    for who, client in clients.items():
        for method in methods:
            for path in bad_paths(template, names):
                response = call(client, method, path)
                assert response.status_code in (400, 404), (
                    f"{who} {method.upper()} {path}: {response.status_code}"
                )
                assert_refused_with_message(response)


def test_schema_path_ids_are_integers(privacy_officer):
    """OBL ON-02: the OpenAPI schema still generates, and every id in a path is an integer."""
    response = api_client(privacy_officer).get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    seen = 0
    for template, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    seen += 1
                    assert parameter["schema"]["type"] == "integer", (template, parameter)
    assert seen >= 40


# --- integers beyond 64 bits in filters ----------------------------------------------------


INTEGER_FILTERS = [
    ("privacy officer", "/api/contacts/", "customer"),
    ("customer user", "/api/contacts/", "customer"),
    ("privacy officer", "/api/notices/", "incident"),
    ("customer user", "/api/notices/", "incident"),
    ("privacy officer", "/api/incidents/{incident}/preview/", "customer"),
    ("privacy officer", "/api/incidents/{incident}/progress/", "page"),
    ("privacy officer", "/api/incidents/{incident}/progress/", "page_size"),
    ("privacy officer", "/api/customers/", "page"),
    ("customer user", "/api/change-notices/", "page"),
]
IMPOSSIBLE_INTEGERS = (BEYOND_64_BITS, "-" + BEYOND_64_BITS, "9" * 400, "abc")


def _clients(world):
    return {
        "privacy officer": world["officer"],
        "customer user": api_client(world["customer_user"]),
    }


def _fill(world, path: str, body: dict) -> tuple[str, dict]:
    ids = {
        "incident": world["incident"].pk,
        "notice": world["notice"].pk,
        "draft": world["draft"].pk,
        "hosting": world["hosting"].pk,
    }
    body = {k: ids["hosting"] if v == "{hosting}" else v for k, v in body.items()}
    return path.format(**ids), body


@pytest.mark.parametrize(
    ("who", "url", "name"), INTEGER_FILTERS, ids=[f"{w} {u}?{n}" for w, u, n in INTEGER_FILTERS]
)
@pytest.mark.parametrize("value", IMPOSSIBLE_INTEGERS, ids=["2^68", "-2^68", "400 digits", "abc"])
def test_an_impossible_integer_filter_is_refused(world, who, url, name, value):
    """OBL ON-02: an integer filter beyond 64 bits, negative, absurdly long or not a number
    (`/api/contacts/?customer=`, `/api/notices/?incident=`, the preview's `customer`, the
    progress's `page` and `page_size`, a list's `page`) answers 400 or 404 with a message."""
    url, _ = _fill(world, url, {})
    response = _clients(world)[who].get(url, {name: value})
    assert response.status_code in (400, 404), (
        f"{who} GET {url}?{name}={value[:30]}: {response.status_code}"
    )
    body = assert_refused_with_message(response)
    if response.status_code == 400:
        assert name in body, body


def test_a_customer_id_beyond_64_bits_in_a_selection_is_refused(world):
    """OBL ON-02: ids beyond 64 bits in a request body (the hand selection's customers) are a
    400 with a message."""
    response = call(
        world["officer"],
        "post",
        f"/api/incidents/{world['incident'].pk}/select/",
        {"rule": "hand", "customers": [int(BEYOND_64_BITS)]},
    )
    assert_refused_with_message(response, 400)


# --- impossible dates and times ------------------------------------------------------------

REPORT = {"title": "x", "description": "y"}
# (who, method, path, body without the moment, the moment's field): every API input that
# takes a date-time.
INCIDENT_MOMENTS = [
    ("privacy officer", "post", "/api/incidents/", REPORT, "discovered_at"),
    ("privacy officer", "post", "/api/incidents/", REPORT, "occurred_at"),
    ("privacy officer", "post", "/api/incidents/", REPORT, "found_at_source"),
    (
        "privacy officer",
        "post",
        "/api/incidents/{incident}/discovery/",
        {"reason": "r"},
        "discovered_at",
    ),
    ("customer user", "post", "/api/notices/report/", REPORT, "occurred_at"),
    ("customer user", "post", "/api/notices/report/", REPORT, "found_at_source"),
    (
        "customer user",
        "post",
        "/api/notices/{notice}/announce/",
        {"kind": "preliminary", "recipient": "ap"},
        "planned_at",
    ),
    ("privacy officer", "post", "/api/notices/{notice}/out-of-band/", {"note": "n"}, "informed_at"),
]
CHANGE_NOTICE_MOMENTS = [
    (
        "privacy officer",
        "post",
        "/api/change-notices/",
        {
            "kind": "new_location",
            "subprocessor": "{hosting}",
            "location_city": "Frankfurt",
            "location_country": "DE",
        },
        "effective_at",
    ),
    ("privacy officer", "patch", "/api/change-notices/{draft}/", {}, "effective_at"),
    ("privacy officer", "post", "/api/change-notices/{draft}/effective/", {}, "effective_at"),
]


def _ids(inputs):
    return [f"{method.upper()} {path} {field}" for _, method, path, _, field in inputs]


def _send_moment(world, who, method, path, body, field, moment):
    path, body = _fill(world, path, body)
    response = call(_clients(world)[who], method, path, {**body, field: moment})
    assert response.status_code == 400, (
        f"{who} {method.upper()} {path} {field}={moment}: {response.status_code}"
    )
    return response


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "field"),
    INCIDENT_MOMENTS + CHANGE_NOTICE_MOMENTS,
    ids=_ids(INCIDENT_MOMENTS + CHANGE_NOTICE_MOMENTS),
)
@pytest.mark.parametrize("moment", IMPOSSIBLE_MOMENTS)
def test_an_impossible_moment_is_a_400(world, who, method, path, body, field, moment):
    """OBL ON-02: a date-time that does not exist (minute 99, 30 February, hour 25, …) or lies
    outside the years 1900–2999 in `POST /api/incidents/`, `/api/incidents/{id}/discovery/`,
    `/api/notices/report/` and every other date-time input answers 400 naming the field, and
    nothing is stored."""
    incidents = Incident.objects.count()
    response = _send_moment(world, who, method, path, body, field, moment)
    assert field in assert_refused_with_message(response), response.json()
    assert Incident.objects.count() == incidents
    assert ChangeNotice.objects.count() == 1


@pytest.mark.parametrize("day", ["2024-02-30", "2026-13-01", "2026-00-10"])
def test_an_impossible_date_in_a_decision_is_a_400(world, day):
    """OBL ON-02: an impossible date in the customer's decision (the authority notified on
    30 February) answers 400 naming the field."""
    client = api_client(world["customer_user"])
    response = call(
        client,
        "post",
        f"/api/notices/{world['notice'].pk}/decide/",
        {
            "is_breach": True,
            "breach_reasoning": "Yes.",
            "authority_notified": True,
            "authority": "ap",
            "authority_notified_on": day,
        },
    )
    assert response.status_code == 400
    assert "authority_notified_on" in assert_refused_with_message(response)


# --- every date-time needs its UTC offset --------------------------------------------------


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "field"),
    CHANGE_NOTICE_MOMENTS,
    ids=_ids(CHANGE_NOTICE_MOMENTS),
)
@pytest.mark.parametrize("moment", NAIVE_MOMENTS, ids=["naive", "ambiguous", "nonexistent"])
def test_a_change_notice_moment_without_offset_is_refused(
    world, who, method, path, body, field, moment
):
    """OBL SP-03: a change notice's effective moment without a UTC offset — plain, ambiguous
    (02:30 on the night the clocks go back) or non-existent (02:30 on the night they jump
    forward) in Amsterdam — is refused with a 400 asking for the offset, in drafting, editing
    and moving; nothing is stored."""
    response = _send_moment(world, who, method, path, body, field, moment)
    assert "offset" in response.json()[field][0], response.json()
    assert ChangeNotice.objects.count() == 1
    draft = world["draft"]
    draft.refresh_from_db()
    assert draft.effective_at == START + datetime.timedelta(days=40)


@pytest.mark.parametrize(
    ("moment", "utc"),
    [
        ("2026-10-25T02:30:00+02:00", datetime.datetime(2026, 10, 25, 0, 30, tzinfo=datetime.UTC)),
        ("2026-10-25T02:30:00+01:00", datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC)),
        ("2026-10-25T01:30:00Z", datetime.datetime(2026, 10, 25, 1, 30, tzinfo=datetime.UTC)),
    ],
)
def test_a_change_notice_moment_with_offset_is_exact(world, moment, utc):
    """OBL SP-03: with its offset, either 02:30 of the night the clocks go back is stored as
    exactly that moment."""
    data = {
        "kind": "new_location",
        "subprocessor": world["hosting"].pk,
        "location_city": "Amsterdam",
        "location_country": "NL",
        "effective_at": moment,
    }
    response = call(world["officer"], "post", "/api/change-notices/", data)
    assert response.status_code == 201, response.json()
    assert ChangeNotice.objects.get(pk=response.json()["id"]).effective_at == utc


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "field"), INCIDENT_MOMENTS, ids=_ids(INCIDENT_MOMENTS)
)
@pytest.mark.parametrize("moment", NAIVE_MOMENTS, ids=["naive", "ambiguous", "nonexistent"])
def test_an_incident_moment_without_offset_is_refused(
    world, who, method, path, body, field, moment
):
    """OBL BR-03: every date-time of the breach API (report, discovery correction, customer
    report, intention, out-of-band) without a UTC offset — plain, ambiguous or non-existent in
    Amsterdam — is refused with a 400 asking for the offset; nothing is stored."""
    incidents = Incident.objects.count()
    response = _send_moment(world, who, method, path, body, field, moment)
    assert "offset" in response.json()[field][0], response.json()
    assert Incident.objects.count() == incidents


def _project_serializers():
    seen, todo = [], [serializers.BaseSerializer]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        # The shared bases (compliance.api_fields) have no fields of their own.
        if cls.__module__ == "compliance.api_fields":
            continue
        if cls.__module__.split(".")[0] in {"compliance", "breaches", "subprocessors"}:
            seen.append(cls)
    return seen


def test_every_date_time_input_of_the_api_needs_an_offset():
    """OBL SP-03, BR-03: every writable date-time field of every API serializer is the one
    shared field that requires a UTC offset."""
    from compliance.api_fields import AwareDateTimeField

    found = []
    for cls in _project_serializers():
        fields = cls(context={}).fields
        for name, field in fields.items():
            if isinstance(field, DateTimeField) and not field.read_only:
                found.append(f"{cls.__name__}.{name}")
                assert isinstance(field, AwareDateTimeField), f"{cls.__name__}.{name}"
    assert "ChangeNoticeCreateSerializer.effective_at" in found
    assert "IncidentReportSerializer.discovered_at" in found
