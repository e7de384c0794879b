"""The API's routers: an object id in a path is the path converter `id` (digits only, at
most 18 of them, see `api_fields.ID_REGEX`), so `/api/notices/abc/letter/` or an id beyond
64 bits names no route (404) instead of reaching a query with a value the database cannot
take (ON-02). The view receives the id as an int; the OpenAPI schema shows an integer
(`PATH_CONVERTER_OVERRIDES`)."""

from django.urls import register_converter
from django.urls.converters import IntConverter
from rest_framework.routers import DefaultRouter, SimpleRouter

from compliance.api_fields import ID_REGEX

ID_CONVERTER = "id"


class IdConverter(IntConverter):
    regex = ID_REGEX


register_converter(IdConverter, ID_CONVERTER)


class IdLookupMixin:
    """Routes with Django path syntax, ids through the `id` converter unless a viewset names
    its own (`lookup_value_converter`)."""

    def __init__(self, **kwargs):
        super().__init__(use_regex_path=False, **kwargs)

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        converter = getattr(viewset, "lookup_value_converter", ID_CONVERTER)
        return f"<{converter}:{lookup_prefix}{kwarg}>"


class IdRouter(IdLookupMixin, SimpleRouter):
    pass


class IdDefaultRouter(IdLookupMixin, DefaultRouter):
    """With the API root, as the core app's router has always had. No `.json` suffix
    routes: with path syntax they would enter the schema as `/api/contacts{format}`; a
    client asks for a format with `Accept` or `?format=`."""

    include_format_suffixes = False
