"""The audit actions of confidentiality (AC-01) and standing access (AC-02) in the Audit
section's history search: one group of their own, each with its English label."""

from web.audit.history import ACTION_GROUPS, _action_choices


def _labels() -> dict:
    return {value: label for _group, options in _action_choices()[1:] for value, label in options}


def test_confidentiality_actions_are_offered_with_words():
    """OBL AC-01: publishing and acknowledging the text can be searched for by name."""
    labels = _labels()
    assert labels["access.confidentiality.published"] == "Confidentiality text published"
    assert labels["access.confidentiality.acknowledged"] == "Confidentiality text acknowledged"
    assert labels["access."] == f"All: {ACTION_GROUPS['access']}"


def test_standing_actions_are_offered_with_words():
    """OBL AC-02: granting, ending and confirming removal can be searched for by name."""
    labels = _labels()
    assert labels["access.standing.granted"] == "Standing access granted"
    assert labels["access.standing.ended"] == "Standing access ended"
    assert labels["access.standing.removal_confirmed"] == (
        "Removal of standing access from the systems confirmed"
    )
