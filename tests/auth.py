"""Signing in test clients."""

from django.utils import timezone

from compliance.access import SESSION_SECOND_FACTOR


def sign_in(client, user, *, second_factor: bool = True):
    """Sign `user` in on `client`; with second_factor, as after a checked passkey or code."""
    client.force_login(user)
    if second_factor:
        session = client.session
        session[SESSION_SECOND_FACTOR] = timezone.now().isoformat()
        session.save()
    return client
