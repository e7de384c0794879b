from django.urls import path

from breaches.views import evidence, portal, staff, staff_progress, staff_selection

urlpatterns = [
    # Staff (BR-01 … BR-11)
    path("incidents/", staff.incident_list, name="incident_list"),
    path("incidents/report/", staff.incident_report, name="incident_report"),
    path("incidents/mine/", staff.incident_mine, name="incident_mine"),
    path("incidents/<int:pk>/", staff.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/triage/", staff.incident_triage, name="incident_triage"),
    path("incidents/<int:pk>/dismiss/", staff.incident_dismiss, name="incident_dismiss"),
    path("incidents/<int:pk>/customers/", staff_selection.incident_select, name="incident_select"),
    path("incidents/<int:pk>/preview/", staff_selection.incident_preview, name="incident_preview"),
    path("incidents/<int:pk>/notify/", staff.incident_notify, name="incident_notify"),
    path(
        "incidents/<int:pk>/notify/approve/",
        staff.incident_notify_approve,
        name="incident_notify_approve",
    ),
    path(
        "incidents/<int:pk>/progress/", staff_progress.incident_progress, name="incident_progress"
    ),
    path(
        "incidents/<int:pk>/notices/<int:notice_pk>/",
        staff_progress.incident_notice_messages,
        name="incident_notice_messages",
    ),
    path(
        "incidents/<int:pk>/notices/<int:notice_pk>/out-of-band/",
        staff_progress.notice_out_of_band,
        name="incident_notice_out_of_band",
    ),
    path(
        "incidents/<int:pk>/notices/<int:notice_pk>/late-reason/",
        staff_progress.notice_late_reason,
        name="incident_notice_late_reason",
    ),
    path("incidents/<int:pk>/updates/", staff.incident_update, name="incident_update"),
    path("incidents/<int:pk>/resolve/", staff.incident_resolve, name="incident_resolve"),
    path(
        "incidents/<int:pk>/final-report/",
        staff.incident_final_report,
        name="incident_final_report",
    ),
    path("incidents/<int:pk>/discovery/", staff.incident_discovery, name="incident_discovery"),
    # Portal (customer users of that customer only)
    path("portal/notices/", portal.portal_notices, name="portal_notices"),
    path("portal/notices/<int:pk>/", portal.portal_notice_detail, name="portal_notice_detail"),
    path(
        "portal/notices/<int:pk>/acknowledge/",
        portal.portal_notice_acknowledge,
        name="portal_notice_acknowledge",
    ),
    path(
        "portal/notices/<int:pk>/intention/",
        portal.portal_notice_intention,
        name="portal_notice_intention",
    ),
    path(
        "portal/notices/<int:pk>/decision/",
        portal.portal_notice_decision,
        name="portal_notice_decision",
    ),
    path("portal/incidents/report/", portal.portal_incident_report, name="portal_incident_report"),
    # Evidence (breaches/views/evidence.py): authority form draft (BR-04)
    path(
        "portal/notices/<int:pk>/authority-draft/",
        evidence.authority_draft_page,
        name="authority_draft",
    ),
    path(
        "portal/notices/<int:pk>/authority-draft.json",
        evidence.authority_draft_json,
        name="authority_draft_json",
    ),
    path(
        "portal/notices/<int:pk>/authority-draft.pdf",
        evidence.authority_draft_pdf_download,
        name="authority_draft_pdf",
    ),
    # Evidence dossier (AU-03): privacy officer and auditors
    path("incidents/<int:pk>/dossier/", evidence.incident_dossier, name="incident_dossier"),
    path(
        "incidents/<int:pk>/dossier/<uuid:uuid>/",
        evidence.incident_dossier_download,
        name="incident_dossier_download",
    ),
    # Calendar feed of deadlines (BR-03/BR-04): the feed answers only to its private token
    path("calendar/", evidence.calendar_token_page, name="calendar_token"),
    path("calendar/<str:token>.ics", evidence.calendar_feed, name="calendar_feed"),
]
