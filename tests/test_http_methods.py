"""OBL ON-02: every page of the product answers only the HTTP methods it really handles.

The walker of `tests/test_route_security.py` visits every URL pattern; each page view of the
product's own apps (compliance, breaches, subprocessors; the API answers through DRF, the
admin and allauth through their own views) is asked with PUT, PATCH and DELETE, and pages
that only show something with POST, by a fully signed-in privacy officer: each answers 405,
never the page. HEAD goes with GET. The pages that take a form (GET and POST) and the
actions that take only POST are explicit lists here, so a new form is a conscious change.
"""

import pytest
from django.test import Client
from django.urls import resolve

from compliance.models import Role
from tests.auth import sign_in
from tests.factories import UserFactory
from tests.test_route_security import walk_urlpatterns

OWN_APPS = (
    "web.",
    "compliance.",
    "breaches.",
    "subprocessors.",
    "access.",
    "processing.",
    "config.",
)

# Pages that show a form (GET, HEAD) and take it back (POST).
FORM_PAGES = frozenset(
    {
        "people",
        "invitation_revoke",
        "processing:instruction_create",
        "processing:instruction_warn",
        "processing:instruction_answer",
        "processing:instruction_carry_out",
        "processing:instruction_decline",
        "processing:portal_instruction_give",
        "processing:portal_instruction_answer",
        "processing:binding_take_on",
        "processing:binding_task_add",
        "processing:binding_task_done",
        "processing:binding_complete",
        "processing:portal_binding_report",
        "portal_contact_create",
        "contact_create",
        "contact_update",
        "contact_delete",
        "api_token_create",
        "api_token_revoke",
        "incident_report",
        "incident_triage",
        "incident_dismiss",
        "incident_select",
        "incident_notify",
        "incident_notice_out_of_band",
        "incident_notice_late_reason",
        "incident_update",
        "incident_final_report",
        "incident_discovery",
        "portal_notice_intention",
        "portal_notice_decision",
        "portal_incident_report",
        "incident_dossier",
        "calendar_token",
        "subprocessors:subscribe",
        "subprocessors:subscription_confirm",
        "subprocessors:unsubscribe",
        "subprocessors:change_notice_create",
        "subprocessors:change_notice_edit",
        "subprocessors:change_notice_announce",
        "subprocessors:change_notice_effective",
        "subprocessors:change_notice_withdraw",
        "subprocessors:recipient_out_of_band",
        "subprocessors:objection_create",
        "subprocessors:objection_decision",
        "subprocessors:termination_confirm",
        "audit_samples",
        "audit_chain",
        "audit_retention",
        "access:confidentiality_publish",
        "access:confidentiality_acknowledge",
        "access:standing_create",
        "access:temporary_create",
        "access:temporary_approve",
        "access:temporary_refuse",
        "access:temporary_revoke",
        "access:temporary_confirm_removal",
        "access:consent_create",
        "access:use_create",
        "access:portal_consent_decide",
        "access:support_copy_create",
        "access:support_copy_ticket_status",
        "access:support_copy_access_record",
        "access:support_copy_deletion",
        "access:review_item_decide",
        "access:portal_review_item_decide",
        "processing:subject_request_create",
        "processing:subject_request_forward",
        "processing:subject_request_reply",
        "processing:subject_request_close",
        "processing:subject_request_task_add",
        "processing:subject_request_task_done",
        "processing:audit_create",
        "processing:audit_schedule",
        "processing:audit_start",
        "processing:audit_report",
        "processing:audit_cancel",
        "processing:portal_audit_request",
        "processing:record_details",
        "processing:record_settings",
        "processing:contract_end_create",
        "processing:deletion_confirm",
        "processing:portal_early_deletion",
    }
)
# Buttons: POST only, nothing to show.
ACTIONS = frozenset(
    {
        "set_language",
        "outbox_alert_resolve",
        "portal_contacts_confirm",
        "factors_reset",
        "incident_notify_approve",
        "incident_resolve",
        "portal_notice_acknowledge",
        "subprocessors:objection_review",
        "audit_export_request",
        "access:standing_end",
        "access:standing_removal",
        "access:consent_removal_confirm",
        "access:portal_consent_withdraw",
        "access:review_open",
        "access:review_confirm_mine",
        "processing:record_refresh",
    }
)
NEVER = ("put", "patch", "delete")


def own_page_routes():
    routes, _ = walk_urlpatterns()
    own = []
    for route in routes:
        if route.is_api:
            continue
        module = resolve(route.path).func.__module__
        # The admin's views (our ModelAdmin hooks included) are Django's own pages.
        is_admin = module.endswith(".admin") or ".admin." in module
        if module.startswith(OWN_APPS) and not is_admin:
            own.append(route)
    return own


def _ask(client, method, path):
    if method in ("get", "head"):
        return getattr(client, method)(path)
    return getattr(client, method)(path, data="{}", content_type="application/json")


def test_lists_name_existing_pages():
    """OBL ON-02: the lists of form pages and actions name pages that exist."""
    names = {route.view_name for route in own_page_routes()}
    assert FORM_PAGES <= names
    assert ACTIONS <= names
    assert "dashboard" in names and "incident_detail" in names and "customer_list" in names


@pytest.mark.django_db
def test_every_page_refuses_methods_it_does_not_handle():
    """OBL ON-02: PUT, PATCH and DELETE on every page, POST on every page that only shows
    something, and GET/HEAD on every POST-only action answer 405 with an Allow header for a
    fully signed-in privacy officer; HEAD is answered wherever GET is."""
    officer = UserFactory(role=Role.PRIVACY_OFFICER)
    client = sign_in(Client(), officer)
    problems = []
    for route in own_page_routes():
        if route.view_name in ACTIONS:
            refused, allowed = (*NEVER, "get", "head"), ("post",)
        elif route.view_name in FORM_PAGES:
            refused, allowed = NEVER, ("head",)
        else:
            refused, allowed = (*NEVER, "post"), ("head",)
        for method in refused:
            response = _ask(client, method, route.path)
            if response.status_code != 405:
                problems.append(f"{method.upper()} {route}: {response.status_code}, not 405")
            elif not response.get("Allow"):
                problems.append(f"{method.upper()} {route}: 405 without Allow")
        for method in allowed:
            if method == "post":
                continue  # an action's POST does something; its own tests cover it
            response = _ask(client, method, route.path)
            if response.status_code == 405:
                problems.append(f"{method.upper()} {route}: 405, but GET is a page")
    assert not problems, f"{len(problems)} methods answered wrongly:\n" + "\n".join(problems)
