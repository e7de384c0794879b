from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from compliance import views as compliance_views

urlpatterns = [
    path("", compliance_views.home, name="home"),
    path("healthz", compliance_views.healthz, name="healthz"),
    path("help/", compliance_views.help_page, name="help"),
    path("i18n/setlang/", compliance_views.set_language, name="set_language"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("compliance.urls")),
    path("api/", include("compliance.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]
