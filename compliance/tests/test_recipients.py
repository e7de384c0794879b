"""The privacy team's alerts have one rule (BR-03, SP-06): every active privacy officer
personally; the profile's privacy mailbox only when there is none."""

import pytest

from compliance.models import ProcessorProfile, Role
from compliance.recipients import alert_recipients
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_alerts_go_to_every_active_officer_and_the_mailbox_only_without_one():
    """OBL BR-03: an alert always reaches someone of the privacy team."""
    ProcessorProfile.objects.create(
        legal_name="Processor B.V.",
        privacy_team_name="Privacy team",
        privacy_email="privacy@processor.example",
    )
    assert [r.email for r in alert_recipients()] == ["privacy@processor.example"]
    first = UserFactory(role=Role.PRIVACY_OFFICER, language="nl")
    second = UserFactory(role=Role.PRIVACY_OFFICER)
    UserFactory(role=Role.PRIVACY_OFFICER, is_active=False)
    UserFactory(role=Role.BOARD_MEMBER)
    assert [(r.key, r.email, r.language) for r in alert_recipients()] == [
        (f"user:{first.pk}", first.email, "nl"),
        (f"user:{second.pk}", second.email, second.language),
    ]
    # Four eyes: the asking officer is left out; alone, the request goes to the mailbox.
    assert [r.email for r in alert_recipients(exclude_user_id=first.pk)] == [second.email]
    second.is_active = False
    second.save()
    assert [r.email for r in alert_recipients(exclude_user_id=first.pk)] == [
        "privacy@processor.example"
    ]
