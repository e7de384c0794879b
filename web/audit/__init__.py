"""The Audit section (AU-03): the auditor's and the privacy officer's own pages for the
whole history — search and exports (`search`, `exports`), evidence by control and
reproducible samples (`evidence`, `sampling`), and the KPI report (`kpi`).

Everything here reads; what it writes is only the reader's own record (an audit event per
search and export, a recorded sample, an export file being built), so an auditor may use
all of it (`audit.view`)."""
