import getpass

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from audits.restores import restore_record


class Command(BaseCommand):
    help = _(
        "Record that the database was restored from a backup: the audit chain now ends at its "
        "current head, and anchors of later positions are reported as lost in the restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("--by", default="", help=_("Who restored the database."))
        parser.add_argument("--note", default="", help=_("What was restored, and why."))

    def handle(self, *args, by="", note="", **options):
        restore = restore_record(recorded_by=by or getpass.getuser(), note=note)
        self.stdout.write(
            _("Recorded: restored at sequence %(seq)s (chain hash %(hash)s), by %(by)s.")
            % {"seq": restore.seq, "hash": restore.chain_hash, "by": restore.recorded_by}
        )
