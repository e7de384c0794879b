"""Signing in test clients."""

from django.utils import timezone

from compliance.access import SESSION_SECOND_FACTOR


def confidentiality_acknowledged(user):
    """Record that a staff `user` acknowledged the current confidentiality text (AC-01), so
    the gate lets them through; tests of the gate itself create users without this."""
    from access.models import ConfidentialityAcknowledgement, ConfidentialityText

    text = ConfidentialityText.objects.order_by("-version").first()
    if text is not None and getattr(user, "is_processor_staff", False):
        ConfidentialityAcknowledgement.objects.get_or_create(user=user, text=text)
    return user


def language_stored(user, language: str):
    """Store `language` on `user`'s account, as the language switch does for a signed-in
    person: their pages come in it whatever the browser asks for (no audit event, so tests
    counting events are not disturbed)."""
    from compliance.models import User

    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language
    return user


def sign_in(client, user, *, second_factor: bool = True, acknowledge: bool = True):
    """Sign `user` in on `client`; with second_factor, as after a checked passkey or code;
    with acknowledge, a staff user has acknowledged the confidentiality text (AC-01)."""
    if acknowledge:
        confidentiality_acknowledged(user)
    client.force_login(user)
    if second_factor:
        session = client.session
        session[SESSION_SECOND_FACTOR] = timezone.now().isoformat()
        session.save()
    return client
