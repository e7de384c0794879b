"""OBL AU-03: reproducible samples — drawn from a period's population with a seed, recorded
with the audit chain's head, re-derivable by anyone from the recipe, exported with each
member's evidence, and scoped for an auditor engaged by one customer."""

import csv
import datetime
import hashlib
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from audits.models import AuditEvent, AuditSample, ChainHead
from audits.sampling import sample_key, sample_select
from audits.services import audit_seal, event_record
from compliance.models import Role
from tests.auth import language_stored, sign_in
from tests.factories import CustomerFactory, UserFactory
from tests.test_audit_evidence import audit_world  # noqa: F401 (a fixture)
from web.audit.kpi import local_today

# The period is in Amsterdam days, as people give it (from 23:00 or 22:00 UTC it is
# already tomorrow there).
TODAY = local_today()
PERIOD = {
    "period_from": (TODAY - datetime.timedelta(days=60)).isoformat(),
    "period_to": TODAY.isoformat(),
}


def rederive(seed: str, ids, n: int) -> list[int]:
    """The published rule, written out again without the product's code."""
    keyed = sorted((hashlib.sha256(f"{seed}|{i}".encode()).hexdigest(), i) for i in set(ids))
    return [i for _key, i in keyed[:n]]


def test_selection_is_pure_and_matches_the_published_rule():
    """OBL AU-03: ids in, ids out: the same seed gives the same members in the same order,
    another seed others; each key is the hex SHA-256 of UTF-8 "seed|id"."""
    ids = list(range(1, 501))
    first = sample_select(ids, seed="ISO-2026", size=20)
    assert first == sample_select(list(reversed(ids)), seed="ISO-2026", size=20)
    assert first == rederive("ISO-2026", ids, 20)
    assert first != sample_select(ids, seed="ISO-2027", size=20)
    assert sample_key("é", 7) == hashlib.sha256("é|7".encode()).hexdigest()
    assert sample_select([3, 1], seed="x", size=10) == rederive("x", [1, 3], 10)


@pytest.fixture
def many_notices(audit_world):  # noqa: F811
    """Thirty more notices of Acme and thirty of the other customer, on extra incidents."""
    from breaches.models import CustomerNotice, Incident

    w = audit_world
    now = timezone.now()
    for number in range(30):
        incident = Incident.objects.create(
            title=f"Incident {number}",
            description="-",
            reported_by=w["officer"],
            discovered_at=now - datetime.timedelta(days=5),
            customer_due_at=now - datetime.timedelta(days=3),
        )
        for customer in (w["acme"], w["other"]):
            CustomerNotice.objects.create(incident=incident, customer=customer)
    return w


def _draw(client, **fields):
    data = {**PERIOD, "size": 5, "seed": "audit-2026", **fields}
    return client.post(reverse("audit_samples"), data)


def test_drawing_records_the_sample_with_chain_head_and_event(many_notices):
    """OBL AU-03: a drawn sample is stored with its recipe and the chain head of that
    moment, and the drawing is an audit event with the members; a test re-derives it from
    the recorded recipe alone."""
    from breaches.models import CustomerNotice

    w = many_notices
    with transaction.atomic():
        event_record(actor="system", action="customer.updated", after={"x": 1})
    audit_seal()
    head = ChainHead.objects.get(pk=1)
    client = sign_in(Client(), w["auditor"])
    response = _draw(client, kind="notice", size=7)
    sample = AuditSample.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("audit_sample_detail", args=[sample.pk])
    assert (sample.chain_seq, sample.chain_hash) == (head.seq, head.chain_hash)
    population = list(CustomerNotice.objects.values_list("pk", flat=True))
    assert sample.population_size == len(population) == 62
    assert sample.member_ids == rederive(sample.seed, population, sample.size)
    event = AuditEvent.objects.get(action="audit.sample_drawn")
    assert event.actor_id == w["auditor"].pk
    assert event.object_id == str(sample.pk)
    assert event.after["member_ids"] == sample.member_ids
    assert event.after["chain_seq"] == head.seq and event.after["seed"] == "audit-2026"
    assert event.after["population_size"] == 62

    # The same recipe drawn again gives the same members.
    _draw(client, kind="notice", size=7)
    again = AuditSample.objects.exclude(pk=sample.pk).get()
    assert again.member_ids == sample.member_ids


def test_export_carries_the_recipe_and_each_members_evidence(many_notices):
    """OBL AU-03: the sample's CSV and JSON read back: recipe (seed, formula, population
    size, chain head) and per member its key and evidence; re-derived from the export."""
    w = many_notices
    client = sign_in(Client(), w["officer"])
    _draw(client, kind="notice", size=100)
    sample = AuditSample.objects.get()
    document = json.loads(client.get(reverse("audit_sample_json", args=[sample.pk])).content)
    recipe = document["recipe"]
    assert recipe["seed"] == "audit-2026" and recipe["population_size"] == 62
    assert recipe["chain_hash"] == sample.chain_hash
    ids = [m["id"] for m in document["members"]]
    assert ids == sample.member_ids
    for member in document["members"]:
        assert (
            member["sample_key"]
            == hashlib.sha256(f"audit-2026|{member['id']}".encode()).hexdigest()
        )
    late = next(m for m in document["members"] if m["id"] == w["late"].pk)
    assert late["evidence"]["late"] is True
    assert late["evidence"]["late_reason"] == "The mail server was down."
    response = client.get(reverse("audit_sample_csv", args=[sample.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [int(r["id"]) for r in rows] == sample.member_ids
    assert {r["recipe_seed"] for r in rows} == {"audit-2026"}
    assert {r["recipe_chain_hash"] for r in rows} == {sample.chain_hash}
    assert all(r["informed_at"] is not None for r in rows)
    exported = AuditEvent.objects.filter(action="audit.sample_exported")
    assert exported.count() == 2
    sha = hashlib.sha256(response.content).hexdigest()
    assert exported.order_by("pk").last().after["sha256"] == sha


def test_incident_and_change_notice_samples_show_their_key_dates(audit_world):  # noqa: F811
    """OBL AU-03: incident members carry discovered, customer due and notified; change
    notices announced, effective and objections."""
    w = audit_world
    client = sign_in(Client(), w["auditor"])
    _draw(client, kind="incident", size=3)
    _draw(client, kind="change_notice", size=3)
    incident_sample = AuditSample.objects.get(kind="incident")
    change_sample = AuditSample.objects.get(kind="change_notice")
    assert incident_sample.member_ids == [w["incident"].pk]
    assert change_sample.member_ids == [w["change"].pk]
    page = client.get(reverse("audit_sample_detail", args=[incident_sample.pk])).content.decode()
    assert reverse("incident_detail", args=[w["incident"].pk]) in page
    document = json.loads(client.get(reverse("audit_sample_json", args=[change_sample.pk])).content)
    evidence = document["members"][0]["evidence"]
    assert evidence["objections"] == 2 and evidence["open_objections"] == 2
    assert evidence["announced_at"] and evidence["effective_at"]
    incident = json.loads(
        client.get(reverse("audit_sample_json", args=[incident_sample.pk])).content
    )["members"][0]["evidence"]
    assert {"discovered_at", "customer_due_at", "notified_at"} <= set(incident)


def test_engaged_auditor_draws_from_its_own_population_and_opens_only_its_samples(
    many_notices,
):
    """OBL AU-03: an auditor engaged by one customer samples that customer's notices only,
    its samples show its own records, and another's sample is a 404 (page and exports)."""
    from breaches.models import CustomerNotice

    w = many_notices
    engaged = sign_in(Client(), w["engaged"])
    _draw(engaged, kind="notice", size=50)
    own = AuditSample.objects.get()
    acme_ids = list(CustomerNotice.objects.filter(customer=w["acme"]).values_list("pk", flat=True))
    assert own.customer_id == w["acme"].pk
    assert own.population_size == len(acme_ids) == 31
    assert own.member_ids == rederive("audit-2026", acme_ids, 50)
    _draw(engaged, kind="change_notice", size=5)
    change = AuditSample.objects.get(kind="change_notice")
    exported = engaged.get(reverse("audit_sample_json", args=[change.pk])).content.decode()
    assert json.loads(exported)["members"][0]["evidence"]["objections"] == 1
    assert (
        "Anderzijds" not in engaged.get(reverse("audit_sample_csv", args=[own.pk])).content.decode()
    )

    _draw(sign_in(Client(), w["officer"]), kind="notice", size=5)
    officers = AuditSample.objects.get(customer_id__isnull=True, kind="notice")
    for name in ("audit_sample_detail", "audit_sample_csv", "audit_sample_json"):
        assert engaged.get(reverse(name, args=[officers.pk])).status_code == 404
    listing = engaged.get(reverse("audit_samples")).content.decode()
    assert reverse("audit_sample_detail", args=[own.pk]) in listing
    assert reverse("audit_sample_detail", args=[officers.pk]) not in listing

    other_customer = CustomerFactory(name="Third B.V.")
    third = sign_in(Client(), UserFactory(role=Role.AUDITOR, customer=other_customer))
    assert third.get(reverse("audit_sample_detail", args=[own.pk])).status_code == 404


def test_invalid_draw_is_refused_and_customer_users_cannot_draw(audit_world):  # noqa: F811
    """OBL AU-03: a sample needs a seed and a size from 1 to 1000; customer users have no
    Audit section."""
    w = audit_world
    client = sign_in(Client(), w["auditor"])
    assert _draw(client, kind="notice", size=0).status_code == 400
    assert _draw(client, kind="notice", seed="").status_code == 400
    assert _draw(client, kind="other").status_code == 400
    assert not AuditSample.objects.exists()
    admin = UserFactory(role=Role.CUSTOMER_ADMIN, customer=w["acme"])
    assert _draw(sign_in(Client(), admin), kind="notice").status_code == 403


def test_pages_render_in_english_and_dutch(audit_world):  # noqa: F811
    """OBL AU-03: the samples page and a sample's page in both languages, with the rule
    to re-derive it stated on the page."""

    w = audit_world
    client = sign_in(Client(), w["auditor"])
    _draw(client, kind="notice", size=2)
    sample = AuditSample.objects.get()
    for language in ("en", "nl"):
        language_stored(w["auditor"], language)
        listing = client.get(reverse("audit_samples"))
        detail = client.get(reverse("audit_sample_detail", args=[sample.pk]))
        assert listing.status_code == detail.status_code == 200
        assert f'<html lang="{language}">' in detail.content.decode()
        assert "audit-2026|42" in detail.content.decode()


@pytest.mark.parametrize("role", ["auditor", "engaged"])
def test_no_link_on_a_sample_leads_to_a_refusal(audit_world, role):  # noqa: F811
    """OBL AU-03, ON-02: the members' links open for the reader who drew the sample."""
    import re
    from html import unescape

    client = sign_in(Client(), audit_world[role])
    links = set()
    for kind in ("incident", "notice", "change_notice"):
        response = _draw(client, kind=kind, size=10)
        body = client.get(response["Location"]).content.decode()
        links |= {unescape(link) for link in re.findall(r'href="(/[^"]*)"', body)}
    refused = [
        link
        for link in sorted(links)
        if not link.startswith("/static/") and client.get(link, follow=True).status_code != 200
    ]
    assert refused == []


# --- in a real browser ----------------------------------------------------------------------

SHOTS = Path("/tmp/shots13")


@pytest.fixture
def site(live_server, settings):
    base = f"http://localhost:{urlsplit(live_server.url).port}"
    settings.SITE_URL = base
    if "localhost" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    return base


def _browser_page(browser, base, user, language):
    from django.conf import settings

    client = sign_in(Client(), language_stored(user, language))
    context = browser.new_context(
        base_url=base, locale=language, viewport={"width": 1280, "height": 1000}
    )
    context.set_default_timeout(10_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base},
        ]
    )
    return context.new_page()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_auditor_draws_a_sample_and_reads_the_evidence_in_a_browser(many_notices, site, browser):
    """OBL AU-03: in Chromium, the auditor opens evidence by control and draws a sample with
    the form, in English and Dutch; the second draw with the same seed gives the same
    members. Screenshots in /tmp/shots13/."""
    SHOTS.mkdir(exist_ok=True)
    w = many_notices
    for language in ("en", "nl"):
        page = _browser_page(browser, site, w["auditor"], language)
        page.goto(reverse("audit_evidence"))
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.screenshot(path=str(SHOTS / f"evidence-{language}.png"), full_page=True)
        page.goto(reverse("audit_evidence") + "?by=duty")
        page.screenshot(path=str(SHOTS / f"evidence-by-duty-{language}.png"), full_page=True)
        page.goto(reverse("audit_samples"))
        page.locator("#id_kind").select_option("notice")
        page.locator("#id_size").fill("8")
        page.locator("#id_seed").fill("ISO-2026")
        page.screenshot(path=str(SHOTS / f"samples-form-{language}.png"), full_page=True)
        page.locator("form.form button[type=submit]").click()
        expect(page.locator("table tbody tr")).to_have_count(8)
        page.screenshot(path=str(SHOTS / f"sample-detail-{language}.png"), full_page=True)
        page.goto(reverse("audit_samples"))
        page.screenshot(path=str(SHOTS / f"samples-list-{language}.png"), full_page=True)
        page.context.close()
    first, second = AuditSample.objects.order_by("pk")
    assert first.member_ids == second.member_ids
