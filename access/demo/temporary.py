"""Demo records of temporary (issue 15): called by the demo loader."""


def load(*, now, people, customers) -> None:
    """Add a few records so a newcomer sees the register filled."""
