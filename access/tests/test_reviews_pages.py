"""Recertification (ISO 27001 A.5.18) through the pages and the API: owners decide their own
items, "confirm all of mine shown" confirms nothing else, the auditor reads and cannot write."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from access.models import AccessReviewItem, StandingGrant
from access.services.reviews import review_open
from audits.models import AuditEvent
from compliance.access import SYSTEM
from compliance.models import Role

AT = datetime.datetime(2026, 4, 1, 9, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture
def world(make_user, customer):
    people = {
        "officer": make_user(Role.PRIVACY_OFFICER),
        "ict": make_user(Role.ICT_MANAGER),
        "staff": make_user(Role.STAFF_MEMBER),
        "auditor": make_user(Role.AUDITOR),
        "admin": make_user(Role.CUSTOMER_ADMIN, customer=customer),
        "contact": make_user(Role.CUSTOMER_CONTACT, customer=customer),
    }
    grant = StandingGrant.objects.create(
        holder=people["staff"], granted_by=people["ict"], purposes=["backups"]
    )
    review = review_open(actor=SYSTEM, at=AT)
    return people, review, grant


def test_detail_groups_by_kind_and_marks_unused_in_words(world, client_for):
    """A.5.18 with AC-02: the review page shows items by kind; an unused account in words."""
    people, review, _grant = world
    page = client_for(people["officer"]).get(reverse("access:review_detail", args=[review.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Standing access" in text and "Account of this product" in text
    assert (
        "Not used for more than 90 days when the review opened" in text
        and "unused_for_90_days" not in text
    )


def test_owner_decides_through_the_page_others_refused(world, client_for):
    """A.5.18 with AC-02: only the owner records a decision; a revocation needs a reason."""
    people, review, grant = world
    item = AccessReviewItem.objects.get(review=review, subject="standing", subject_id=grant.pk)
    url = reverse("access:review_item_decide", args=[item.pk])
    assert client_for(people["officer"]).post(url, {"decision": "confirmed"}).status_code == 403
    client = client_for(people["ict"])
    refused = client.post(url, {"decision": "revoked", "note": ""})
    assert refused.status_code == 400 and b"Say why the access is revoked" in refused.content
    item.refresh_from_db()
    assert item.decision == "pending"
    done = client.post(url, {"decision": "revoked", "note": "No longer on the team"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.decision == "revoked" and item.decided_by == people["ict"]


def test_confirm_all_of_mine_shown_confirms_only_my_items(world, client_for):
    """A.5.18: "confirm all of mine shown" refuses an id that is not the user's own and
    writes nothing; with only own ids it confirms them."""
    people, review, _grant = world
    client = client_for(people["officer"])
    mine = list(
        review.items.filter(owner=people["officer"], decision="pending").values_list(
            "pk", flat=True
        )
    )
    other = review.items.exclude(owner=people["officer"]).first().pk
    url = reverse("access:review_confirm_mine", args=[review.pk])
    client.post(url, {"items": [*mine, other]})
    assert not review.items.exclude(decision="pending").exists()
    client.post(url, {"items": mine})
    assert set(review.items.filter(decision="confirmed").values_list("pk", flat=True)) == set(mine)
    assert AuditEvent.objects.filter(action="access.review.item_confirmed").count() == len(mine)


def test_auditor_reads_and_cannot_write(world, client_for):
    """A.5.18: the auditor reads reviews, items and the report, and decides nothing."""
    people, review, grant = world
    client = client_for(people["auditor"])
    for name, args in [
        ("access:review_list", []),
        ("access:review_detail", [review.pk]),
        ("access:review_overdue", []),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200
    item = review.items.first()
    assert client.post(reverse("access:review_open")).status_code == 403
    assert (
        client.post(
            reverse("access:review_item_decide", args=[item.pk]), {"decision": "confirmed"}
        ).status_code
        == 403
    )
    api = client.get("/api/access/review-items/", {"review": review.pk})
    assert api.status_code == 200 and api.json()["count"] == review.items.count()
    decided = client.post(
        f"/api/access/review-items/{item.pk}/decide/", {"decision": "confirmed"}, format="json"
    )
    assert decided.status_code == 403
    assert not review.items.exclude(decision="pending").exists()


def test_api_owner_decides_bad_input_refused(world, client_for):
    """A.5.18 with AC-02: the owner decides through the API; bad input is a 400 with the
    reason and writes nothing."""
    people, review, grant = world
    item = AccessReviewItem.objects.get(review=review, subject="standing", subject_id=grant.pk)
    client = client_for(people["ict"])
    url = f"/api/access/review-items/{item.pk}/decide/"
    bad = client.post(url, {"decision": "revoked"}, content_type="application/json")
    assert bad.status_code == 400 and "note" in bad.json()
    item.refresh_from_db()
    assert item.decision == "pending"
    ok = client.post(url, {"decision": "confirmed"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["decision"] == "confirmed"


def test_customer_admin_reviews_own_accounts_in_the_portal(world, client_for):
    """A.5.18: a customer's administrator confirms its organisation's accounts."""
    people, review, _grant = world
    item = AccessReviewItem.objects.get(
        review=review, subject="account", subject_id=people["contact"].pk
    )
    client = client_for(people["admin"])
    page = client.get(reverse("access:portal_review_items"))
    assert page.status_code == 200 and people["contact"].email in page.content.decode()
    url = reverse("access:portal_review_item_decide", args=[item.pk])
    assert client.post(url, {"decision": "confirmed"}).status_code == 302
    item.refresh_from_db()
    assert item.decision == "confirmed"
