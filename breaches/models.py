"""Incidents and customer notices arrive with the breach workflow issue."""
