"""The processing app's Celery tasks, one module per duty; imported by the app's ready() so
the worker registers them."""

from processing.tasks import audits, contract_end, instructions, record, subject_requests  # noqa: F401
