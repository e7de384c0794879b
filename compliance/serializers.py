"""API shapes of the core data. Serializers only validate input; the services write."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from compliance.access import customer_scope
from compliance.api_fields import ModelSerializer
from compliance.contact_confirmation import confirmation_due
from compliance.models import Contact, Customer, ProcessorProfile
from compliance.selectors import customers_for


class CustomerSerializer(ModelSerializer):
    contacts_confirmation_due = serializers.SerializerMethodField(
        help_text=_(
            "Whether the organisation is asked to confirm its breach contacts: once a year, "
            "and after a message to one of them bounced (BR-05)."
        )
    )

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "customer_number",
            "country",
            "language",
            "created_at",
            "contacts_confirmed_at",
            "contacts_confirmation_due",
        ]
        read_only_fields = ["id", "created_at", "contacts_confirmed_at"]

    def get_contacts_confirmation_due(self, customer) -> bool:
        return confirmation_due(customer)


class ScopedCustomerField(serializers.PrimaryKeyRelatedField):
    """A customer id, resolved only among the customers the requesting user may see, so an id
    of another organisation reads exactly like one that does not exist."""

    default_error_messages = {
        "does_not_exist": _("There is no customer with id {pk_value} that you may manage."),
    }

    def get_queryset(self):
        return customers_for(self.context["request"].user)


class ContactSerializer(ModelSerializer):
    customer = ScopedCustomerField(
        queryset=Customer.objects.none(),
        required=False,
        help_text=_(
            "The customer the contact belongs to. Customer users may leave it out: their own "
            "organisation is used."
        ),
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "email",
            "phone",
            "language",
            "is_subscription_contact",
            "receives_breach_notices",
        ]
        read_only_fields = ["id"]
        # The services check uniqueness and move the subscription contact; DRF's generated
        # validators would refuse the move before the service could make it.
        validators: list = []

    def validate(self, attrs):
        if self.instance is None and "customer" not in attrs:
            user = self.context["request"].user
            scope = customer_scope(user)
            if scope is None:
                raise serializers.ValidationError({"customer": _("This field is required.")})
            attrs["customer"] = customers_for(user).get(pk=scope)
        return attrs


class ContactUpdateSerializer(ContactSerializer):
    """A contact stays with its organisation; `customer` cannot be changed."""

    customer = serializers.PrimaryKeyRelatedField(read_only=True)


class ProcessorProfileSerializer(ModelSerializer):
    class Meta:
        model = ProcessorProfile
        fields = [
            "legal_name",
            "privacy_team_name",
            "privacy_email",
            "privacy_phone",
            "address",
            "supported_browsers",
            "help_text_en",
            "help_text_nl",
        ]
