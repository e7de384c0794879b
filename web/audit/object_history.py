"""One record's history for the Audit section (AU-03): its audit events, every change its
history rows hold (who changed what, when), and its state at a chosen past moment."""

from __future__ import annotations

import datetime

from django.http import Http404

from audits.seal import seal
from audits.selectors import EventFilter, audit_search
from breaches.history import customer_incidents_shared
from compliance.access import customer_scope
from compliance.models import Customer
from web.audit.history import _Labels, history_rows

# Never shown, whatever the record: secrets, their hashes, and stored files' bytes.
HIDDEN_FIELDS = frozenset(
    {
        "password",
        "security_stamp",
        "token_hash",
        "confirm_token_hash",
        "client_key",
        "content",
    }
)
EVENTS_SHOWN = 500
# The records a sealed evidence bundle is asked for from their history page (AU-03), with
# the search's selection that stands for each: an incident with everything it touched, a
# change notice, a customer with all of its records.
BUNDLE_RECORDS = ("breaches.Incident", "subprocessors.ChangeNotice", "compliance.Customer")


def _fields(model) -> list:
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_FIELDS and not f.name.endswith("_hash")
    ]


def _value(record, field) -> str:
    value = getattr(record, field.attname, None)
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, datetime.datetime):
        return value
    return str(value)


def object_history_context(*, user, model, object_id: str, at: datetime.datetime | None) -> dict:
    scope = customer_scope(user)
    shared = customer_incidents_shared(scope) if scope is not None else ()
    selection = EventFilter(object_type=model._meta.label, object_id=object_id)
    events = list(audit_search(scope=scope, selection=selection, shared=shared)[:EVENTS_SHOWN])
    labels = _Labels.load(scope=scope)
    # A reader limited to one customer sees the fields of its own records only; of a
    # record that concerns several customers (an incident) only the events, without payload.
    own = scope is None or any(e.customer_id == scope for e in events)
    if scope is not None and not events:
        raise Http404("not a record of yours")
    history, state = [], None
    history_manager = getattr(model, "history", None)
    if own and history_manager is not None:
        try:
            pk = model._meta.pk.to_python(object_id)
        except Exception as exc:  # noqa: BLE001 - any unparsable id is simply not found
            raise Http404("unknown record") from exc
        fields = _fields(model)
        records = list(
            history_manager.filter(**{model._meta.pk.attname: pk})
            .select_related("history_user")
            .order_by("history_date", "history_id")
        )
        previous = None
        for record in records:
            changes = [
                (f.verbose_name, _value(previous, f) if previous else "", _value(record, f))
                for f in fields
                if previous is None or _value(previous, f) != _value(record, f)
            ]
            who = record.history_user
            history.append(
                {
                    "at": record.history_date,
                    "kind": record.get_history_type_display(),
                    "who": labels.actor(who.pk, who.email, who.role)
                    if who
                    else labels.actor(None, "", "system"),
                    "changes": changes if previous is not None else [],
                    "created": previous is None,
                }
            )
            previous = record
        chosen = [r for r in records if at is None or r.history_date <= at]
        if chosen:
            last = chosen[-1]
            state = {
                "at": last.history_date,
                "deleted": last.history_type == "-",
                "fields": [(f.verbose_name, _value(last, f)) for f in fields],
            }
    if scope is None and not events and not history:
        raise Http404("unknown record")
    bundle = bundle_filters(model._meta.label, object_id, scope)
    return {
        "bundle_filters": bundle,
        "seal_fingerprint": seal().fingerprint if bundle is not None else "",
        "model_name": str(model._meta.verbose_name).capitalize(),
        "object_type": model._meta.label,
        "object_id": object_id,
        "at": at,
        "rows": history_rows(events, scope=scope),
        "history": history,
        "state": state,
        "historised": history_manager is not None and own,
    }


def bundle_filters(label: str, object_id: str, scope: int | None) -> list[tuple[str, str]] | None:
    """The search selection a sealed evidence bundle of this record is asked for with (the
    one request route of the search page, format zip), or None when the record is not one
    a bundle is made for. A reader limited to one customer asks for its own customer's."""
    if label not in BUNDLE_RECORDS or not object_id.isdigit() or len(object_id) > 18:
        return None
    if label == "breaches.Incident":
        return [("incident", object_id)]
    if label == "subprocessors.ChangeNotice":
        return [("object_type", label), ("object_id", object_id)]
    if scope is not None:
        return [] if int(object_id) == scope else None
    number = Customer.objects.filter(pk=int(object_id)).values_list("customer_number", flat=True)
    return [("customer", number[0])] if number else None
