from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachesConfig(AppConfig):
    name = "breaches"
    verbose_name = _("Breaches")

    def ready(self):
        # Django app loading: these need the models, so they are imported once apps are ready.
        from breaches import (
            receivers,  # noqa: F401 - connects the outbox signal receivers
            tasks,  # noqa: F401 - registers the Celery tasks that services ring by name
        )
