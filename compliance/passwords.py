"""Password rules beyond Django's own (ON-01): the patterns that fill breach corpora.

Django's validators already refuse short, common, numeric-only passwords and passwords like
the user's name or e-mail address. Lists of breached passwords show what else people pick
when a rule demands length: keyboard walks ("qwertyuiop12"), runs and repeats ("aaaaaaaa1111",
"abcdefgh1234"), the name of the company or the product ("Processor2026!"), and a word with a
season, a month or "welcome" plus digits ("Welkom01", "Zomer2026!!"). None of that is strong,
however long, so it is refused here.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from compliance.models import ProcessorProfile

KEYBOARD_ROWS = (
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn",
    "qwertzuiop",
    "yxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7",
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
)

# Words that, with digits or symbols around them, make up a large share of breached
# passwords in Dutch and English offices.
WEAK_WORDS = (
    "welkom",
    "welcome",
    "wachtwoord",
    "password",
    "passw0rd",
    "wachtw00rd",
    "geheim",
    "secret",
    "letmein",
    "admin",
    "beheer",
    "changeme",
    "wijzigen",
    "voorjaar",
    "lente",
    "zomer",
    "herfst",
    "winter",
    "spring",
    "summer",
    "autumn",
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
    "january",
    "february",
    "march",
    "may",
    "june",
    "july",
    "august",
    "october",
    "monday",
    "maandag",
    "qwerty",
    "azerty",
    "iloveyou",
    "hallo",
    "hello",
    "test",
    "demo",
    "login",
    "inloggen",
    "privacy",
    "compliance",
    "processor",
    "verwerker",
    "gebruiker",
    "user",
    "afas",
    "profit",
    "pocket",
)

MIN_RUN = 4  # a run of this many keyboard or alphabet neighbours is a walk


def _unleet(text: str) -> str:
    return text.translate(str.maketrans("4@310$57!|", "aaeiosstil"))


def _site_words() -> set[str]:
    words: set[str] = set()
    names = [getattr(settings, "MFA_TOTP_ISSUER", ""), getattr(settings, "WEBAUTHN_RP_NAME", "")]
    try:
        profile = ProcessorProfile.objects.only("legal_name", "privacy_team_name").first()
        if profile:
            names += [profile.legal_name, profile.privacy_team_name]
    except Exception:  # noqa: BLE001 - no database (e.g. during checks): use the settings only
        pass
    host = getattr(settings, "WEBAUTHN_RP_ID", "")
    names.append(host.split(".")[0] if host and host != "localhost" else "")
    for name in names:
        for word in re.findall(r"[a-z]+", (name or "").lower()):
            if len(word) >= 4 and word not in {"software", "team", "b", "bv", "the"}:
                words.add(word)
    return words


def _walk_share(text: str) -> int:
    """How many characters of `text` belong to runs of MIN_RUN keyboard/alphabet neighbours
    (forwards or backwards) or of one repeated character."""
    covered = [False] * len(text)
    sequences = KEYBOARD_ROWS + tuple(row[::-1] for row in KEYBOARD_ROWS)
    for start in range(len(text) - MIN_RUN + 1):
        chunk = text[start : start + MIN_RUN]
        if len(set(chunk)) == 1 or any(chunk in seq for seq in sequences):
            for i in range(start, start + MIN_RUN):
                covered[i] = True
    return sum(covered)


def _skeleton(text: str) -> str:
    """The password without digits and symbols, lower case, common substitutions undone."""
    return re.sub(r"[^a-z]", "", _unleet(text.lower()))


class BreachedPatternValidator:
    """Refuses keyboard walks, runs, repeats, the site or company name and word+digits."""

    def validate(self, password: str, user=None) -> None:
        lowered = password.lower()
        letters = _skeleton(password)
        if _walk_share(lowered) * 2 >= len(lowered) or _walk_share(_unleet(lowered)) * 2 >= len(
            lowered
        ):
            raise ValidationError(
                _(
                    "This password is mostly a keyboard pattern, a sequence or a repeated "
                    "character."
                ),
                code="password_keyboard_pattern",
            )
        if len(set(lowered)) <= max(3, len(lowered) // 4):
            raise ValidationError(
                _("This password repeats too few different characters."),
                code="password_too_repetitive",
            )
        for word in _site_words():
            if word in letters or word in lowered:
                raise ValidationError(
                    _("This password contains the name of this site or company."),
                    code="password_site_name",
                )
        # "Welkom01", "Zomer2026!!", "DemoPassword2026": guessable words plus digits/symbols.
        for candidate in (letters, re.sub(r"[^a-z]", "", lowered)):
            rest = candidate
            for word in sorted(WEAK_WORDS, key=len, reverse=True):
                rest = rest.replace(word, "")
            if rest == candidate or len(rest) >= 4:
                continue
            raise ValidationError(
                _(
                    "This password is a common word with digits or symbols added, a pattern "
                    "found in lists of breached passwords."
                ),
                code="password_word_and_digits",
            )

    def get_help_text(self) -> str:
        return _(
            "Your password cannot be a keyboard pattern, a sequence, a repeated character, the "
            "name of this site or company, or a common word with digits added."
        )
