"""Celery tasks and beat sweeps of the access review (ISO 27001 A.5.18): beat rings them
hourly; each claims what is due itself, so a lost tick loses nothing."""

from celery import shared_task

from access.services.reviews import review_quarter_open
from access.services.reviews_sweep import reviews_sweep as sweep
from compliance.access import SYSTEM


@shared_task(name="access.tasks.reviews.review_quarter_open")
def review_quarter_open_task() -> int | None:
    """Open this quarter's review once, from the quarter's first moment."""
    review = review_quarter_open(actor=SYSTEM)
    return review.pk if review else None


@shared_task(name="access.tasks.reviews.reviews_sweep")
def reviews_sweep() -> dict:
    return sweep(actor=SYSTEM)
