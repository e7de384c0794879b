"""Demo records of the access review (ISO 27001 A.5.18): an open review with some items
decided and an account not used for 90 days flagged."""

import datetime

from access.models import AccessReview, ReviewDecision
from access.services.reviews import item_decide, review_open
from compliance.access import SYSTEM
from compliance.models import Role, User

DEMO_UNUSED_EMAIL = "unused.account@processor.example"


def load(*, now, people, customers) -> None:
    """Add one open review (once): a staff account that last signed in 120 days ago is
    flagged; a few items decided by their owners."""
    if AccessReview.objects.exists():
        return
    if not User.objects.filter(email=DEMO_UNUSED_EMAIL).exists():
        User.objects.create_user(
            email=DEMO_UNUSED_EMAIL,
            full_name="Unused Account",
            role=Role.STAFF_MEMBER,
            last_login=now - datetime.timedelta(days=120),
        )
    actor = people.get(Role.PRIVACY_OFFICER) or SYSTEM
    review = review_open(actor=actor, at=now - datetime.timedelta(days=3))
    decided = 0
    for item in review.items.filter(unused_for_90_days=False).select_related("owner"):
        if decided >= 3:
            break
        if item.owner.role in (Role.PRIVACY_OFFICER, Role.ICT_MANAGER):
            item_decide(actor=item.owner, item=item, decision=ReviewDecision.CONFIRMED, at=now)
            decided += 1
