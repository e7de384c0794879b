"""Demo records of record (issue 16): called by the demo loader."""


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
