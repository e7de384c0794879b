from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessingConfig(AppConfig):
    name = "processing"
    verbose_name = _("Processing on the customer's behalf")

    def ready(self):
        # Django app loading: the tasks need the models, so they are imported once apps are
        # ready; the worker then knows them by name.
        from processing import tasks  # noqa: F401
