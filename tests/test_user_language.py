"""The signed-in person's own language wins over the browser's (issue 17): a customer stored as
Dutch read the portal in English because the browser asked for English, and the mail in Dutch."""

from django.urls import reverse

from audits.models import AuditEvent
from tests.auth import sign_in


def _language_of(response) -> str:
    return response.headers["Content-Language"]


def test_stored_dutch_wins_over_an_english_browser(client, customer_admin):
    customer_admin.language = "nl"
    customer_admin.save()
    sign_in(client, customer_admin)
    page = client.get(reverse("portal"), headers={"accept-language": "en"})
    assert page.status_code == 200
    assert _language_of(page) == "nl"
    assert '<html lang="nl"' in page.content.decode()


def test_the_switch_stores_the_language_and_the_next_page_follows_it(client, customer_admin):
    customer_admin.language = "nl"
    customer_admin.save()
    sign_in(client, customer_admin)
    switched = client.post(
        reverse("set_language"),
        {"language": "en", "next": reverse("portal")},
        headers={"accept-language": "nl"},
    )
    assert switched.status_code == 302
    customer_admin.refresh_from_db()
    assert customer_admin.language == "en"
    event = AuditEvent.objects.get(action="user.language_changed")
    assert (event.before, event.after) == ({"language": "nl"}, {"language": "en"})
    assert event.actor_id == customer_admin.pk
    page = client.get(reverse("portal"), headers={"accept-language": "nl"})
    assert _language_of(page) == "en"
    # Switching to the language already stored records nothing more.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert AuditEvent.objects.filter(action="user.language_changed").count() == 1


def test_an_unknown_language_changes_nothing(client, customer_admin):
    sign_in(client, customer_admin)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    customer_admin.refresh_from_db()
    assert customer_admin.language == "en"
    assert not AuditEvent.objects.filter(action="user.language_changed").exists()


def test_anonymous_pages_follow_the_browser_and_the_cookie(client, db):
    sign_in_page = reverse("account_login")
    assert _language_of(client.get(sign_in_page, headers={"accept-language": "nl"})) == "nl"
    assert _language_of(client.get(sign_in_page, headers={"accept-language": "en"})) == "en"
    client.post(reverse("set_language"), {"language": "nl", "next": sign_in_page})
    assert _language_of(client.get(sign_in_page, headers={"accept-language": "en"})) == "nl"
