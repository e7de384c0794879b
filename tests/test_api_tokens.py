"""Personal API tokens (ON-02): created only from a session with a verified second factor,
shown once, stored hashed, expiring, revocable, and attributable in the audit trail."""

import datetime
import hashlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.models import AuditEvent
from compliance import tokens
from compliance.access import SESSION_SECOND_FACTOR
from compliance.models import ApiToken, Role
from tests.auth import sign_in
from tests.factories import UserFactory


class VerifiedRequest:
    """A request as the token service sees it right after a checked second factor."""

    def __init__(self, user, *, verified=True, auth=None):
        self.user = user
        self.auth = auth
        self.session = {SESSION_SECOND_FACTOR: "2026-01-01T00:00:00+00:00"} if verified else {}


def make_token(user, days=30, name="script"):
    return tokens.api_token_create(
        actor=user, request=VerifiedRequest(user), name=name, expires_in_days=days
    )


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


# --- creation -----------------------------------------------------------------------------


def test_create_page_shows_the_secret_once_and_stores_only_its_hash(client_for, customer_admin):
    """OBL ON-02: the secret is shown once, never stored; the list shows only its prefix."""
    client = client_for(customer_admin)
    response = client.post(
        reverse("api_token_create"), {"name": "Nightly export", "expires_in_days": 30}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=customer_admin)
    secret = response.context["secret"]
    assert secret.encode() in response.content
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.name, token.prefix, token.token_hash}
    assert secret.startswith(token.prefix)
    assert token.expires_at == token.created_at + datetime.timedelta(days=30)

    listing = client.get(reverse("api_tokens"))
    assert listing.status_code == 200
    assert token.prefix.encode() in listing.content
    assert secret.encode() not in listing.content

    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor_id == customer_admin.pk
    assert event.customer_id == customer_admin.customer_id
    assert secret not in str(event.after)


def test_password_only_session_cannot_create_a_token(client_password_only, privacy_officer):
    """OBL ON-02: without a verified second factor there is no token, by page or API."""
    client = client_password_only(privacy_officer)
    response = client.post(reverse("api_token_create"), {"name": "x", "expires_in_days": 30})
    assert response.status_code == 302
    response = client.post(
        "/api/tokens/", {"name": "x", "expires_in_days": 30}, content_type="application/json"
    )
    assert response.status_code in (401, 403)
    with pytest.raises(PermissionDenied):
        tokens.api_token_create(
            actor=privacy_officer,
            request=VerifiedRequest(privacy_officer, verified=False),
            name="x",
            expires_in_days=30,
        )
    assert not ApiToken.objects.exists()


def test_service_refuses_a_request_of_another_user_or_a_token(customer_admin, privacy_officer):
    """OBL ON-02: a token is only minted for the user of the verified session itself, and
    never from a request authenticated by a token."""
    with pytest.raises(PermissionDenied):
        tokens.api_token_create(
            actor=customer_admin,
            request=VerifiedRequest(privacy_officer),
            name="x",
            expires_in_days=30,
        )
    token, _secret = make_token(customer_admin)
    with pytest.raises(PermissionDenied):
        tokens.api_token_create(
            actor=customer_admin,
            request=VerifiedRequest(customer_admin, auth=token),
            name="x",
            expires_in_days=30,
        )
    assert ApiToken.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "days", "field"),
    [
        ("", 30, "name"),
        ("   ", 30, "name"),
        ("x" * 101, 30, "name"),
        ("ok", 0, "expires_in_days"),
        ("ok", 91, "expires_in_days"),
    ],
)
def test_bad_input_is_a_clear_error_and_saves_nothing(
    client_for, customer_admin, name, days, field
):
    """OBL ON-02: an empty name or a validity outside 1..API_TOKEN_MAX_DAYS is refused."""
    client = client_for(customer_admin)
    response = client.post(reverse("api_token_create"), {"name": name, "expires_in_days": days})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    response = client.post(
        "/api/tokens/", {"name": name, "expires_in_days": days}, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()
    with pytest.raises(ValidationError):
        tokens.api_token_create(
            actor=customer_admin,
            request=VerifiedRequest(customer_admin),
            name=name,
            expires_in_days=days,
        )
    assert not ApiToken.objects.exists()


def test_max_lifetime_follows_the_setting(customer_admin, settings):
    settings.API_TOKEN_MAX_DAYS = 7
    with pytest.raises(ValidationError):
        make_token(customer_admin, days=8)
    token, _secret = make_token(customer_admin, days=7)
    assert token.expires_at - token.created_at == datetime.timedelta(days=7)


def test_api_creates_a_token_from_a_verified_session(client_for, auditor):
    """OBL ON-02: the API creates a token from a session with a verified second factor; the
    response holds the secret, which then authenticates with the user's role."""
    client = client_for(auditor)
    response = client.post(
        "/api/tokens/",
        {"name": "evidence export", "expires_in_days": 14},
        content_type="application/json",
    )
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert response.json()["prefix"] == secret[: tokens.PREFIX_LENGTH]
    listing = Client().get("/api/tokens/", **bearer(secret))
    assert listing.status_code == 200
    assert "secret" not in listing.json()["results"][0]
    # An auditor never writes, with a token neither.
    response = Client().post(
        "/api/customers/",
        {"name": "X", "customer_number": "1", "country": "NL", "language": "nl"},
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 403


# --- use ----------------------------------------------------------------------------------


def test_each_change_made_with_a_token_carries_it_in_the_audit_trail(customer_admin, customer):
    """OBL ON-02: the audit event of a change made with a token names the token (in its
    request id, which the hash chain covers)."""
    token, secret = make_token(customer_admin)
    response = Client().post(
        "/api/contacts/",
        {"name": "New Contact", "email": "new@customer.example"},
        content_type="application/json",
        **bearer(secret),
    )
    assert response.status_code == 201, response.content
    event = AuditEvent.objects.filter(object_type="compliance.Contact").get()
    assert event.actor_id == customer_admin.pk
    assert event.request_id == f"{response['X-Request-ID']}/token:{token.pk}"


def test_use_is_recorded_at_most_once_a_minute(customer_admin):
    """OBL ON-02: last_used_at and a "used" audit event, without a write per request."""
    token, secret = make_token(customer_admin)
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        assert client.get("/api/customers/", **bearer(secret)).status_code == 200
        assert client.get("/api/contacts/", **bearer(secret)).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == start
    used = AuditEvent.objects.filter(action="api_token.used", object_id=str(token.pk))
    assert used.count() == 1
    assert used.get().after == {"method": "GET", "path": "/api/customers/"}
    assert used.get().request_id.endswith(f"/token:{token.pk}")
    with time_machine.travel(start + datetime.timedelta(seconds=59), tick=False):
        client.get("/api/customers/", **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == start
    later = start + datetime.timedelta(seconds=60)
    with time_machine.travel(later, tick=False):
        client.get("/api/customers/", **bearer(secret))
    token.refresh_from_db()
    assert token.last_used_at == later
    assert used.count() == 2
    # The token's history holds its life (created, revoked), not its use.
    assert token.history.count() == 1


def test_token_of_a_disabled_account_is_refused(customer_admin):
    _token, secret = make_token(customer_admin)
    customer_admin.is_active = False
    customer_admin.save()
    response = Client().get("/api/customers/", **bearer(secret))
    assert response.status_code == 401
    assert "disabled" in response.json()["detail"]


def test_malformed_header_is_401(db):
    response = Client().get("/api/customers/", HTTP_AUTHORIZATION="Bearer a b")
    assert response.status_code == 401
    assert "Authorization" in response.json()["detail"]


def test_token_does_not_open_pages(customer_admin):
    """A token is for the API: pages still need a session with a verified second factor."""
    _token, secret = make_token(customer_admin)
    response = Client().get(reverse("portal"), **bearer(secret))
    assert response.status_code == 302


# --- revocation ---------------------------------------------------------------------------


def test_owner_revokes_on_the_page(client_for, customer_admin):
    """OBL ON-02: revoking stops the token at once and is an audit event."""
    token, secret = make_token(customer_admin)
    client = client_for(customer_admin)
    url = reverse("api_token_revoke", args=[token.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/customers/", **bearer(secret)).status_code == 401
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor_id == customer_admin.pk
    # Revoking again changes nothing and records nothing.
    client.post(url)
    assert AuditEvent.objects.filter(action="api_token.revoked").count() == 1


def test_other_users_tokens_are_out_of_reach(client_for, customer_admin, customer):
    """OBL ON-02: a user cannot see or revoke another user's token (404, nothing changed)."""
    colleague = UserFactory(role=Role.CUSTOMER_ADMIN, customer=customer)
    token, _secret = make_token(colleague)
    client = client_for(customer_admin)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    assert client.delete(f"/api/tokens/{token.pk}/").status_code == 404
    assert client.get("/api/tokens/").json()["results"] == []
    with pytest.raises(PermissionDenied):
        tokens.api_token_revoke(actor=customer_admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_privacy_officer_revokes_anyones_token(client_for, privacy_officer, customer_admin):
    """OBL ON-02: the privacy officer sees every active token and may revoke it."""
    token, secret = make_token(customer_admin, name="admin script")
    client = client_for(privacy_officer)
    listing = client.get(reverse("api_tokens"))
    assert b"admin script" in listing.content
    response = client.delete(f"/api/tokens/{token.pk}/")
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="api_token.revoked")
    assert event.actor_id == privacy_officer.pk
    assert event.customer_id == customer_admin.customer_id
    assert Client().get("/api/customers/", **bearer(secret)).status_code == 401


def test_revoke_all_of_a_user(privacy_officer, customer_admin):
    make_token(customer_admin, name="one")
    make_token(customer_admin, name="two")
    assert tokens.api_tokens_revoke_for_user(actor=privacy_officer, user=customer_admin) == 2
    assert not ApiToken.objects.filter(revoked_at__isnull=True).exists()


def test_schema_documents_the_bearer_token(client_for, privacy_officer):
    response = sign_in(Client(), privacy_officer).get("/api/schema/?format=json")
    assert response.status_code == 200
    schemes = response.json()["components"]["securitySchemes"]
    assert schemes["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["apiToken"]["description"],
    }
