"""The severity guidance against the worked cases of EDPB Guidelines 01/2021 on examples
regarding personal data breach notification (version 2.0, adopted 14 December 2021).

Each case is encoded as the assessment an officer would record (ENISA's inputs and the
EDPB's factors, as the case describes them) with the outcome the EDPB states in the table
at the case's end ("Actions necessary based on the identified risks": internal register,
notification to the supervisory authority, communication to data subjects). The register
entry is always required, so the expected outcome is the highest of the three: register
only, notify the authority (Art. 33), or also inform the people (Art. 34).
"""

from decimal import Decimal

import pytest

from breaches import severity_guidance as sg
from breaches.severity_guidance import AUTHORITY, PEOPLE, REGISTER, Inputs, suggest

D = Decimal


def case(*, base, ei="1", c="0", i="0", a="0", malicious=False, profile=False, lowered=0, **edpb):
    """The suggestion for one case: ENISA's score with its DPC adjustments, then the rules."""
    final, score, band = sg.enisa(
        base=base,
        ei=D(ei),
        confidentiality=D(c),
        integrity=D(i),
        availability=D(a),
        malicious=malicious,
        profile=profile,
        special_categories=edpb.get("special_categories"),
        vulnerable=edpb.get("vulnerable"),
        lowered=lowered,
    )
    inputs = Inputs(
        personal_data=True,
        identification=D(ei),
        confidentiality=D(c),
        integrity=D(i),
        availability=D(a),
        malicious=malicious,
        score=score,
        band=band,
        **edpb,
    )
    return suggest(inputs)


# --------------------------------------------------------------------------- ransomware


def test_case_01_ransomware_with_backup_without_exfiltration():
    """OBL BR-11: EDPB 01/2021 case 01 (section 2.1, ransomware with proper backup and
    without exfiltration): data encrypted, restored from backup within hours, no data taken.
    Register ✓, SA ✗, data subjects ✗."""
    s = case(base=1, a="0.25", malicious=True, backup=True, consequences="minor", people=40)
    assert s.outcome == REGISTER
    assert any("backup" in str(f.text) for f in s.factors)


def test_case_02_ransomware_without_backup():
    """OBL BR-11: EDPB 01/2021 case 02 (section 2.2, ransomware without proper backup): no
    electronic backup, data rebuilt from paper over several days, no exfiltration.
    Register ✓, SA ✓, data subjects ✗."""
    s = case(base=1, a="0.25", malicious=True, backup=False, consequences="minor")
    assert s.outcome == AUTHORITY
    assert any(f.effect == sg.UP and "backup" in str(f.text) for f in s.factors)


def test_case_03_ransomware_with_backup_in_a_hospital():
    """OBL BR-11: EDPB 01/2021 case 03 (section 2.3, ransomware with backup and without
    exfiltration in a hospital): patients' health data unavailable for two days, operations
    delayed. Register ✓, SA ✓, data subjects ✓."""
    s = case(
        base=4,
        a="0.25",
        malicious=True,
        backup=True,
        special_categories=True,
        vulnerable=True,
        consequences="serious",
    )
    assert s.outcome == PEOPLE


def test_case_04_ransomware_without_backup_with_exfiltration():
    """OBL BR-11: EDPB 01/2021 case 04 (section 2.4, ransomware without backup and with
    exfiltration): data encrypted and taken, no backup. Register ✓, SA ✓, data subjects ✓."""
    s = case(
        base=3,
        c="0.5",
        a="0.5",
        malicious=True,
        backup=False,
        consequences="serious",
        lasting=True,
    )
    assert s.outcome == PEOPLE


# --------------------------------------------------------------------------- exfiltration


def test_case_05_job_application_data_exfiltrated():
    """OBL BR-11: EDPB 01/2021 case 05 (section 3.1, exfiltration of job application data
    from a website): CVs of 213 applicants copied by injected code. Register ✓, SA ✓, data
    subjects ✓."""
    s = case(base=1, profile=True, c="0.5", malicious=True, people=213, consequences="significant")
    assert s.outcome == PEOPLE


def test_case_06_hashed_passwords_exfiltrated():
    """OBL BR-11: EDPB 01/2021 case 06 (section 3.2, exfiltration of hashed passwords from
    a website): salted state-of-the-art hashes, no other data. Register ✓, SA ✗, data
    subjects ✗."""
    s = case(base=1, c="0.5", malicious=True, unintelligible=True, people=1200)
    assert s.outcome == REGISTER
    assert s.factors[-1].effect == sg.DOWN


def test_case_07_credential_stuffing_at_a_bank():
    """OBL BR-11: EDPB 01/2021 case 07 (section 3.3, credential stuffing attack on a banking
    website): attackers logged into customers' accounts and saw their financial data.
    Register ✓, SA ✓, data subjects ✓."""
    s = case(base=3, c="0.5", malicious=True, consequences="serious")
    assert s.outcome == PEOPLE


# --------------------------------------------------------------------------- human error


def test_case_08_business_data_taken_by_an_employee():
    """OBL BR-11: EDPB 01/2021 case 08 (section 4.1, exfiltration of business data by an
    employee): a leaving employee copies customers' contact data to lure them to a new
    business. Register ✓, SA ✓, data subjects ✗."""
    s = case(base=1, c="0.25", malicious=True, consequences="significant")
    assert s.outcome == AUTHORITY


def test_case_09_accidental_transmission_to_a_trusted_third_party():
    """OBL BR-11: EDPB 01/2021 case 09 (section 4.2, accidental transmission of data to a
    trusted third party): an insurance agent bound to secrecy saw two dozen other customers'
    data and deleted it. Register ✓, SA ✗, data subjects ✗."""
    s = case(base=1, c="0.25", people=24, consequences="minor")
    assert s.outcome == REGISTER


# --------------------------------------------------------------------------- lost or stolen


def test_case_10_stolen_devices_with_encrypted_data():
    """OBL BR-11: EDPB 01/2021 case 10 (section 5.1, stolen material storing encrypted
    personal data): two tablets of a childcare centre stolen; data encrypted, key safe,
    backup available. Register ✓, SA ✗, data subjects ✗."""
    s = case(
        base=1,
        a="0.25",
        malicious=True,
        vulnerable=True,
        unintelligible=True,
        backup=True,
    )
    assert s.outcome == REGISTER


def test_case_11_stolen_device_with_unencrypted_data():
    """OBL BR-11: EDPB 01/2021 case 11 (section 5.2, stolen material storing non-encrypted
    personal data): a notebook with names, addresses and dates of birth of over 100 000
    customers stolen, not encrypted. Register ✓, SA ✓, data subjects ✓."""
    s = case(base=1, c="0.5", malicious=True, unintelligible=False, people=100_000)
    assert s.outcome == PEOPLE
    assert any(f.effect == sg.UP and "100,000 people" in str(f.text) for f in s.factors)


def test_case_12_stolen_paper_files_with_health_data():
    """OBL BR-11: EDPB 01/2021 case 12 (section 5.3, stolen paper files with sensitive
    data): a rehabilitation centre's logbook with patients' health data stolen.
    Register ✓, SA ✓, data subjects ✓."""
    s = case(base=4, c="0.5", malicious=True, special_categories=True, vulnerable=True)
    assert s.outcome == PEOPLE


# --------------------------------------------------------------------------- mispostal


def test_case_13_postal_mail_mistake():
    """OBL BR-11: EDPB 01/2021 case 13 (section 6.1, postal mail mistake): two customers'
    packing bills swapped; each saw the other's name, address and order. Register ✓,
    SA ✗, data subjects ✗."""
    s = case(base=1, c="0.25", people=2, consequences="minor")
    assert s.outcome == REGISTER


def test_case_14_highly_confidential_data_sent_by_mail():
    """OBL BR-11: EDPB 01/2021 case 14 (section 6.2, highly confidential personal data sent
    by mail by mistake): a file with 60 000 job seekers' names, addresses and social
    security numbers attached to a mailing to all of them. Register ✓, SA ✓, data
    subjects ✓."""
    s = case(base=1, c="0.5", people=60_000, consequences="serious")
    assert s.outcome == PEOPLE


def test_case_15_personal_data_sent_by_mail_by_mistake():
    """OBL BR-11: EDPB 01/2021 case 15 (section 6.3, personal data sent by mail by
    mistake): a course's list of 15 participants with food preferences (two lactose
    intolerant) sent to 15 former participants, asked at once to delete it. Register ✓,
    SA ✗, data subjects ✗. The ENISA band is high (health can be inferred); the EDPB's
    factors lower it."""
    s = case(base=1, c="0.25", special_categories=True, people=15, consequences="minor")
    assert s.outcome == REGISTER
    assert any(f.effect == sg.DOWN for f in s.factors)


def test_case_16_snail_mail_mistake():
    """OBL BR-11: EDPB 01/2021 case 16 (section 6.4, snail mail mistake): two policyholders'
    letters in one envelope; one person saw another's name, car registration and rate.
    Register ✓, SA ✗, data subjects ✗."""
    s = case(base=3, lowered=2, c="0.25", people=1, consequences="minor")
    assert s.outcome == REGISTER


# --------------------------------------------------------------------------- social engineering


def test_case_17_identity_theft():
    """OBL BR-11: EDPB 01/2021 case 17 (section 7.1, identity theft): a caller posing as a
    customer has the e-mail address changed and receives the customer's bills with call
    records. Register ✓, SA ✓, data subjects ✓."""
    s = case(base=2, profile=True, c="0.25", malicious=True, people=1, consequences="serious")
    assert s.outcome == PEOPLE


def test_case_18_email_exfiltration():
    """OBL BR-11: EDPB 01/2021 case 18 (section 7.2, e-mail exfiltration): rules in a
    hypermarket chain's mailboxes forwarded e-mails about invoices and payments to an
    outside address for months. Register ✓, SA ✓, data subjects ✓."""
    s = case(base=3, c="0.5", malicious=True, consequences="serious")
    assert s.outcome == PEOPLE


# --------------------------------------------------------------------------- ENISA and rules


@pytest.mark.parametrize(
    ("base", "kw", "expected"),
    [
        (1, {}, 1),
        (1, {"profile": True}, 2),
        (1, {"special_categories": True}, 3),
        (1, {"vulnerable": True}, 4),
        (1, {"profile": True, "special_categories": True}, 3),
        (2, {"lowered": 1}, 1),
        (2, {"profile": True}, 3),
        (3, {"lowered": 2}, 1),
        (3, {"special_categories": True}, 4),
        (4, {"lowered": 3}, 1),
        (4, {"vulnerable": True}, 4),
    ],
)
def test_enisa_dpc_adjustments(base, kw, expected):
    """OBL BR-11: ENISA (2013) raises or lowers the context by its stated amounts; raises
    do not add up and the result stays within 1–4."""
    assert sg.dpc_adjusted(base, **kw) == expected


def test_enisa_refuses_a_lowering_it_does_not_allow():
    """OBL BR-11: simple data cannot be lowered; financial data by at most 2."""
    with pytest.raises(ValueError):
        sg.dpc_adjusted(1, lowered=1)
    with pytest.raises(ValueError):
        sg.dpc_adjusted(3, lowered=3)


def test_no_personal_data_means_register_only():
    """OBL BR-11: without personal data there is no personal data breach to notify."""
    assert suggest(Inputs(personal_data=False, band="very_high")).outcome == REGISTER


def test_unassessed_breach_suggests_notifying():
    """OBL BR-11: when in doubt, notify (EDPB 9/2022): nothing assessed yet suggests the
    authority, with the reason in the factors."""
    s = suggest(Inputs(personal_data=True))
    assert s.outcome == AUTHORITY
    assert "not assessed" in str(s.factors[0].text)


def test_every_outcome_is_explained():
    """OBL BR-11: each option has a label and an explanation naming its article."""
    for outcome in sg.OUTCOMES:
        assert str(sg.OUTCOME_LABELS[outcome])
        assert "Art. 3" in str(sg.OUTCOME_HELP[outcome])
