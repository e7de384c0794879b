"""Every API operation, fuzzed against our own OpenAPI schema (ON-02).

schemathesis generates requests from the schema drf-spectacular writes, valid ones and
invalid ones, and sends them through the real Django stack with an API token of a privacy
officer and of a customer administrator. Every check runs: no server error, answers and
status codes as documented, invalid data refused. A fixed seed makes a failure repeat.
"""

from __future__ import annotations

import datetime
import json

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation import GenerationMode

from breaches.models import CustomerNotice
from breaches.services import affected_select, incident_notify, incident_report
from breaches.tests.conftest import customer_with, processor, product, subprocessor  # noqa: F401
from compliance import tokens
from compliance.models import Role
from compliance.tests.conftest import temporary_broker  # noqa: F401 - the doorbell's broker
from subprocessors.models import ChangeKind
from subprocessors.services import change_notice_draft, objection_lodge
from tests.factories import UserFactory
from tests.test_api_tokens import VerifiedRequest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("schemathesis")]

EXAMPLES = 50
SEED = 20261204


def _schema() -> dict:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(raw))


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {"mode": "all", "max-examples": EXAMPLES},
        # Every check runs. Valid-looking input may still break a rule the schema cannot
        # state (an id of something that exists and is yours, a state that allows the step,
        # a moment after the discovery): that is a 400 with a message, as documented.
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409"]
            }
        },
    }
)
schema = schemathesis.openapi.from_dict(_schema(), config=CONFIG)
schema.app = get_wsgi_application()


@pytest.fixture
def world(temporary_broker, processor, product, subprocessor):  # noqa: F811
    """One of everything, so that generated requests reach real objects and not only 404s:
    an incident notified to a customer, its notice and letter, a change notice, an
    objection, a token; a privacy officer and the customer's administrator sign the
    requests."""
    staff = UserFactory(role=Role.STAFF_MEMBER)
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    customer = customer_with(product, language="en")
    admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer)
    incident = incident_report(actor=staff, title="Ransomware", description="Files encrypted.")
    affected_select(actor=officer, incident=incident, rule="all")
    incident_notify(actor=officer, incident=incident)
    notice = CustomerNotice.objects.get(incident=incident)
    change_notice = change_notice_draft(
        actor=officer,
        kind=ChangeKind.NEW_PURPOSE,
        subprocessor=subprocessor,
        new_purpose="Backups",
        effective_at=timezone.now() + datetime.timedelta(days=60),
    )
    objection = objection_lodge(
        actor=admin, customer=customer, reasons="Outside our policy.", subprocessor=subprocessor
    )
    authorizations = []
    for user in (officer, admin):
        _token, secret = tokens.api_token_create(
            actor=user, request=VerifiedRequest(user), name="fuzz", expires_in_days=1
        )
        authorizations.append(f"Bearer {secret}")
    ids = {
        "incidents": incident.pk,
        "notices": notice.pk,
        "customers": customer.pk,
        "contacts": customer.contacts.first().pk,
        "change-notices": change_notice.pk,
        "objections": objection.pk,
        "subprocessors": subprocessor.pk,
        "tokens": _token.pk,
    }
    return authorizations, ids


def with_real_ids(case, ids: dict) -> None:
    """A generated id that fits the schema names an object that exists (the id's first
    path segment says which kind); an id that does not fit stays, to be refused."""
    path = case.meta.components.get(ParameterLocation.PATH) if case.meta else None
    if path is None or path.mode != GenerationMode.POSITIVE:
        return
    resource = case.path.split("/")[2]
    for name, value in (case.path_parameters or {}).items():
        if isinstance(value, int) and not isinstance(value, bool):
            kind = "incidents" if name == "incident_pk" else resource
            if name in ("id", "incident_pk") and kind in ids:
                case.path_parameters[name] = ids[kind]


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_against_its_schema(case, world):
    """OBL ON-02: no server error and no answer outside the schema, for any input, with a
    privacy officer's and a customer administrator's token."""
    authorizations, ids = world
    with_real_ids(case, ids)
    for authorization in authorizations:
        case.call_and_validate(headers={"Authorization": authorization})
