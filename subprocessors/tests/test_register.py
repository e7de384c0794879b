import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audits.models import AuditEvent
from subprocessors.models import ProcessingLocation, Subprocessor
from subprocessors.services import location_add, subprocessor_create
from tests.factories import ProductFactory


@pytest.fixture
def subprocessor(privacy_officer):
    return subprocessor_create(
        actor=privacy_officer,
        legal_entity="Hosting B.V.",
        purpose="Hosting",
        flow_down_reference="DPA-1",
        flow_down_signed_on=datetime.date(2024, 1, 1),
        products=[ProductFactory(code="profit", name="Profit")],
    )


def test_subprocessor_records_flow_down_agreement_and_products(subprocessor):
    """OBL SP-02: the flow-down agreement (reference, date) is recorded per subprocessor."""
    subprocessor.refresh_from_db()
    assert subprocessor.flow_down_reference == "DPA-1"
    assert subprocessor.flow_down_signed_on == datetime.date(2024, 1, 1)
    assert [p.code for p in subprocessor.products.all()] == ["profit"]
    assert AuditEvent.objects.filter(action="subprocessor.created").count() == 1


@pytest.mark.parametrize("country", ["US", "GB", "CH", "", "xx"])
def test_location_outside_the_eea_is_refused(subprocessor, privacy_officer, country):
    """OBL SP-02: a processing location outside the EEA is refused, nothing saved."""
    with pytest.raises(ValidationError) as excinfo:
        location_add(actor=privacy_officer, subprocessor=subprocessor, city="X", country=country)
    assert "European Economic Area" in str(excinfo.value)
    assert not ProcessingLocation.objects.exists()
    assert not AuditEvent.objects.filter(action="subprocessor.location_added").exists()


def test_location_inside_the_eea_is_recorded(subprocessor, privacy_officer):
    """OBL SP-02: each location records its country."""
    location = location_add(
        actor=privacy_officer, subprocessor=subprocessor, city="Haarlem", country="nl"
    )
    assert location.country == "NL" and location.in_eea


def test_database_refuses_a_location_outside_the_eea(subprocessor):
    """OBL SP-02: the database constraint holds even if the service is bypassed."""
    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessingLocation.objects.create(subprocessor=subprocessor, city="NYC", country="US")


def test_only_the_privacy_officer_changes_the_register(make_user):
    from django.core.exceptions import PermissionDenied

    from compliance.models import Role

    with pytest.raises(PermissionDenied):
        subprocessor_create(
            actor=make_user(Role.AUDITOR),
            legal_entity="X",
            purpose="Y",
            flow_down_reference="Z",
            flow_down_signed_on=datetime.date(2024, 1, 1),
        )
    assert not Subprocessor.objects.exists()
