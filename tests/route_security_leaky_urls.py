"""A URLconf with deliberately unprotected views, for the route walker's self-check
(tests/test_route_security.py): the walker must flag each of them."""

from django.http import HttpResponse
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from compliance.models import Customer


def plain_view_under_api(request):
    # The access middleware leaves /api/ to DRF; a plain Django view there has no guard.
    return HttpResponse("customer list")


class OpenApiView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"customers": list(Customer.objects.values_list("name", flat=True))})


def unscoped_customer(request, pk):
    # Signed in, but the id from the URL bypasses the user's scope.
    return HttpResponse(Customer.objects.get(pk=pk).name)


urlpatterns = [
    path("api/leaky-export.csv", plain_view_under_api, name="leaky_export"),
    path("api/leaky/", OpenApiView.as_view(), name="leaky_api"),
    path("leaky/customers/<int:pk>/", unscoped_customer, name="leaky_customer"),
    path("", include("config.urls")),
]
