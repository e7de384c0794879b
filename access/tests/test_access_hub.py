"""The access hub (issue 15, AC-01 … AC-05): one page with the registers a role may open and
what needs attention; the menu links it for staff only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from access.models import ConfidentialityText
from access.services import standing as services
from compliance.models import Role
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _text(db):
    if not ConfidentialityText.objects.exists():
        ConfidentialityText.objects.create(version=1, text_en="x" * 50, text_nl="y" * 50)


def test_hub_lists_registers_with_counts_for_the_privacy_officer(client):
    """OBL AC-01 AC-02: the hub shows the confidentiality register (who has not acknowledged)
    and standing access (ended, removal not confirmed) with their counts."""
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    ict = UserFactory(role=Role.ICT_MANAGER)
    UserFactory(role=Role.STAFF_MEMBER, acknowledged=False)
    grant = services.grant_create(actor=ict, holder=ict, purposes=["backups"])
    services.grant_end(actor=ict, grant=grant, reason="Moved to another team")
    sign_in(client, officer)
    response = client.get(reverse("access:hub"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("access:confidentiality")}"' in html
    assert f'href="{reverse("access:standing")}"' in html
    entries = {e.title: e for e in response.context["entries"]}
    assert entries["Confidentiality"].attention == 1
    assert entries["Standing access"].attention == 1
    nav = html.split('class="main-nav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("access:hub")}"' in nav


def test_hub_shows_a_staff_member_no_register_it_may_not_open(client):
    """OBL AC-01 AC-02: a staff member sees neither register on the hub."""
    sign_in(client, UserFactory(role=Role.STAFF_MEMBER))
    html = client.get(reverse("access:hub")).content.decode()
    assert f'href="{reverse("access:confidentiality")}"' not in html
    assert f'href="{reverse("access:standing")}"' not in html


def test_customer_users_have_no_hub(client):
    """OBL AC-01: the hub and its menu link are for the processor's staff only."""
    user = UserFactory(role=Role.CUSTOMER_ADMIN, customer=CustomerFactory())
    sign_in(client, user)
    assert client.get(reverse("access:hub")).status_code == 403
    html = client.get(reverse("portal")).content.decode()
    assert f'href="{reverse("access:hub")}"' not in html
