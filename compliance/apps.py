from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        # Django app loading: these need the models, so they are imported once apps are ready.
        from compliance import (
            auth_signals,  # noqa: F401 - connects the sign-in receivers
            contact_confirmation,  # noqa: F401 - BR-05 bounce receiver
            tasks,  # noqa: F401 - registers the Celery tasks that services ring by name
        )
