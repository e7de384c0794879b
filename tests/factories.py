"""Factories shared by every app's tests."""

import datetime

import factory

from compliance.models import Contact, Contract, Customer, Product, Role, User


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"product-{n}")
    name = factory.Sequence(lambda n: f"Product {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"Customer {n} B.V.")
    customer_number = factory.Sequence(lambda n: f"{10000 + n}")
    country = "NL"
    language = "nl"


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    customer = factory.SubFactory(CustomerFactory)
    starts_on = datetime.date(2024, 1, 1)
    agreement_model = "standard"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example")
    receives_breach_notices = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Sequence(lambda n: f"User {n}")
    role = Role.STAFF_MEMBER
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()

    @factory.post_generation
    def acknowledged(obj, create, extracted, **kwargs):  # noqa: N805
        """AC-01: staff made by the factory have acknowledged the current confidentiality
        text; `UserFactory(acknowledged=False)` makes a new staff member who has not."""
        if create and extracted is not False:
            from tests.auth import confidentiality_acknowledged

            confidentiality_acknowledged(obj)
