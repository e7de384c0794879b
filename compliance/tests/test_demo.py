from audits.models import AuditEvent
from compliance.demo import load_demo
from compliance.models import AgreementModel, Contact, Contract, Customer, Role, User
from subprocessors.models import Subprocessor


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
