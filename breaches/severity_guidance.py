"""What the assessment suggests: register only, notify the authority, or also inform the
people (BR-11: the breach determination uses the GDPR and the authority's policy rules as
guideline). Pure functions, no database.

Two steps, each written down here so that the suggestion can be explained:

1. ENISA, "Recommendations for a methodology of the assessment of severity of personal data
   breaches" (2013): SE = DPC × EI + CB. The data processing context (DPC) starts from the
   kind of data (1 simple, 2 behavioural, 3 financial, 4 sensitive) and is raised or lowered
   by the methodology's own adjustments (Annex A): the amount of data per person allows a
   profile (+1 for simple, behavioural and financial data), special categories can be
   inferred (+2 for simple and behavioural data, +1 for financial data), vulnerable people
   (+3 for simple data: their safety may be at stake; +1 otherwise), and the officer's
   lowering where the data says less than its kind suggests (at most 1 for behavioural,
   2 for financial, 3 for sensitive data). Raises do not add up: the largest counts. The
   result stays within 1–4.

2. EDPB Guidelines 9/2022 on personal data breach notification (the risk factors: type and
   sensitivity of the data, ease of identification, severity and permanence of the
   consequences, vulnerable individuals, number of people, data made unintelligible) and
   EDPB Guidelines 01/2021 on examples regarding personal data breach notification (its 18
   cases, encoded in `breaches/tests/test_severity_guidance.py`). The ENISA band gives the
   starting point (low → register only, medium → notify the authority, high and very high
   → also inform the people); the rules in `suggest` then raise or lower it.

The suggestion is guidance: the controller decides (Art. 33(1) and 34(1) GDPR).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext_lazy as _

from breaches import deadlines
from breaches.severity_text import severity_text

REGISTER = "register"
AUTHORITY = "authority"
PEOPLE = "people"
OUTCOMES = (REGISTER, AUTHORITY, PEOPLE)

OUTCOME_LABELS = {
    REGISTER: _("Register only"),
    AUTHORITY: _("Notify the authority"),
    PEOPLE: _("Also inform the people affected"),
}
OUTCOME_HELP = {
    REGISTER: _(
        "The breach is unlikely to put people at risk. Record it, with the reasoning, in "
        "the breach register; no notification (Art. 33(5) GDPR)."
    ),
    AUTHORITY: _(
        "The breach may put people at risk. Notify the supervisory authority within 72 hours "
        "of becoming aware of it, and record it in the register (Art. 33 GDPR)."
    ),
    PEOPLE: _(
        "The breach is likely to put people at high risk. Notify the authority and tell the "
        "people affected without undue delay, in plain language, what happened and what they "
        "can do (Art. 34 GDPR)."
    ),
}

# Number of people from which a breach counts as affecting many (EDPB 9/2022: the more
# people, the greater the possible impact). A rule of this product, not of the law.
MANY_PEOPLE = 1000

UP, DOWN, SAME = "up", "down", "same"


@dataclass(frozen=True)
class Factor:
    text: str
    effect: str = SAME  # UP raises the suggestion, DOWN lowers it, SAME explains it


@dataclass(frozen=True)
class Suggestion:
    outcome: str
    factors: tuple[Factor, ...]

    @property
    def label(self):
        return OUTCOME_LABELS[self.outcome]

    @property
    def help(self):
        return OUTCOME_HELP[self.outcome]


@dataclass
class Inputs:
    personal_data: bool | None = None
    people: int | None = None
    vulnerable: bool | None = None
    special_categories: bool | None = None
    identification: Decimal | None = None
    confidentiality: Decimal = Decimal("0")
    integrity: Decimal = Decimal("0")
    availability: Decimal = Decimal("0")
    malicious: bool = False
    unintelligible: bool | None = None
    backup: bool | None = None
    consequences: str = ""
    lasting: bool | None = None
    score: Decimal | None = None
    band: str = ""


# --------------------------------------------------------------------------- ENISA DPC

MAX_LOWERING = {1: 0, 2: 1, 3: 2, 4: 3}
_RAISE = {  # base DPC → (profile, special categories, vulnerable people)
    1: (1, 2, 3),
    2: (1, 2, 1),
    3: (1, 1, 1),
    4: (0, 0, 0),
}


def dpc_adjusted(
    base: int,
    *,
    profile: bool | None = False,
    special_categories: bool | None = False,
    vulnerable: bool | None = False,
    lowered: int = 0,
) -> int:
    """ENISA's DPC after its adjustments (see the module's docstring); raises ValueError for
    a base outside 1–4 or a lowering the methodology does not allow for that kind of data."""
    if base not in _RAISE:
        raise ValueError("DPC must be 1, 2, 3 or 4")
    if not 0 <= lowered <= MAX_LOWERING[base]:
        raise ValueError("lowering not allowed for this kind of data")
    by_profile, by_special, by_vulnerable = _RAISE[base]
    raise_by = max(
        by_profile if profile else 0,
        by_special if special_categories else 0,
        by_vulnerable if vulnerable else 0,
    )
    return min(4, max(1, base + raise_by - lowered))


def enisa(
    *,
    base: int,
    ei: Decimal,
    confidentiality: Decimal = Decimal("0"),
    integrity: Decimal = Decimal("0"),
    availability: Decimal = Decimal("0"),
    malicious: bool = False,
    **adjustments,
) -> tuple[int, Decimal, str]:
    """(DPC after adjustments, SE, band) for ENISA's inputs."""
    final = dpc_adjusted(base, **adjustments)
    score = deadlines.severity_score(
        dpc=final,
        ei=ei,
        cb_confidentiality=confidentiality,
        cb_integrity=integrity,
        cb_availability=availability,
        malicious=malicious,
    )
    return final, score, deadlines.severity_band(score)


# --------------------------------------------------------------------------- EDPB rules

_BAND_LEVEL = {"low": 0, "medium": 1, "high": 2, "very_high": 2}
_CONSEQUENCE_LEVEL = {"minor": 0, "significant": 1, "serious": 2}


def suggest(i: Inputs) -> Suggestion:
    """The outcome the assessment suggests and the factors that drove it, in order."""
    factors: list[Factor] = []
    add = factors.append
    if i.personal_data is False:
        add(Factor(_("No personal data is involved: this is no personal data breach."), DOWN))
        return Suggestion(REGISTER, tuple(factors))
    if i.personal_data is None:
        add(Factor(_("Whether personal data is involved is not known yet.")))
    zero = Decimal("0")
    lost = i.confidentiality > zero or i.integrity > zero or i.availability > zero
    if i.unintelligible and i.integrity == zero and (i.availability == zero or i.backup):
        add(
            Factor(
                _(
                    "The data stayed unintelligible to whoever got it (state-of-the-art "
                    "encryption or hashing, key not compromised), and nothing was lost for "
                    "good: unlikely to put people at risk."
                ),
                DOWN,
            )
        )
        return Suggestion(REGISTER, tuple(factors))

    # Starting point: the ENISA band, else the consequences, else notify (when in doubt).
    if i.band in _BAND_LEVEL:
        level = _BAND_LEVEL[i.band]
        add(
            Factor(
                _("ENISA severity: %(severity)s.") % {"severity": severity_text(i.score, i.band)}
            )
        )
    elif i.consequences in _CONSEQUENCE_LEVEL:
        level = _CONSEQUENCE_LEVEL[i.consequences]
    else:
        level = 1
        add(
            Factor(
                _(
                    "Severity not assessed yet: when in doubt, notify the authority "
                    "(a notification can be withdrawn or completed later)."
                )
            )
        )

    def at_least(new: int, text) -> None:
        nonlocal level
        if new > level:
            level = new
            add(Factor(text, UP))
        else:
            add(Factor(text))

    def at_most(new: int, text) -> None:
        nonlocal level
        if new < level:
            level = new
            add(Factor(text, DOWN))
        else:
            add(Factor(text))

    many = i.people is not None and i.people >= MANY_PEOPLE
    if i.consequences == "minor" and not i.lasting:
        at_most(1, _("The expected consequences are minor: no high risk."))
        limited = (
            i.confidentiality <= Decimal("0.25")
            and i.integrity == zero
            and i.availability == zero
            and not i.malicious
            and not i.vulnerable
            and not many
        )
        if limited and i.confidentiality > zero:
            at_most(
                0,
                _(
                    "Only a known, limited number of recipients saw the data, by mistake and "
                    "without bad intent: unlikely to put people at risk."
                ),
            )
    if i.consequences == "significant":
        at_least(1, _("The expected consequences are significant: a risk for the people."))
    if i.consequences == "serious":
        at_least(2, _("The expected consequences are serious: a high risk for the people."))
    if i.lasting:
        at_least(
            min(2, level + 1), _("The consequences last or cannot be undone: the risk is higher.")
        )
    if i.vulnerable and lost:
        at_least(
            min(2, level + 1),
            _("Vulnerable people are affected (for example children or patients)."),
        )
    if i.special_categories and i.confidentiality == Decimal("0.5"):
        at_least(
            2,
            _(
                "Special categories of personal data (such as health) reached an unknown "
                "number of people."
            ),
        )
    if i.malicious and i.confidentiality > zero:
        at_least(1, _("Someone took or looked at the data on purpose: misuse is likely."))
    if i.availability > zero and i.backup is False:
        at_least(
            1,
            _("There was no usable backup: the data stays unavailable for longer, or for good."),
        )
    elif i.availability > zero and i.backup:
        add(Factor(_("A backup allowed the data to be restored.")))
    if many:
        text = _("%(count)s people are affected: a large number.") % {
            "count": formats.number_format(i.people, force_grouping=True)
        }
        at_least(2 if i.confidentiality == Decimal("0.5") else 1, text)
    if i.identification is not None and i.identification <= Decimal("0.5"):
        add(Factor(_("The people are hard to identify from the data.")))
    return Suggestion(OUTCOMES[level], tuple(factors))


def inputs_for(incident) -> Inputs:
    """The guidance's inputs as the incident's assessment holds them."""
    people = incident.subjects_max if incident.subjects_max is not None else incident.subjects_min
    zero = Decimal("0")
    return Inputs(
        personal_data=incident.personal_data_involved,
        people=people,
        vulnerable=incident.vulnerable_subjects,
        special_categories=incident.special_categories,
        identification=incident.enisa_ei,
        confidentiality=incident.enisa_cb_confidentiality or zero,
        integrity=incident.enisa_cb_integrity or zero,
        availability=incident.enisa_cb_availability or zero,
        malicious=bool(incident.enisa_cb_malicious),
        unintelligible=incident.data_unintelligible,
        backup=incident.backup_available,
        consequences=incident.consequences_level,
        lasting=incident.consequences_lasting,
        score=incident.severity_score,
        band=incident.severity_band,
    )


def suggestion_for(incident) -> Suggestion | None:
    """The suggestion for an incident once it was assessed; None before."""
    if incident.triaged_at is None:
        return None
    return suggest(inputs_for(incident))
