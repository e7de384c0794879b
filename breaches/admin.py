"""Incidents and customer notices arrive with the breach workflow issue; their admin is
read-only (the workflow owns the data) and builds on `compliance.admin.ReadOnlyAdmin`."""
