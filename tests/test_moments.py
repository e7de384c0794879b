"""One way to write a moment for people (issue 17): "4 December 2026, 16:49 CET", in Amsterdam
time with the zone named, in the reader's language, on pages, in mails and in the admin."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from compliance.models import OutboxMessage
from compliance.moments import day_text, moment_text, moment_text_lazy
from tests.auth import sign_in

UTC = datetime.UTC
WINTER = datetime.datetime(2026, 12, 4, 15, 49, 7, 123456, tzinfo=UTC)  # 16:49:07 CET
SUMMER = datetime.datetime(2026, 7, 1, 8, 5, 0, tzinfo=UTC)  # 10:05 CEST


@pytest.mark.parametrize(
    ("moment", "language", "seconds", "expected"),
    [
        (WINTER, "en", False, "4 December 2026, 16:49 CET"),
        (WINTER, "nl", False, "4 december 2026, 16:49 CET"),
        (WINTER, "en", True, "4 December 2026, 16:49:07 CET"),
        (WINTER, "nl", True, "4 december 2026, 16:49:07 CET"),
        (SUMMER, "en", False, "1 July 2026, 10:05 CEST"),
        (SUMMER, "nl", False, "1 juli 2026, 10:05 CEST"),
    ],
)
def test_moment_text_in_amsterdam_time_with_the_zone_named(moment, language, seconds, expected):
    """A moment in winter is CET, in summer CEST; seconds only when asked (evidence), never
    microseconds; the month in the reader's language."""
    assert moment_text(moment, seconds=seconds, language=language) == expected
    with translation.override(language):
        assert moment_text(moment, seconds=seconds) == expected


def test_moment_text_of_nothing_and_of_a_day():
    assert moment_text(None) == ""
    assert day_text(datetime.date(2026, 12, 4), language="nl") == "4 december 2026"
    # A UTC moment late in the evening is the next day in Amsterdam.
    late = datetime.datetime(2026, 12, 4, 23, 30, tzinfo=UTC)
    assert day_text(late, language="en") == "5 December 2026"


def test_a_lazy_moment_is_written_in_the_language_it_is_rendered_in():
    """Mail contexts are built once and rendered per recipient language."""
    lazy = moment_text_lazy(WINTER)
    template = Template(
        "{% load i18n %}{% blocktranslate with at=at %}At {{ at }}{% endblocktranslate %}"
    )
    with translation.override("nl"):
        assert "4 december 2026, 16:49 CET" in template.render(Context({"at": lazy}))
    with translation.override("en"):
        assert "4 December 2026, 16:49 CET" in template.render(Context({"at": lazy}))


def test_the_template_filters_write_the_same_moment():
    template = Template(
        "{% load compliance_tags %}{{ at|local_deadline }}|{{ at|local_moment_seconds }}|"
        "{{ at|local_day }}"
    )
    with translation.override("nl"):
        shown = template.render(Context({"at": WINTER}))
    assert shown == "4 december 2026, 16:49 CET|4 december 2026, 16:49:07 CET|4 december 2026"


@pytest.fixture
def outbox_message(customer):
    message = OutboxMessage.objects.create(
        key="moments:1",
        message_id="<moments-1@processor.example>",
        customer=customer,
        to_email="someone@customer.example",
        language="en",
        subject="Hello",
        body_text="Hello",
    )
    OutboxMessage.objects.filter(pk=message.pk).update(created_at=WINTER, accepted_at=SUMMER)
    return message


@pytest.mark.parametrize(
    ("language", "created", "accepted"),
    [
        ("en", "4 December 2026, 16:49 CET", "1 July 2026, 10:05 CEST"),
        ("nl", "4 december 2026, 16:49 CET", "1 juli 2026, 10:05 CEST"),
    ],
)
def test_the_admin_shows_moments_in_amsterdam_time_in_the_one_format(
    client, privacy_officer, outbox_message, language, created, accepted
):
    """The admin showed UTC in US format ("Dec. 4, 2026, 3:49 p.m."); its changelist and
    change page now write the moment as every page does."""
    privacy_officer.language = language
    privacy_officer.save()
    sign_in(client, privacy_officer)
    listing = client.get(reverse("admin:compliance_outboxmessage_changelist"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert created in page
    assert accepted in page
    assert "p.m." not in page and "a.m." not in page
    change = client.get(
        reverse("admin:compliance_outboxmessage_change", args=[outbox_message.pk])
    ).content.decode()
    assert created in change
    assert "15:49" not in change  # not UTC


def test_admin_zone_does_not_leak_into_the_next_request(client, privacy_officer, outbox_message):
    from django.utils import timezone

    sign_in(client, privacy_officer)
    client.get(reverse("admin:compliance_outboxmessage_changelist"))
    assert timezone.get_current_timezone_name() == "UTC"
