from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        from compliance import (
            auth_signals,  # noqa: F401 - connects the sign-in receivers
            contact_confirmation,  # noqa: F401 - BR-05 bounce receiver
        )
