"""The first privacy officer is invited from the command line (ON-01)."""

import io

import pytest
from django.core.management import CommandError, call_command

from compliance.models import Invitation, OutboxMessage

pytestmark = pytest.mark.django_db


def test_invite_command_creates_an_invitation_and_prints_the_link():
    """OBL ON-01: no account is created directly; the command sends an invitation."""
    out = io.StringIO()
    call_command("invite", "First.Officer@Processor.example", stdout=out)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == (
        "first.officer@processor.example",
        "privacy_officer",
    )
    assert "/accounts/invitation/" in out.getvalue()
    assert OutboxMessage.objects.filter(key=f"invitation:{invitation.pk}").exists()


def test_invite_command_refuses_bad_input_with_a_message():
    with pytest.raises(CommandError, match="No customer"):
        call_command("invite", "a@example.com", "--role", "customer_admin", "--customer", "9")
    with pytest.raises(CommandError, match="organisation"):
        call_command("invite", "a@example.com", "--role", "customer_admin")
