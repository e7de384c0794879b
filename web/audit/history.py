"""The Audit section's history (AU-03): the filter form, what one event shows, and the CSV
and JSON exports streamed row by row.

A reader limited to one customer (an auditor that customer engaged) sees that customer's
events and, of the events that concern several customers (an incident's selection, its
fan-out), those about incidents it was part of, without their payload; the processor's
staff appear to it by role.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django import forms
from django.apps import apps
from django.conf import settings
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.actions import TIMELINE_ONLY, AuditAction
from audits.models import AuditEvent, actor_label_shown
from audits.selectors import SYSTEM_ROLE, EventFilter, audit_search
from breaches.history import (
    customer_incidents_shared,
    incident_audit_objects,
    incident_visible_to_customer,
)
from breaches.models import Incident
from compliance.access import customer_scope
from compliance.models import STAFF_ROLES, Customer, Role, User
from compliance.templatetags.compliance_tags import record_kind_label

# The apps whose objects the audit trail records.
AUDITED_APPS = ("compliance", "breaches", "subprocessors", "access", "audits")

# Words for each family of actions (the part of the action before its dot).
ACTION_GROUPS = {
    "auth": gettext_lazy("Sign-in and accounts"),
    "user": gettext_lazy("People"),
    "invitation": gettext_lazy("Invitations"),
    "token": gettext_lazy("API tokens"),
    "incident": gettext_lazy("Incidents"),
    "notice": gettext_lazy("Customer notices"),
    "update": gettext_lazy("Incident updates"),
    "dossier": gettext_lazy("Dossiers"),
    "outbox": gettext_lazy("Mail"),
    "customer": gettext_lazy("Customers"),
    "contact": gettext_lazy("Contacts"),
    "change_notice": gettext_lazy("Change notices"),
    "objection": gettext_lazy("Objections"),
    "termination": gettext_lazy("Termination rights"),
    "subprocessor": gettext_lazy("Subprocessors"),
    "subscriber": gettext_lazy("Subscribers"),
    "audit": gettext_lazy("Audit"),
    "access": gettext_lazy("Access to customer data"),
}


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.DISPLAY_TIME_ZONE)


def audited_models() -> dict[str, type]:
    return {
        model._meta.label: model
        for app in AUDITED_APPS
        for model in apps.get_app_config(app).get_models()
    }


def _action_choices() -> list:
    groups: dict[str, list] = {}
    for action in AuditAction:
        if action in TIMELINE_ONLY:
            continue  # never in the trail
        groups.setdefault(action.value.split(".", 1)[0].split(":", 1)[0], []).append(action)
    choices: list = [("", _("Everything"))]
    for prefix, members in sorted(groups.items()):
        label = str(ACTION_GROUPS.get(prefix, prefix.replace("_", " ").capitalize()))
        options = [(f"{prefix}.", _("All: %(group)s") % {"group": label})]
        options += [(a.value, str(a.label)) for a in members]
        choices.append((label, options))
    return choices


# Query parameters beside the filters: the page's position and an export's format.
NOT_FILTERS = ("before", "format", "csrfmiddlewaretoken")


class HistoryFilterForm(forms.Form):
    """The selection an auditor makes; every field optional. Dates are Amsterdam days."""

    period_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_to = forms.DateField(
        label=gettext_lazy("To (inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    action = forms.ChoiceField(label=gettext_lazy("What happened"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), required=False)
    actor = forms.TypedChoiceField(
        label=gettext_lazy("Person"), required=False, coerce=int, empty_value=None
    )
    customer = forms.CharField(label=gettext_lazy("Customer number"), required=False, max_length=20)
    incident = forms.IntegerField(
        label=gettext_lazy("Incident number"), required=False, min_value=1, max_value=2**63 - 1
    )
    object_type = forms.ChoiceField(label=gettext_lazy("Kind of record"), required=False)
    object_id = forms.CharField(label=gettext_lazy("Record number"), required=False, max_length=64)

    def __init__(self, data=None, *, user):
        super().__init__(data)
        self.user = user
        self.scope = customer_scope(user)
        self.fields["action"].choices = _action_choices()
        self.fields["role"].choices = [("", _("Any role")), *Role.choices] + [
            (SYSTEM_ROLE, _("System"))
        ]
        people = User.objects.order_by("full_name", "email")
        if self.scope is not None:
            people = people.filter(customer_id=self.scope)
            del self.fields["customer"]
        else:
            # The processor's own people; customers' users are found through their customer
            # (thousands of them would make the list unusable).
            people = people.filter(role__in=STAFF_ROLES)
        self.fields["actor"].choices = [("", _("Anyone"))] + [
            (u.pk, f"{u.full_name} ({u.email})" if u.full_name else u.email) for u in people
        ]
        self.fields["object_type"].choices = [("", _("Any"))] + sorted(
            (
                (label, str(model._meta.verbose_name).capitalize())
                for label, model in audited_models().items()
            ),
            key=lambda pair: pair[1],
        )

    @classmethod
    def for_params(cls, params, *, user) -> HistoryFilterForm:
        """The form for a selection given as a query (a QueryDict, or a dict of lists as an
        export stores it), without what is not a filter: the page's position, a format."""
        data = QueryDict(mutable=True)
        items = params.lists() if isinstance(params, QueryDict) else params.items()
        for key, values in items:
            if key not in NOT_FILTERS:
                data.setlist(key, values if isinstance(values, list) else [values])
        return cls(data, user=user)

    def clean_customer(self):
        number = (self.cleaned_data.get("customer") or "").strip()
        if not number:
            return None
        customer = Customer.objects.filter(customer_number=number).first()
        if customer is None:
            raise forms.ValidationError(_("No customer has this number."))
        return customer

    def clean_incident(self):
        number = self.cleaned_data.get("incident")
        if number is None:
            return None
        if self.scope is not None:
            visible = incident_visible_to_customer(number, self.scope)
        else:
            visible = Incident.objects.filter(pk=number).exists()
        if not visible:
            raise forms.ValidationError(_("No incident has this number."))
        return number

    def clean(self):
        data = super().clean()
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("The end of the period lies before its start."))
        return data

    def selection(self) -> EventFilter:
        data = self.cleaned_data
        zone = _local_zone()

        def midnight(day: datetime.date | None) -> datetime.datetime | None:
            if day is None:
                return None
            return datetime.datetime.combine(day, datetime.time(), tzinfo=zone)

        end = data.get("period_to")
        return EventFilter(
            occurred_from=midnight(data.get("period_from")),
            occurred_before=midnight(end + datetime.timedelta(days=1)) if end else None,
            actor_id=data.get("actor"),
            role=data.get("role") or "",
            actions=(data["action"],) if data.get("action") else (),
            object_type=data.get("object_type") or "",
            object_id=(data.get("object_id") or "").strip(),
            customer_id=data["customer"].pk if data.get("customer") else None,
            objects=incident_audit_objects(data["incident"]) if data.get("incident") else (),
        )

    def described(self) -> dict:
        """The selection as recorded in the reader's own audit event and in exports."""
        data = self.cleaned_data
        described = {
            key: (value.isoformat() if isinstance(value, datetime.date) else value)
            for key, value in data.items()
            if value not in (None, "") and key != "customer"
        }
        if data.get("customer"):
            described["customer_id"] = data["customer"].pk
        return described


def history_events(form: HistoryFilterForm) -> QuerySet[AuditEvent]:
    """The events of a valid form's selection that its user may read."""
    shared = customer_incidents_shared(form.scope) if form.scope is not None else ()
    return audit_search(scope=form.scope, selection=form.selection(), shared=shared)


# --------------------------------------------------------------------------- what a row shows


@dataclass
class _Labels:
    """Words looked up once per page or export, not per row."""

    scope: int | None
    actions: dict[str, str]
    roles: dict[str, str]
    own_people: frozenset[int]
    customers: dict[int, str]

    @classmethod
    def load(cls, *, scope: int | None, customer_ids: Iterable[int] | None = None) -> _Labels:
        customers = Customer.objects.all()
        if scope is not None:
            customers = customers.filter(pk=scope)
        elif customer_ids is not None:
            customers = customers.filter(pk__in=set(customer_ids))
        own = (
            frozenset(User.objects.filter(customer_id=scope).values_list("pk", flat=True))
            if scope is not None
            else frozenset()
        )
        return cls(
            scope=scope,
            actions={a.value: str(a.label) for a in AuditAction},
            roles={**{r.value: str(r.label) for r in Role}, SYSTEM_ROLE: _("System")},
            own_people=own,
            customers={
                pk: f"{name} ({number})"
                for pk, name, number in customers.values_list("pk", "name", "customer_number")
            },
        )

    def actor(self, actor_id, actor_label: str, role: str) -> str:
        if role == SYSTEM_ROLE or (actor_id is None and not actor_label):
            return self.roles[SYSTEM_ROLE]
        if self.scope is not None and actor_id not in self.own_people:
            return self.roles.get(role, _("Processor staff"))
        return actor_label_shown(actor_label)

    def shared(self, customer_id) -> bool:
        """An event about several customers, shown to a reader limited to one."""
        return self.scope is not None and customer_id is None


@dataclass
class HistoryRow:
    event: AuditEvent
    actor: str
    role: str
    action: str
    object_kind: str
    customer: str
    details: str
    shared: bool


def history_rows(events: list[AuditEvent], *, scope: int | None) -> list[HistoryRow]:
    labels = _Labels.load(scope=scope, customer_ids=[e.customer_id for e in events])
    kinds = {label: str(m._meta.verbose_name).capitalize() for label, m in audited_models().items()}
    rows = []
    for event in events:
        shared = labels.shared(event.customer_id)
        details = ""
        if not shared and (event.before or event.after):
            details = json.dumps(
                {k: v for k, v in (("before", event.before), ("after", event.after)) if v},
                ensure_ascii=False,
                sort_keys=True,
            )
        rows.append(
            HistoryRow(
                event=event,
                actor=labels.actor(event.actor_id, event.actor_label, event.role),
                role=labels.roles.get(event.role, event.role),
                action=labels.actions.get(event.action, event.action),
                object_kind=kinds.get(event.object_type) or record_kind_label(event.object_type),
                customer=labels.customers.get(event.customer_id, "") if event.customer_id else "",
                details=details,
                shared=shared,
            )
        )
    return rows
