"""The demo data behind `make run` (`manage.py load_demo`): mirrors the seeds, loads twice
without adding anything, and its users sign in with the demo password."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from audits.models import AuditEvent
from compliance.models import AgreementModel, Contact, Contract, Customer, Role, User
from subprocessors.models import Subprocessor
from web.demo import DEMO_PASSWORD, load_demo


@pytest.fixture(autouse=True)
def fresh_cache():
    # allauth keeps rate limits and used TOTP codes in the cache; tests run at one frozen time.
    cache.clear()
    yield
    cache.clear()


def test_load_demo_mirrors_the_seeds_and_is_idempotent(db):
    """OBL CT-01: demo customers use all three processing-agreement models."""
    load_demo()
    counts = (Customer.objects.count(), Contact.objects.count(), User.objects.count())
    events = AuditEvent.objects.count()
    load_demo()
    assert (Customer.objects.count(), Contact.objects.count(), User.objects.count()) == counts
    assert AuditEvent.objects.count() == events
    assert counts[0] == 50
    assert set(Customer.objects.values_list("country", flat=True)) == {"NL", "BE"}
    assert set(Customer.objects.values_list("language", flat=True)) == {"nl", "en"}
    assert set(Contract.objects.values_list("agreement_model", flat=True)) == set(AgreementModel)
    assert {u.role for u in User.objects.all()} == set(Role)
    leaseweb = Subprocessor.objects.get(legal_entity="LeaseWeb Netherlands B.V.")
    assert sorted(loc.city for loc in leaseweb.locations.all()) == ["Haarlem", "Schiphol-Rijk"]
    assert sorted(p.name for p in leaseweb.products.all()) == ["InSite/OutSite", "Pocket", "Profit"]
    azure = Subprocessor.objects.exclude(pk=leaseweb.pk).get()
    assert [p.name for p in azure.products.all()] == ["SB"]
    # BR-05: every demo customer has a subscription contact who receives breach notices.
    assert Contact.objects.filter(is_subscription_contact=True, receives_breach_notices=True)
    assert (
        Contact.objects.filter(is_subscription_contact=True).values("customer").distinct().count()
        == 50
    )


# Like the sign-in tests it came from: real commits, so that mail queued on commit is sent.
@pytest.mark.django_db(transaction=True)
def test_demo_user_signs_in_with_the_demo_password_then_enrols(client, db):
    """OBL ON-02: demo users sign in with the demo password and are asked for a factor."""
    load_demo()
    response = client.post(
        reverse("account_login"), {"login": "privacy@processor.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_index")
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
