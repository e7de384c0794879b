"""Settings for benchmark processes: the base settings plus an isolated broker queue."""

import os

from config.settings.base import *  # noqa: F403
from config.settings.base import CELERY_BROKER_URL

# Doorbell tasks go to a queue of their own (Redis) or folder of their own (filesystem), so a
# benchmark never hands work to the product's real worker.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("BENCH_QUEUE", "bench")
if CELERY_BROKER_URL.startswith("filesystem://") and os.environ.get("BENCH_BROKER_DIR"):
    _folder = os.environ["BENCH_BROKER_DIR"]
    os.makedirs(_folder, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _folder,
        "data_folder_out": _folder,
        "store_processed": False,
    }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
