"""Writes to the core data. Each service is one transaction with its audit event."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from audits.services import event_record
from compliance import selectors
from compliance.access import require
from compliance.models import Contact, Contract, Customer, ProcessorProfile, Product, User

CUSTOMER_FIELDS = ("name", "customer_number", "country", "language")
CONTACT_FIELDS = (
    "name",
    "email",
    "phone",
    "language",
    "is_subscription_contact",
    "receives_breach_notices",
)
PROFILE_FIELDS = (
    "legal_name",
    "privacy_team_name",
    "privacy_email",
    "privacy_phone",
    "address",
    "supported_browsers",
    "help_text_en",
    "help_text_nl",
)


def _snapshot(obj, fields) -> dict:
    return {k: v for k, v in model_to_dict(obj, fields=fields).items()}


def _validate(obj, *, exclude=()) -> None:
    """Model validation (fields, choices, unique and check constraints) before any write."""
    obj.full_clean(exclude=list(exclude))


def _apply(obj, fields, data: dict) -> None:
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({k: _("This field cannot be changed here.") for k in unknown})
    for key, value in data.items():
        setattr(obj, key, value)


def customer_create(*, actor, **data) -> Customer:
    """Register a customer (controller) organisation."""
    require(actor, "customer.change")
    customer = Customer()
    _apply(customer, CUSTOMER_FIELDS, data)
    _validate(customer)
    with transaction.atomic():
        customer.save()
        event_record(
            actor=actor,
            action="customer.created",
            obj=customer,
            after=_snapshot(customer, CUSTOMER_FIELDS),
            customer_id=customer.pk,
        )
    return customer


def customer_update(*, actor, customer: Customer, **data) -> Customer:
    require(actor, "customer.change", customer)
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        before = _snapshot(customer, CUSTOMER_FIELDS)
        _apply(customer, CUSTOMER_FIELDS, data)
        _validate(customer)
        customer.save()
        event_record(
            actor=actor,
            action="customer.updated",
            obj=customer,
            before=before,
            after=_snapshot(customer, CUSTOMER_FIELDS),
            customer_id=customer.pk,
        )
    return customer


def contract_create(
    *,
    actor,
    customer: Customer,
    starts_on: datetime.date,
    agreement_model: str,
    products: list[Product],
    ends_on: datetime.date | None = None,
) -> Contract:
    """Record a contract and the processing-agreement model that applies to it (CT-01)."""
    require(actor, "customer.change", customer)
    contract = Contract(
        customer=customer, starts_on=starts_on, ends_on=ends_on, agreement_model=agreement_model
    )
    # Checked before model validation so that the user reads this message rather than the
    # generic "constraint violated" one of the database check.
    if ends_on and starts_on and ends_on < starts_on:
        raise ValidationError({"ends_on": _("A contract cannot end before it starts.")})
    _validate(contract)
    with transaction.atomic():
        contract.save()
        contract.products.set(products)
        event_record(
            actor=actor,
            action="contract.created",
            obj=contract,
            customer_id=customer.pk,
            after={
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
                "agreement_model": agreement_model,
                "products": sorted(p.code for p in products),
            },
        )
    return contract


def _clear_other_subscription_contact(contact: Contact) -> None:
    if contact.is_subscription_contact:
        others = Contact.objects.filter(customer=contact.customer, is_subscription_contact=True)
        for other in others.exclude(pk=contact.pk):
            other.is_subscription_contact = False
            other.save(update_fields=["is_subscription_contact"])


def _check_contact_email_free(contact: Contact) -> None:
    # The model's two-field unique constraint would report a non-field error; the user
    # needs to see it on the e-mail field.
    taken = Contact.objects.filter(customer_id=contact.customer_id, email=contact.email)
    if contact.email and taken.exclude(pk=contact.pk).exists():
        raise ValidationError(
            {"email": _("This organisation already has a contact with this e-mail address.")}
        )


def _lock_contacts_of(customer_id: int) -> None:
    # Contact writes of one customer take turns, so two of them cannot both pass the e-mail
    # and subscription-contact checks and then fail on the database constraint. The customer
    # is always locked before any contact row, so writers cannot deadlock.
    list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk"))


def contact_create(*, actor, customer: Customer, **data) -> Contact:
    """Add a contact; the breach flag makes it a recipient of breach notices (BR-05)."""
    require(actor, "contact.change", customer)
    contact = Contact(customer=customer)
    _apply(contact, CONTACT_FIELDS, data)
    contact.email = (contact.email or "").strip().lower()
    with transaction.atomic():
        _lock_contacts_of(customer.pk)
        _check_contact_email_free(contact)
        _clear_other_subscription_contact(contact)
        _validate(contact)
        contact.save()
        event_record(
            actor=actor,
            action="contact.created",
            obj=contact,
            customer_id=customer.pk,
            after=_snapshot(contact, CONTACT_FIELDS),
        )
    return contact


def contact_update(*, actor, contact: Contact, **data) -> Contact:
    """Change a contact; notices already queued keep the recipient resolved then (BR-05)."""
    require(actor, "contact.change", contact)
    with transaction.atomic():
        _lock_contacts_of(contact.customer_id)
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
        before = _snapshot(contact, CONTACT_FIELDS)
        _apply(contact, CONTACT_FIELDS, data)
        contact.email = (contact.email or "").strip().lower()
        _check_contact_email_free(contact)
        _clear_other_subscription_contact(contact)
        _validate(contact)
        contact.save()
        event_record(
            actor=actor,
            action="contact.updated",
            obj=contact,
            customer_id=contact.customer_id,
            before=before,
            after=_snapshot(contact, CONTACT_FIELDS),
        )
    return contact


def contact_delete(*, actor, contact: Contact) -> None:
    require(actor, "contact.change", contact)
    if contact.is_subscription_contact:
        raise ValidationError(
            _(
                "The subscription contact cannot be removed; make another contact the "
                "subscription contact first."
            )
        )
    with transaction.atomic():
        event_record(
            actor=actor,
            action="contact.deleted",
            obj=contact,
            customer_id=contact.customer_id,
            before=_snapshot(contact, CONTACT_FIELDS),
        )
        contact.delete()


def processor_profile_get() -> ProcessorProfile:
    """The processor's details, or an unsaved placeholder to show before they are entered;
    code that must know whether they exist asks `selectors.processor_profile()`."""
    return selectors.processor_profile() or ProcessorProfile(
        legal_name="", privacy_team_name="", privacy_email="privacy@processor.example"
    )


def processor_profile_update(*, actor, **data) -> ProcessorProfile:
    """Edit the processor's details shown on the help page (ON-03)."""
    require(actor, "profile.change")
    with transaction.atomic():
        profile = ProcessorProfile.objects.select_for_update().order_by("pk").first()
        if profile is None:
            profile = ProcessorProfile()
        before = _snapshot(profile, PROFILE_FIELDS) if profile.pk else None
        _apply(profile, PROFILE_FIELDS, data)
        _validate(profile)
        profile.save()
        event_record(
            actor=actor,
            action="processor_profile.updated",
            obj=profile,
            before=before,
            after=_snapshot(profile, PROFILE_FIELDS),
        )
    return profile


def user_create(
    *,
    actor,
    email: str,
    role: str,
    full_name: str = "",
    customer: Customer | None = None,
    language: str = "en",
    password: str | None = None,
) -> User:
    """Create a user with a role (staff) or tied to one customer. Invitations with an e-mailed
    code replace direct creation in the sign-in issue (ON-01)."""
    require(actor, "user.create", customer)
    user = User(
        email=User.objects.normalize_email(email).strip().lower(),
        role=role,
        full_name=full_name,
        customer=customer,
        language=language,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _validate(user, exclude=["password"])
    with transaction.atomic():
        user.save()
        event_record(
            actor=actor,
            action="user.created",
            obj=user,
            customer_id=customer.pk if customer else None,
            after={
                "email": user.email,
                "role": role,
                "customer": customer.pk if customer else None,
            },
        )
    return user
