from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = _("Access to customer data")

    def ready(self):
        # Django app loading: the tasks need the models, so they are imported once apps are
        # ready; the worker then knows them by name.
        from access import tasks  # noqa: F401
