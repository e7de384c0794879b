"""Django admin for the core data.

Who may do what here comes from the access layer, not from Django's model permissions: the
privacy officer reads and writes, a processor-wide auditor only reads, and nobody else gets
in (a customer's own auditor neither: the admin is not scoped to one organisation).

Writes go through the services where they exist (customers, contacts, contracts, users,
the processor profile), so the audit trail records them. Models without a service yet are
written by the admin itself, with an audit event in the same transaction. Data a workflow
owns (outgoing mail, stored documents) is read-only, and nothing is reverted from history:
a revert would bypass the services.

`base` holds the mixins the other apps' admins use too (imported from `compliance.admin`);
`organisation`, `people` and `records` register the models.
"""

from compliance.admin import organisation, people, records
from compliance.admin.base import (
    NEVER_LOGGED,
    AuditedAdminMixin,
    HistoryAdmin,
    ReadOnlyAdmin,
    RoleAdminMixin,
    RoleInlineMixin,
    _adopt,
    admin_reader,
    admin_writer,
    save_audited_formset,
    snapshot,
)

__all__ = [
    "NEVER_LOGGED",
    "AuditedAdminMixin",
    "HistoryAdmin",
    "ReadOnlyAdmin",
    "RoleAdminMixin",
    "RoleInlineMixin",
    "_adopt",
    "admin_reader",
    "admin_writer",
    "organisation",
    "people",
    "records",
    "save_audited_formset",
    "snapshot",
]
