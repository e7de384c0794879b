from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubprocessorsConfig(AppConfig):
    name = "subprocessors"
    verbose_name = _("Subprocessors")

    def ready(self):
        from subprocessors import (
            receivers,  # noqa: F401 - connects the signal receivers
            register_cache,
        )

        register_cache.connect()
