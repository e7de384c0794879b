from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachesConfig(AppConfig):
    name = "breaches"
    verbose_name = _("Breaches")

    def ready(self):
        from breaches import receivers  # noqa: F401 - connects the outbox signal receivers
