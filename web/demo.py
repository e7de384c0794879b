"""Demo data mirroring the seeds (the processor's terms, section 7.11, and its first-login
guides). Idempotent: running it again adds nothing that is already there."""

import datetime

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from access import demo as access_demo
from compliance.access import SYSTEM
from compliance.accounts import factor_enrolment_open
from compliance.factors import has_second_factor
from compliance.models import AgreementModel, Customer, ProcessorProfile, Product, Role, User
from compliance.services import (
    contact_create,
    contract_create,
    customer_create,
    processor_profile_update,
    user_create,
)
from processing import demo as processing_demo
from subprocessors.models import Subprocessor
from subprocessors.services import location_add, subprocessor_create

DEMO_PASSWORD = "demo-password-2026"
DEMO_ENROLMENT_HOURS = 30 * 24
DEMO_DOMAIN = "processor.example"

PRODUCTS = [
    ("profit", "Profit"),
    ("insite-outsite", "InSite/OutSite"),
    ("pocket", "Pocket"),
    ("sb", "SB"),
]

STAFF = [
    ("privacy@processor.example", "Priya Officer", Role.PRIVACY_OFFICER),
    ("ict@processor.example", "Ivo Manager", Role.ICT_MANAGER),
    ("board@processor.example", "Bea Board", Role.BOARD_MEMBER),
    ("auditor@processor.example", "Aart Auditor", Role.AUDITOR),
    ("staff@processor.example", "Sam Staff", Role.STAFF_MEMBER),
]

_PREFIXES = [
    "Bakkerij",
    "Zorggroep",
    "Stichting Onderwijs",
    "Gemeente",
    "Installatiebedrijf",
    "Woningcorporatie",
    "Advocatenkantoor",
    "Transport",
    "Brouwerij",
    "Kinderopvang",
]
_PLACES = [
    "Utrecht",
    "Gent",
    "Leusden",
    "Antwerpen",
    "Zwolle",
    "Brugge",
    "Delft",
    "Leuven",
    "Groningen",
    "Hasselt",
]


def _customer_rows():
    models = [
        AgreementModel.STANDARD,
        AgreementModel.HEALTHCARE_BOZ_2022,
        AgreementModel.EDUCATION_4_0,
    ]
    for i in range(50):
        country = "BE" if i % 3 == 2 else "NL"
        language = "en" if i % 5 == 4 else "nl"
        name = f"{_PREFIXES[i % 10]} {_PLACES[(i // 10 + i) % 10]}"
        yield {
            "number": f"{40001 + i}",
            "name": name if i < 10 else f"{name} {i // 10 + 1}",
            "country": country,
            "language": language,
            "agreement_model": models[i % 3],
            "products": ["profit", "insite-outsite"]
            + (["pocket"] if i % 2 else [])
            + (["sb"] if i % 4 == 0 else []),
        }


@transaction.atomic
def load_demo() -> dict:
    """Create the demo processor, products, subprocessors, customers, contacts and users."""
    if not ProcessorProfile.objects.exists():
        processor_profile_update(
            actor=SYSTEM,
            legal_name="AFAS Software B.V.",
            privacy_team_name="Privacy team",
            privacy_email="privacy@processor.example",
            privacy_phone="+31 33 434 1800",
            address="Philipsstraat 9, 3833 LC Leusden, Nederland",
            supported_browsers="Google Chrome, Safari, Mozilla Firefox, Microsoft Edge",
            help_text_en=(
                "Questions about a security incident, a notice you received, our subprocessors "
                "or signing in? Contact our privacy team. Use a supported browser; Internet "
                "Explorer is not supported."
            ),
            help_text_nl=(
                "Vragen over een beveiligingsincident, een melding die je ontving, onze "
                "subverwerkers of het inloggen? Neem contact op met ons privacyteam. Gebruik "
                "een ondersteunde browser; Internet Explorer wordt niet ondersteund."
            ),
        )
    products = {}
    for code, name in PRODUCTS:
        products[code], _ = Product.objects.get_or_create(code=code, defaults={"name": name})

    if not Subprocessor.objects.filter(legal_entity="LeaseWeb Netherlands B.V.").exists():
        leaseweb = subprocessor_create(
            actor=SYSTEM,
            legal_entity="LeaseWeb Netherlands B.V.",
            purpose="Hosting of customer environments in private cloud datacenters.",
            certifications="ISO 27001",
            flow_down_reference="LSW-DPA-2019-07",
            flow_down_signed_on=datetime.date(2019, 7, 1),
            products=[products["profit"], products["insite-outsite"], products["pocket"]],
            active_since=datetime.date(2012, 1, 1),
        )
        location_add(actor=SYSTEM, subprocessor=leaseweb, city="Schiphol-Rijk", country="NL")
        location_add(actor=SYSTEM, subprocessor=leaseweb, city="Haarlem", country="NL")
    if not Subprocessor.objects.filter(legal_entity="Microsoft Ireland Operations Ltd.").exists():
        azure = subprocessor_create(
            actor=SYSTEM,
            legal_entity="Microsoft Ireland Operations Ltd.",
            purpose="Microsoft Azure West Europe: hosting of the SB product.",
            certifications="ISO 27001, ISO 27018, SOC 2",
            flow_down_reference="MS-DPA-2023",
            flow_down_signed_on=datetime.date(2023, 1, 1),
            products=[products["sb"]],
            active_since=datetime.date(2020, 1, 1),
        )
        location_add(
            actor=SYSTEM,
            subprocessor=azure,
            city="Amsterdam",
            country="NL",
            name="Azure West Europe",
        )

    for email, full_name, role in STAFF:
        if not User.objects.filter(email=email).exists():
            user_create(
                actor=SYSTEM, email=email, role=role, full_name=full_name, password=DEMO_PASSWORD
            )

    for i, row in enumerate(_customer_rows()):
        if Customer.objects.filter(customer_number=row["number"]).exists():
            continue
        customer = customer_create(
            actor=SYSTEM,
            name=row["name"],
            customer_number=row["number"],
            country=row["country"],
            language=row["language"],
        )
        contract_create(
            actor=SYSTEM,
            customer=customer,
            starts_on=datetime.date(2020 + i % 5, 1 + i % 12, 1),
            agreement_model=row["agreement_model"],
            products=[products[c] for c in row["products"]],
        )
        slug = f"klant{row['number']}"
        contact_create(
            actor=SYSTEM,
            customer=customer,
            name=f"Contactpersoon {row['name']}",
            email=f"abonnement@{slug}.example",
            is_subscription_contact=True,
            receives_breach_notices=True,
        )
        contact_create(
            actor=SYSTEM,
            customer=customer,
            name=f"Functionaris gegevensbescherming {i + 1}",
            email=f"fg@{slug}.example",
            receives_breach_notices=True,
        )
        if i < 2:
            user_create(
                actor=SYSTEM,
                email=f"admin@{slug}.example",
                role=Role.CUSTOMER_ADMIN,
                full_name=f"Beheerder {row['name']}",
                customer=customer,
                language=row["language"],
                password=DEMO_PASSWORD,
            )
            user_create(
                actor=SYSTEM,
                email=f"contact@{slug}.example",
                role=Role.CUSTOMER_CONTACT,
                full_name=f"Medewerker {row['name']}",
                customer=customer,
                language=row["language"],
                password=DEMO_PASSWORD,
            )
    people = {}
    for user in User.objects.order_by("id"):
        people.setdefault(user.role, user)
    with_portal = Customer.objects.filter(users__isnull=False).distinct().order_by("pk")
    access_demo.load(now=timezone.now(), people=people, customers=list(with_portal))
    processing_demo.load(now=timezone.now(), people=people, customers=list(with_portal))
    # Demo users sign in with the demo password at once: their address counts as proven (a
    # real user proves it with the code in the invitation flow). They have no second factor
    # yet, so the first sign-in asks them to set one up (ON-02).
    for user in User.objects.filter(emailaddress__isnull=True):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    # Each start of the demo gives its users without a factor a month to enrol one (a real
    # account has the window of its invitation or factor reset, ON-01).
    soon = timezone.now() + datetime.timedelta(days=1)
    for user in User.objects.filter(
        Q(factor_enrolment_until__isnull=True) | Q(factor_enrolment_until__lt=soon)
    ):
        if not has_second_factor(user):
            with transaction.atomic():
                factor_enrolment_open(actor=SYSTEM, user=user, hours=DEMO_ENROLMENT_HOURS)
    return {
        "customers": Customer.objects.count(),
        "users": User.objects.count(),
        "sign_ins": [u.email for u in User.objects.order_by("role", "email")],
    }
