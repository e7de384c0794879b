"""Anchoring the chain outside the database (AU-03). Filled in by the anchoring work of
issue 14; the signature below is the interface other parts call."""

from audits.models import AnchorReason, ChainAnchor


def anchor_make(*, reason: str = AnchorReason.DAILY) -> ChainAnchor:
    """Seal what is committed, sign the chain head with the processor's seal and store the
    anchor (with its audit event); sending it out is the caller's (compliance) part."""
    raise NotImplementedError
