from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audits.selectors import chain_verify
from audits.services import audit_seal


class Command(BaseCommand):
    help = _("Verify the audit trail's hash chain; exits non-zero at the first broken event.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal", action="store_true", help=_("Seal committed events before verifying.")
        )

    def handle(self, *args, seal=False, **options):
        if seal:
            audit_seal()
        result = chain_verify()
        for brk in result.breaks:
            self.stderr.write(
                _("BROKEN at event id=%(id)s, seq=%(seq)s [%(kind)s]: %(message)s")
                % {
                    "id": brk.event_id if brk.event_id is not None else "-",
                    "seq": brk.seq if brk.seq is not None else "-",
                    "kind": brk.kind,
                    "message": brk.message,
                }
            )
        if not result.ok:
            raise CommandError(_("The audit chain did not verify."), returncode=1)
        self.stdout.write(
            _(
                "Audit chain intact: %(count)s events, head hash %(hash)s (%(unsealed)s not yet "
                "sealed)."
            )
            % {"count": result.count, "hash": result.head_hash, "unsealed": result.unsealed_count}
        )
