"""The base pages: who may open them, the help page (ON-03), the language switch and the
display of deadlines in Europe/Amsterdam."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from compliance.models import ProcessorProfile, Role
from compliance.templatetags.compliance_tags import local_deadline
from tests.auth import sign_in
from tests.factories import ContactFactory, ContractFactory, CustomerFactory, ProductFactory

UTC = datetime.UTC
STAFF = [
    Role.PRIVACY_OFFICER,
    Role.ICT_MANAGER,
    Role.BOARD_MEMBER,
    Role.AUDITOR,
    Role.STAFF_MEMBER,
]
CUSTOMER_USERS = [Role.CUSTOMER_CONTACT, Role.CUSTOMER_ADMIN]


def user_for(make_user, role, customer):
    return make_user(role, customer=customer if role in CUSTOMER_USERS else None)


@pytest.fixture
def profile(db):
    return ProcessorProfile.objects.create(
        legal_name="Voorbeeld Software B.V.",
        privacy_team_name="Privacy Office",
        privacy_email="privacy@voorbeeld.example",
        privacy_phone="+31 30 123 4567",
        address="Stationsplein 1\n3511 ED Utrecht",
        supported_browsers="Firefox, Chrome, Edge, Safari (latest two versions)",
        help_text_en="Sign in with your e-mail address and a second factor.",
        help_text_nl="Meld u aan met uw e-mailadres en een tweede factor.",
    )


# --- who may open which page ------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_dashboard_renders_for_staff(role, make_user, customer, client):
    sign_in(client, user_for(make_user, role, customer))
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert b'<main id="main"' in response.content


@pytest.mark.parametrize("role", CUSTOMER_USERS)
def test_dashboard_refused_to_customer_users(role, make_user, customer, client):
    sign_in(client, user_for(make_user, role, customer))
    assert client.get(reverse("dashboard")).status_code == 403


@pytest.mark.parametrize("role", CUSTOMER_USERS)
def test_portal_renders_for_customer_users(role, make_user, customer, client):
    product = ProductFactory(code="profit", name="Profit")
    contract = ContractFactory(customer=customer, agreement_model="boz_2022")
    contract.products.set([product])
    sign_in(client, user_for(make_user, role, customer))
    response = client.get(reverse("portal"))
    assert response.status_code == 200
    text = response.content.decode()
    assert customer.name in text
    assert customer.customer_number in text
    assert "Healthcare model BoZ (December 2022)" in text  # CT-01: the agreement model
    assert "Profit" in text
    assert reverse("portal_contacts") in text


def test_portal_shows_only_own_organisation(customer_admin, other_customer, client):
    sign_in(client, customer_admin)
    text = client.get(reverse("portal")).content.decode()
    assert other_customer.name not in text


@pytest.mark.parametrize("role", STAFF)
def test_portal_refused_to_staff(role, make_user, customer, client):
    sign_in(client, user_for(make_user, role, customer))
    assert client.get(reverse("portal")).status_code == 403


@pytest.mark.parametrize("name", ["dashboard", "portal"])
def test_pages_send_anonymous_visitors_to_sign_in(name, client, db):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_sends_each_user_to_their_start_page(privacy_officer, customer_contact, client):
    sign_in(client, privacy_officer)
    assert client.get("/")["Location"] == reverse("dashboard")
    sign_in(client, customer_contact)
    assert client.get("/")["Location"] == reverse("portal")


def test_login_page_renders(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="login"' in response.content
    assert b'autocomplete="current-password"' in response.content


def test_sign_in_with_the_login_form(privacy_officer, client):
    """OBL ON-02: the password alone leads to the second-factor set-up, not the dashboard.
    (The whole flow with codes and TOTP is in compliance/tests/test_signin.py.)"""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=privacy_officer, email=privacy_officer.email, verified=True, primary=True
    )
    # Invited a moment ago: the window to set up a factor is open.
    privacy_officer.factor_enrolment_until = timezone.now() + datetime.timedelta(hours=1)
    privacy_officer.save()
    response = client.post(
        reverse("login"),
        {"login": privacy_officer.email, "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_index")


def test_sign_out_is_a_post(privacy_officer, client):
    sign_in(client, privacy_officer)
    page = client.get(reverse("dashboard")).content.decode()
    assert f'action="{reverse("logout")}" method="post"' in page
    client.post(reverse("logout"))
    assert client.get(reverse("dashboard")).status_code == 302


# --- navigation and layout --------------------------------------------------------------


def test_navigation_depends_on_role(privacy_officer, staff_member_client, customer_admin, client):
    sign_in(client, privacy_officer)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("admin:index") in page
    assert reverse("customer_list") in page
    assert reverse("portal") not in page

    page = staff_member_client.get(reverse("dashboard")).content.decode()
    assert reverse("admin:index") not in page
    assert "Recent audit events" not in page

    sign_in(client, customer_admin)
    page = client.get(reverse("portal")).content.decode()
    assert reverse("dashboard") not in page
    assert reverse("admin:index") not in page
    assert reverse("customer_list") not in page


@pytest.fixture
def staff_member_client(make_user, client):
    from django.test import Client

    other = Client()
    sign_in(other, make_user(Role.STAFF_MEMBER))
    return other


def test_layout_has_landmarks_skip_link_and_processor_name(profile, privacy_officer, client):
    sign_in(client, privacy_officer)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'href="#main"' in page
    assert '<main id="main"' in page
    assert "<nav" in page and "<header" in page and "<footer" in page
    assert profile.legal_name in page
    assert f'href="{reverse("help")}"' in page
    assert "/static/css/app.css" in page
    assert "https://" not in page.split("<body")[0]  # no CDN in the head


def test_dashboard_cards(privacy_officer, client):
    covered = CustomerFactory()
    ContactFactory(customer=covered, receives_breach_notices=True)
    ContactFactory(customer=covered, receives_breach_notices=False)
    CustomerFactory()  # no breach contact
    sign_in(client, privacy_officer)
    response = client.get(reverse("dashboard"))
    assert response.context["customers_count"] == 2
    assert response.context["breach_contacts_count"] == 1
    assert response.context["customers_without_breach_contact"] == 1
    assert response.context["outbox_alerts"] == []


def test_dashboard_shows_escalated_mail(privacy_officer, customer, client):
    from compliance.models import OutboxMessage

    OutboxMessage.objects.create(
        key="test:escalated",
        message_id="<escalated@processor.example>",
        customer=customer,
        to_email="gone@customer.example",
        language="nl",
        subject="Melding datalek",
        body_text="...",
        status="failed",
        escalated_at=datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
        last_reply="550 5.1.1 user unknown",
    )
    sign_in(client, privacy_officer)
    page = client.get(reverse("dashboard")).content.decode()
    assert "gone@customer.example" in page
    assert "550 5.1.1 user unknown" in page
    assert "01:59 CET" in page


def test_dashboard_lists_recent_audit_events_newest_first(privacy_officer, auditor, client):
    from compliance.services import customer_create

    for n in range(12):
        customer_create(
            actor=privacy_officer,
            name=f"Audit {n}",
            customer_number=f"A{n:03}",
            country="NL",
            language="nl",
        )
    sign_in(client, auditor)
    events = client.get(reverse("dashboard")).context["audit_events"]
    assert len(events) == 10
    assert [e.action for e in events] == ["customer.created"] * 10
    ids = [e.pk for e in events]
    assert ids == sorted(ids, reverse=True)


# --- help page (ON-03) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "help_text"),
    [
        ("en", "Sign in with your e-mail address and a second factor."),
        ("nl", "Meld u aan met uw e-mailadres en een tweede factor."),
    ],
)
def test_help_page_is_public_and_shows_the_processor_profile(language, help_text, profile, client):
    """OBL ON-03: the help page names the processor and its privacy team contact, in the
    visitor's language, without signing in."""
    client.cookies["django_language"] = language
    response = client.get(reverse("help"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert profile.legal_name in page
    assert "privacy@voorbeeld.example" in page
    assert "+31 30 123 4567" in page
    assert "Stationsplein 1<br>3511 ED Utrecht" in page
    assert "Firefox, Chrome, Edge, Safari" in page
    assert help_text in page


def test_help_page_without_profile_still_renders(client, db):
    assert client.get(reverse("help")).status_code == 200


# --- language switch --------------------------------------------------------------------


def test_language_switch_changes_the_language(profile, client):
    page = client.get(reverse("help")).content.decode()
    assert '<html lang="en">' in page
    assert 'name="language" value="nl"' in page

    response = client.post(reverse("set_language"), {"language": "nl", "next": reverse("help")})
    assert response.status_code == 302
    assert response["Location"] == reverse("help")
    page = client.get(reverse("help")).content.decode()
    assert '<html lang="nl">' in page
    assert profile.help_text_nl in page

    client.post(reverse("set_language"), {"language": "en", "next": reverse("help")})
    assert '<html lang="en">' in client.get(reverse("help")).content.decode()


def test_language_switch_refuses_foreign_redirects(client, db):
    response = client.post(
        reverse("set_language"), {"language": "nl", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- deadlines in Europe/Amsterdam ------------------------------------------------------


@pytest.mark.parametrize(
    ("utc", "shown"),
    [
        # Spring forward, 29 March 2026: 02:00 CET becomes 03:00 CEST (01:00 UTC).
        (datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), "29 March 2026, 01:59:59 CET"),
        (datetime.datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC), "29 March 2026, 03:00:00 CEST"),
        (datetime.datetime(2026, 3, 29, 1, 0, 1, tzinfo=UTC), "29 March 2026, 03:00:01 CEST"),
        # Fall back, 25 October 2026: 03:00 CEST becomes 02:00 CET (01:00 UTC).
        (datetime.datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC), "25 October 2026, 02:59:59 CEST"),
        (datetime.datetime(2026, 10, 25, 1, 0, 0, tzinfo=UTC), "25 October 2026, 02:00:00 CET"),
        (datetime.datetime(2026, 10, 25, 1, 0, 1, tzinfo=UTC), "25 October 2026, 02:00:01 CET"),
    ],
)
def test_local_deadline_names_the_zone_around_dst_changes(utc, shown, settings):
    settings.DISPLAY_TIME_ZONE = "Europe/Amsterdam"
    with translation.override("en"):
        assert local_deadline(utc, "j F Y, H:i:s") == shown


def test_local_deadline_converts_from_any_zone():
    # 02:30 in London after its own fall back is 02:30 UTC, so 03:30 in Amsterdam.
    instant = datetime.datetime(2026, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/London"))
    with translation.override("en"):
        assert local_deadline(instant) == "25 October 2026, 03:30 CET"


def test_local_deadline_in_a_template_in_dutch():
    template = Template("{% load compliance_tags %}{{ due|local_deadline }}")
    due = datetime.datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    with translation.override("nl"):
        assert template.render(Context({"due": due})) == "29 maart 2026, 03:00 CEST"


def test_local_deadline_of_nothing_is_empty():
    assert local_deadline(None) == ""
    assert local_deadline("") == ""


def test_role_label_names_the_role():
    from compliance.templatetags.compliance_tags import role_label

    with translation.override("en"):
        assert role_label("privacy_officer") == "Privacy officer"
    assert role_label("system") == "system"
