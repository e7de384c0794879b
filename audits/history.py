"""Who made a change, for django-simple-history's records.

In a request, simple-history's HistoryRequestMiddleware supplies the signed-in user. Work done
outside a request on someone's behalf (a Celery task, a management command) wraps itself in
`acting_as(user)`; anything else is recorded without a user, meaning the system.
"""

import contextvars
from contextlib import contextmanager

_acting_user: contextvars.ContextVar = contextvars.ContextVar("history_acting_user", default=None)


@contextmanager
def acting_as(user):
    token = _acting_user.set(user if getattr(user, "pk", None) is not None else None)
    try:
        yield
    finally:
        _acting_user.reset(token)


def fill_history_user(sender, history_instance, **kwargs):
    """pre_create_historical_record: fall back to the user of the enclosing `acting_as`."""
    if getattr(history_instance, "history_user_id", None) is not None:
        return
    user = _acting_user.get()
    if user is not None:
        history_instance.history_user_id = user.pk
