from django.urls import path

from breaches import evidence_views, views

urlpatterns = [
    # Staff (BR-01 … BR-11)
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/report/", views.incident_report, name="incident_report"),
    path("incidents/mine/", views.incident_mine, name="incident_mine"),
    path("incidents/<int:pk>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:pk>/triage/", views.incident_triage, name="incident_triage"),
    path("incidents/<int:pk>/dismiss/", views.incident_dismiss, name="incident_dismiss"),
    path("incidents/<int:pk>/customers/", views.incident_select, name="incident_select"),
    path("incidents/<int:pk>/preview/", views.incident_preview, name="incident_preview"),
    path("incidents/<int:pk>/notify/", views.incident_notify, name="incident_notify"),
    path(
        "incidents/<int:pk>/notify/approve/",
        views.incident_notify_approve,
        name="incident_notify_approve",
    ),
    path("incidents/<int:pk>/progress/", views.incident_progress, name="incident_progress"),
    path(
        "incidents/<int:pk>/notices/<int:notice_pk>/",
        views.incident_notice_messages,
        name="incident_notice_messages",
    ),
    path(
        "incidents/<int:pk>/notices/<int:notice_pk>/out-of-band/",
        views.notice_out_of_band,
        name="incident_notice_out_of_band",
    ),
    path(
        "incidents/<int:pk>/notices/<int:notice_pk>/late-reason/",
        views.notice_late_reason,
        name="incident_notice_late_reason",
    ),
    path("incidents/<int:pk>/updates/", views.incident_update, name="incident_update"),
    path("incidents/<int:pk>/resolve/", views.incident_resolve, name="incident_resolve"),
    path(
        "incidents/<int:pk>/final-report/",
        views.incident_final_report,
        name="incident_final_report",
    ),
    path("incidents/<int:pk>/discovery/", views.incident_discovery, name="incident_discovery"),
    # Portal (customer users of that customer only)
    path("portal/notices/", views.portal_notices, name="portal_notices"),
    path("portal/notices/<int:pk>/", views.portal_notice_detail, name="portal_notice_detail"),
    path(
        "portal/notices/<int:pk>/acknowledge/",
        views.portal_notice_acknowledge,
        name="portal_notice_acknowledge",
    ),
    path(
        "portal/notices/<int:pk>/intention/",
        views.portal_notice_intention,
        name="portal_notice_intention",
    ),
    path(
        "portal/notices/<int:pk>/decision/",
        views.portal_notice_decision,
        name="portal_notice_decision",
    ),
    path("portal/incidents/report/", views.portal_incident_report, name="portal_incident_report"),
    # Evidence (breaches/evidence_views.py): authority form draft (BR-04)
    path(
        "portal/notices/<int:pk>/authority-draft/",
        evidence_views.authority_draft_page,
        name="authority_draft",
    ),
    path(
        "portal/notices/<int:pk>/authority-draft.json",
        evidence_views.authority_draft_json,
        name="authority_draft_json",
    ),
    path(
        "portal/notices/<int:pk>/authority-draft.pdf",
        evidence_views.authority_draft_pdf_download,
        name="authority_draft_pdf",
    ),
    # Evidence dossier (AU-03): privacy officer and auditors
    path("incidents/<int:pk>/dossier/", evidence_views.incident_dossier, name="incident_dossier"),
    path(
        "incidents/<int:pk>/dossier/<uuid:uuid>/",
        evidence_views.incident_dossier_download,
        name="incident_dossier_download",
    ),
    # Calendar feed of deadlines (BR-03/BR-04): the feed answers only to its private token
    path("calendar/", evidence_views.calendar_token_page, name="calendar_token"),
    path("calendar/<str:token>.ics", evidence_views.calendar_feed, name="calendar_feed"),
]
