from django.urls import path
from rest_framework.routers import DefaultRouter

from compliance import api, token_api

router = DefaultRouter()
router.register("customers", api.CustomerViewSet, basename="api-customer")
router.register("contacts", api.ContactViewSet, basename="api-contact")
router.register("tokens", token_api.ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("processor-profile/", api.ProcessorProfileView.as_view(), name="api-processor-profile"),
    *router.urls,
]
