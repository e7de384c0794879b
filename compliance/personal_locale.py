"""The language and time zone a person reads the product in.

A signed-in person reads every page in the language stored on their account (the one their
mail comes in); the browser's Accept-Language and the language cookie only decide for
anonymous visitors. The language switch stores a signed-in person's choice on the account.

The admin shows moments the way the rest of the product does: in Amsterdam time with the zone
named (`config/formats`), not in UTC. Only its requests get the display zone: the rest of
the product converts explicitly (`compliance.moments`), and deadline code keeps reading
`timezone.now()` in UTC.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from audits.services import event_record
from compliance.models import Language, User


def user_language_set(*, actor: User, language: str) -> bool:
    """Store the language a signed-in person chose for themselves; True when it changed."""
    if language not in Language.values or actor.language == language:
        return False
    with transaction.atomic():
        before = actor.language
        actor.language = language
        actor.save(update_fields=["language"])
        event_record(
            actor=actor,
            action="user.language_changed",
            obj=actor,
            before={"language": before},
            after={"language": language},
            customer_id=actor.customer_id,
        )
    return True


def _admin_path(path: str) -> bool:
    return path.startswith("/admin/")


class PersonalLocaleMiddleware:
    """After authentication: the signed-in user's stored language wins over the browser's;
    the admin shows moments in the display zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = getattr(user, "language", "")
            if language in Language.values:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        admin = _admin_path(request.path_info)
        if admin:
            timezone.activate(settings.DISPLAY_TIME_ZONE)
        try:
            return self.get_response(request)
        finally:
            if admin:
                timezone.deactivate()
