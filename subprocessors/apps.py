from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubprocessorsConfig(AppConfig):
    name = "subprocessors"
    verbose_name = _("Subprocessors")

    def ready(self):
        # Django app loading: these need the models, so they are imported once apps are ready.
        from subprocessors import (
            receivers,  # noqa: F401 - connects the signal receivers
            register_cache,
            tasks,  # noqa: F401 - registers the Celery tasks that services ring by name
        )

        register_cache.connect()
