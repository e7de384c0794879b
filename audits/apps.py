from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from simple_history.signals import pre_create_historical_record

from audits.history import fill_history_user


class AuditsConfig(AppConfig):
    name = "audits"
    verbose_name = _("Audits")

    def ready(self):
        pre_create_historical_record.connect(
            fill_history_user, dispatch_uid="audits.fill_history_user"
        )
