"""REST API for the core data: the same selectors, access checks and services as the pages.

Permission is checked before input is validated, so that a user who may not write learns
nothing from validation messages; objects are looked up through the user's scope, so an id of
another organisation answers 404.
"""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from compliance import contact_confirmation, selectors, services
from compliance.access import require
from compliance.api_fields import IdField, Serializer
from compliance.models import Contact, Customer
from compliance.serializers import (
    ContactSerializer,
    ContactUpdateSerializer,
    CustomerSerializer,
    ProcessorProfileSerializer,
)

SEARCH_PARAM = OpenApiParameter(
    "q", OpenApiTypes.STR, description="Part of the organisation name or customer number."
)


class ContactQuerySerializer(Serializer):
    """The contacts list's filter."""

    customer = IdField(required=False, help_text=_("Only the contacts of this customer."))


@extend_schema_view(
    list=extend_schema(summary="Customers you may see", parameters=[SEARCH_PARAM]),
    retrieve=extend_schema(summary="One customer"),
    create=extend_schema(summary="Register a customer (privacy officer)"),
    update=extend_schema(summary="Change a customer (privacy officer)"),
    partial_update=extend_schema(summary="Change some fields of a customer (privacy officer)"),
)
class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CustomerSerializer
    queryset = Customer.objects.none()  # the real one comes from the user's scope

    def get_queryset(self):
        qs = selectors.customers_for(self.request.user)
        term = self.request.query_params.get("q", "").strip()
        if term:
            qs = qs.filter(Q(name__icontains=term) | Q(customer_number__icontains=term))
        return qs

    def create(self, request, *args, **kwargs):
        require(request.user, "customer.change")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.customer_create(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        customer = self.get_object()
        require(request.user, "customer.change", customer)
        serializer = self.get_serializer(
            customer, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        customer = services.customer_update(
            actor=request.user, customer=customer, **serializer.validated_data
        )
        return Response(self.get_serializer(customer).data)

    @extend_schema(
        summary="Confirm the breach contacts are current (BR-05)",
        description="By an administrator of the organisation itself; the portal and this "
        "API stop asking until a year has passed or a message to a contact bounces.",
        request=None,
    )
    @action(detail=True, methods=["post"], url_path="confirm-contacts")
    def confirm_contacts(self, request, pk=None, **kwargs):
        customer = contact_confirmation.contacts_confirm(
            actor=request.user, customer=self.get_object()
        )
        return Response(self.get_serializer(customer).data)


@extend_schema_view(
    list=extend_schema(summary="Contacts you may see", parameters=[ContactQuerySerializer]),
    retrieve=extend_schema(summary="One contact"),
    create=extend_schema(summary="Add a contact (customer admin, privacy officer)"),
    update=extend_schema(summary="Change a contact (customer admin, privacy officer)"),
    partial_update=extend_schema(summary="Change some fields of a contact"),
    destroy=extend_schema(
        summary="Remove a contact",
        description="The subscription contact cannot be removed (400); make another contact "
        "the subscription contact first.",
    ),
)
class ContactViewSet(viewsets.ModelViewSet):
    """Contacts per customer (BR-05): who receives breach notices, and the subscription
    contact."""

    queryset = Contact.objects.none()  # the real one comes from the user's scope

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return ContactUpdateSerializer
        return ContactSerializer

    def get_queryset(self):
        qs = selectors.contacts_for(self.request.user)
        if self.action == "list":
            query = ContactQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            customer = query.validated_data.get("customer")
            if customer is not None:
                qs = qs.filter(customer_id=customer)
        return qs

    def create(self, request, *args, **kwargs):
        require(request.user, "contact.change")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        contact = services.contact_create(actor=request.user, customer=customer, **data)
        return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        contact = self.get_object()
        require(request.user, "contact.change", contact)
        serializer = self.get_serializer(
            contact, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        contact = services.contact_update(
            actor=request.user, contact=contact, **serializer.validated_data
        )
        return Response(self.get_serializer(contact).data)

    def destroy(self, request, *args, **kwargs):
        contact = self.get_object()
        services.contact_delete(actor=request.user, contact=contact)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="The processor's details (any signed-in user)"),
    put=extend_schema(summary="Replace the processor's details (privacy officer)"),
    patch=extend_schema(summary="Change some of the processor's details (privacy officer)"),
)
class ProcessorProfileView(generics.GenericAPIView):
    """The processor's own profile shown on the help page (ON-03)."""

    serializer_class = ProcessorProfileSerializer

    def get(self, request):
        return Response(self.get_serializer(services.processor_profile_get()).data)

    def put(self, request):
        return self._change(request, partial=False)

    def patch(self, request):
        return self._change(request, partial=True)

    def _change(self, request, *, partial: bool):
        require(request.user, "profile.change")
        serializer = self.get_serializer(
            services.processor_profile_get(), data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        profile = services.processor_profile_update(actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(profile).data)
