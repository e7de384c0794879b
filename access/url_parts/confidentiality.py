"""Pages of confidentiality (AC-01) and the access hub."""

from django.urls import path

from access.views import confidentiality, hub

urlpatterns = [
    path("access/", hub.hub, name="hub"),
    path("access/confidentiality/", confidentiality.register, name="confidentiality"),
    path(
        "access/confidentiality/publish/",
        confidentiality.publish,
        name="confidentiality_publish",
    ),
    path(
        "access/confidentiality/acknowledge/",
        confidentiality.acknowledge,
        name="confidentiality_acknowledge",
    ),
]
