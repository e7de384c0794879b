"""Ring a Celery task by its name, so that a service never imports a tasks module.

Tasks sit above services: a task is a thin doorbell that fetches by id and calls a service.
A service that wants work done later (after commit) names the task instead of importing it;
the name is a constant beside the service, and the tasks module registers its task under
that same constant. Each app's `ready()` imports its tasks module, so the name is known in
every process (and `task_always_eager` applies to it); a name not registered here is sent to
the broker as it is, for a worker that knows it.
"""

from __future__ import annotations

from celery import current_app


def task_ring(name: str, *args) -> None:
    """Queue the task registered as `name` with `args` (raises when the broker is down)."""
    current_app.signature(name, args=args).delay()
