"""Invite a person from the command line: how the first privacy officer gets an account."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from compliance import accounts, moments
from compliance.access import SYSTEM
from compliance.models import Customer, Role


class Command(BaseCommand):
    help = (
        "Invite a person (ON-01): the invitation e-mail goes out through the outbox and the "
        "link is printed. They confirm the address with a code, set a password and enrol a "
        "second factor within INVITATION_VALID_HOURS."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--role", default=Role.PRIVACY_OFFICER, choices=Role.values)
        parser.add_argument("--customer", help="customer number, for customer users")
        parser.add_argument("--language", choices=["en", "nl"])

    def handle(self, *args, email, role, customer, language, **options):
        organisation = None
        if customer:
            organisation = Customer.objects.filter(customer_number=customer).first()
            if organisation is None:
                raise CommandError(f"No customer with number {customer}.")
        try:
            invitation, token = accounts.invitation_create(
                actor=SYSTEM, email=email, role=role, customer=organisation, language=language
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        link = settings.SITE_URL.rstrip("/") + reverse("invitation_open", args=[token])
        self.stdout.write(
            f"Invited {invitation.email} as {role}; valid until "
            f"{moments.moment_text(invitation.expires_at)}.\n{link}"
        )
