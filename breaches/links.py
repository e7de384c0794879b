"""Absolute links into the product for e-mails, letters and calendars (BR-05, BR-06)."""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def site_link(url_name: str, fallback_path: str, *args) -> str:
    """An absolute link into the product; the fallback keeps e-mails right before the page
    helper's URL exists."""
    try:
        path = reverse(url_name, args=args)
    except NoReverseMatch:
        path = fallback_path
    return settings.SITE_URL.rstrip("/") + path


def notice_link(notice_id: int) -> str:
    return site_link("portal_notice_detail", f"/portal/notices/{notice_id}/", notice_id)


def incident_link(incident_id: int) -> str:
    return site_link("incident_detail", f"/incidents/{incident_id}/", incident_id)
