"""Production settings (DEBUG off, compressed manifest static files, Redis cache) for the
latency benchmarks' gunicorn, served over plain HTTP on loopback."""

import os

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Any task a page queues goes to the benchmark's own queue, never to the product's worker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_QUEUE", "bench")
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", STATIC_ROOT)  # noqa: F405
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
