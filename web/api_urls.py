"""The /api/ router: the core's and the breach workflow's operations under one router (the
subprocessor register has its own, `subprocessors.api_urls`)."""

from django.urls import path

from breaches import api as breaches_api
from breaches import dossier_api
from compliance import api, token_api
from compliance.api_routers import ID_CONVERTER, IdDefaultRouter

router = IdDefaultRouter()
router.register("customers", api.CustomerViewSet, basename="api-customer")
router.register("contacts", api.ContactViewSet, basename="api-contact")
router.register("tokens", token_api.ApiTokenViewSet, basename="api-token")
router.register("incidents", breaches_api.IncidentViewSet, basename="api-incident")
router.register("notices", breaches_api.NoticeViewSet, basename="api-notice")
router.register(
    f"incidents/<{ID_CONVERTER}:incident_pk>/dossiers",
    dossier_api.IncidentDossierViewSet,
    basename="api-incident-dossier",
)

urlpatterns = [
    path("processor-profile/", api.ProcessorProfileView.as_view(), name="api-processor-profile"),
    path("deadlines/", breaches_api.DeadlineListView.as_view(), name="api-deadlines"),
    *router.urls,
]
