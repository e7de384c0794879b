from django.utils import translation

from audits import hashing
from audits.models import actor_label_shown


def test_an_erased_actor_label_reads_as_words_in_both_languages():
    """OBL AU-03: after erasure people read that the name was erased, never its digest."""
    erased = hashing.ERASED_LABEL_PREFIX + "ab" * 32
    with translation.override("en"):
        assert actor_label_shown(erased) == "Name erased"
        assert actor_label_shown("priya@processor.example") == "priya@processor.example"
    with translation.override("nl"):
        assert actor_label_shown(erased) != "Name erased"
