"""The access app's Celery tasks, one module per duty; imported by the app's ready() so the
worker registers them."""

from access.tasks import (  # noqa: F401
    confidentiality,
    consent,
    reviews,
    standing,
    support_copies,
    temporary,
)
