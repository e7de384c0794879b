"""URLs of the latency benchmarks' server: the product's, plus a trivial page for the
baseline that goes through the same middleware (sessions, locale, access, security headers)
and does nothing else. /healthz is not trivial: it checks the database and connects to the
broker on every request."""

from django.http import HttpResponse
from django.urls import include, path

from compliance import access

# The trivial page is public, like the register; the access middleware reads this set on
# every request.
access.PUBLIC_URL_NAMES = access.PUBLIC_URL_NAMES | {"bench_ping"}


def ping(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/ping", ping, name="bench_ping"),
    path("", include("config.urls")),
]
