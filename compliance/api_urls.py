from django.urls import path
from rest_framework.routers import DefaultRouter

from compliance import api

router = DefaultRouter()
router.register("customers", api.CustomerViewSet, basename="api-customer")
router.register("contacts", api.ContactViewSet, basename="api-contact")

urlpatterns = [
    path("processor-profile/", api.ProcessorProfileView.as_view(), name="api-processor-profile"),
    *router.urls,
]
