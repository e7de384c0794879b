from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audits.anchors import AnchorPoint, AnchorUnreadable, anchor_parse
from audits.selectors import chain_verify
from audits.services import audit_seal
from audits.verification import newest_anchor


class Command(BaseCommand):
    help = _(
        "Verify the audit trail's hash chain, held against an anchor; exits non-zero at the "
        "first broken event or when the chain no longer holds the anchored hash."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal", action="store_true", help=_("Seal committed events before verifying.")
        )
        parser.add_argument(
            "--against",
            metavar="DIGEST",
            help=_(
                "The anchor to hold the chain against: SEQ:HASH as in the anchor mail, or the "
                "path of a saved anchor statement (JSON). Without it: the newest stored anchor."
            ),
        )

    def _anchor(self, against: str | None) -> AnchorPoint | None:
        if against:
            try:
                point = anchor_parse(against)
            except AnchorUnreadable as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                _("Against the anchor you gave: position %(seq)s, hash %(hash)s.")
                % {"seq": point.seq, "hash": point.chain_hash}
            )
            return point
        stored = newest_anchor()
        if stored is None:
            self.stdout.write(_("No anchor is stored: the chain is checked on its own."))
            return None
        self.stdout.write(
            _(
                "Against the newest anchor stored in the database (position %(seq)s, "
                "%(at)s); for a check independent of the database, give the one from your "
                "mail with --against."
            )
            % {"seq": stored.seq, "at": stored.anchored_at.isoformat()}
        )
        return AnchorPoint(stored.seq, stored.chain_hash, stored.anchored_at, "stored")

    def _write_break(self, brk, *, tail: bool) -> None:
        prefix = _("IN THE TAIL after the anchor") if tail else _("BROKEN")
        self.stderr.write(
            _("%(prefix)s at event id=%(id)s, seq=%(seq)s [%(kind)s]: %(message)s")
            % {
                "prefix": prefix,
                "id": brk.event_id if brk.event_id is not None else "-",
                "seq": brk.seq if brk.seq is not None else "-",
                "kind": brk.kind,
                "message": brk.message,
            }
        )

    def handle(self, *args, seal=False, against=None, **options):
        if seal:
            audit_seal()
        point = self._anchor(against)
        result = chain_verify(anchor=point)
        outcome = result.anchor
        tail = result.tail_breaks
        for brk in result.anchored_breaks:
            self._write_break(brk, tail=False)
        for brk in tail:
            self._write_break(brk, tail=True)
        if outcome is not None and outcome.restore is not None:
            self.stdout.write(
                _(
                    "Positions %(first)s to %(last)s were lost in the database restore "
                    "recorded on %(at)s by %(by)s (restored at sequence %(seq)s): not tampering."
                )
                % {
                    "first": outcome.lost_first,
                    "last": outcome.lost_last,
                    "at": outcome.restore.recorded_at.isoformat(),
                    "by": outcome.restore.recorded_by,
                    "seq": outcome.restore.seq,
                }
            )
        if outcome is not None and outcome.ok:
            self.stdout.write(
                _("Anchored part intact up to position %(seq)s.")
                % {"seq": outcome.restore.seq if outcome.restore else outcome.seq}
            )
            self.stdout.write(
                _("%(count)s events after the last anchor.") % {"count": outcome.after}
            )
        if result.anchored_breaks:
            raise CommandError(_("The audit chain did not verify."), returncode=1)
        if tail:
            raise CommandError(
                _("The anchored part verifies; the unanchored tail after it does not."),
                returncode=2,
            )
        self.stdout.write(
            _(
                "Audit chain intact: %(count)s events, head hash %(hash)s (%(unsealed)s not yet "
                "sealed)."
            )
            % {"count": result.count, "hash": result.head_hash, "unsealed": result.unsealed_count}
        )
