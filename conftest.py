import pytest
from django.utils import translation

from compliance.models import Role
from tests.auth import sign_in
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts in the default language: a request in Dutch activates Dutch for the
    thread, and a later test in the same worker must not read its messages in Dutch."""
    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def customer(db):
    return CustomerFactory()


@pytest.fixture
def other_customer(db):
    return CustomerFactory()


@pytest.fixture
def make_user(db):
    def make(role=Role.STAFF_MEMBER, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def privacy_officer(make_user):
    return make_user(Role.PRIVACY_OFFICER)


@pytest.fixture
def auditor(make_user):
    return make_user(Role.AUDITOR)


@pytest.fixture
def customer_admin(make_user, customer):
    return make_user(Role.CUSTOMER_ADMIN, customer=customer)


@pytest.fixture
def customer_contact(make_user, customer):
    return make_user(Role.CUSTOMER_CONTACT, customer=customer)


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user, second factor verified."""
    return lambda user: sign_in(client, user)


@pytest.fixture
def client_password_only(client):
    """A test client whose user entered the password but no second factor."""
    return lambda user: sign_in(client, user, second_factor=False)
