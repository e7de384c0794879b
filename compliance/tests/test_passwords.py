"""Password rules (ON-01): length, common, numeric, like the user, breached patterns."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from compliance.models import User

WEAK = [
    "short1!",  # too short
    "123456789012",  # numeric only
    "passwordpassword",  # common
    "qwertyuiop12",  # keyboard walk
    "1qaz2wsx3edc4rfv",  # keyboard walk (columns)
    "aaaaaaaa1111",  # repeats
    "abcdefgh1234",  # sequence
    "Welkom01welkom",  # word + digits
    "Zomer2026!!!!",  # season + year
    "Processor2026!",  # the site's name
    "DemoPassword2026",  # two guessable words + digits
    "janssen.pieter@klant",  # like the user's own address and name
]
STRONG = ["Vlinder-Kastanje-Rivier-93", "correct horse battery staple", "kMx9!fT2qLw#pR"]


@pytest.mark.parametrize("password", WEAK)
def test_weak_passwords_are_refused(password, db):
    """OBL ON-01: a strong password, checked against common and breached patterns and the
    user's own name and e-mail."""
    user = User(email="pieter.janssen@klant.example", full_name="Pieter Janssen")
    with pytest.raises(ValidationError):
        validate_password(password, user)


@pytest.mark.parametrize("password", STRONG)
def test_strong_passwords_pass(password, db):
    user = User(email="pieter.janssen@klant.example", full_name="Pieter Janssen")
    validate_password(password, user)
