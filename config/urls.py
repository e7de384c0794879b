from allauth.account import views as allauth_views
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from compliance import auth_views
from compliance import views as compliance_views
from web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", compliance_views.healthz, name="healthz"),
    path("help/", web_views.help_page, name="help"),
    path("i18n/setlang/", compliance_views.set_language, name="set_language"),
    # Sign-in (ON-01, ON-02): allauth with its MFA part. "login"/"logout" stay as names.
    path("accounts/login/", allauth_views.login, name="login"),
    path("accounts/logout/", allauth_views.logout, name="logout"),
    path("accounts/invitation/<str:token>/", auth_views.invitation_open, name="invitation_open"),
    path("accounts/sign-ins/", auth_views.sign_ins, name="account_sign_ins"),
    path("accounts/people/", auth_views.people, name="people"),
    path(
        "accounts/people/invitations/<int:pk>/withdraw/",
        auth_views.invitation_revoke_view,
        name="invitation_revoke",
    ),
    path(
        "accounts/people/<int:pk>/reset-factors/",
        auth_views.factors_reset_view,
        name="factors_reset",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/login/", auth_views.admin_login),
    path("", include("web.urls")),
    path("", include("web.audit.urls")),
    path("", include("compliance.urls")),
    path("", include("subprocessors.urls")),
    path("", include("breaches.urls")),
    path("", include("access.urls")),
    path("", include("processing.urls")),
    path("api/", include("web.api_urls")),
    path("api/", include("subprocessors.api_urls")),
    path("api/", include("access.api_urls")),
    path("api/", include("processing.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's set-up script as a file, which the CSP allows.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]

# An unknown address under /api/ (a malformed id included) answers JSON with a message.
handler404 = "compliance.api_errors.page_not_found"
