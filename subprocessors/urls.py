from django.urls import path

from subprocessors.views import change_notices, objections, public

app_name = "subprocessors"

urlpatterns = [
    # Public (SP-01): listed in compliance.access.PUBLIC_URL_NAMES.
    path("subprocessors/", public.register, name="register"),
    path("subprocessors/feed/", public.feed, name="feed"),
    path("subprocessors/subscribe/", public.subscribe, name="subscribe"),
    path("subprocessors/subscribe/sent/", public.subscribe_sent, name="subscribe_sent"),
    path(
        "subprocessors/subscribe/confirm/<str:token>/",
        public.subscription_confirm,
        name="subscription_confirm",
    ),
    path("subprocessors/unsubscribe/<str:token>/", public.unsubscribe, name="unsubscribe"),
    # Privacy officer (SP-03).
    path(
        "subprocessors/change-notices/",
        change_notices.change_notice_list,
        name="change_notice_list",
    ),
    path(
        "subprocessors/change-notices/new/",
        change_notices.change_notice_create,
        name="change_notice_create",
    ),
    path(
        "subprocessors/change-notices/<int:pk>/",
        change_notices.change_notice_detail,
        name="change_notice_detail",
    ),
    path(
        "subprocessors/change-notices/<int:pk>/edit/",
        change_notices.change_notice_edit,
        name="change_notice_edit",
    ),
    path(
        "subprocessors/change-notices/<int:pk>/announce/",
        change_notices.change_notice_announce_view,
        name="change_notice_announce",
    ),
    path(
        "subprocessors/change-notices/<int:pk>/effective/",
        change_notices.change_notice_effective,
        name="change_notice_effective",
    ),
    path(
        "subprocessors/change-notices/<int:pk>/withdraw/",
        change_notices.change_notice_withdraw_view,
        name="change_notice_withdraw",
    ),
    path(
        "subprocessors/recipients/<int:pk>/out-of-band/",
        change_notices.recipient_out_of_band,
        name="recipient_out_of_band",
    ),
    # Objections (SP-04, SP-05) and termination (SP-06): portal and staff.
    path("subprocessors/objections/", objections.objection_list, name="objection_list"),
    path("subprocessors/objections/new/", objections.objection_create, name="objection_create"),
    path(
        "subprocessors/objections/<int:pk>/",
        objections.objection_detail,
        name="objection_detail",
    ),
    path(
        "subprocessors/objections/<int:pk>/review/",
        objections.objection_review,
        name="objection_review",
    ),
    path(
        "subprocessors/objections/<int:pk>/decide/",
        objections.objection_decision,
        name="objection_decision",
    ),
    path(
        "subprocessors/terminations/<int:pk>/",
        objections.termination_confirm,
        name="termination_confirm",
    ),
]
