"""REST API of the breach workflow: the same selectors, access checks and services as the
pages (BR-01 … BR-11).

Permission is checked before input is validated; objects are looked up through the user's
scope, so another customer's notice answers 404. There is no endpoint that notifies an
authority (BR-04): customers record what they did themselves.

One module per entity: incidents, notices, deadlines; the views are imported here for the
`/api/` router (`web/api_urls.py`).
"""

from breaches.api.deadlines import DeadlineListView
from breaches.api.incidents import IncidentViewSet
from breaches.api.notices import NoticeViewSet

__all__ = [
    "DeadlineListView",
    "IncidentViewSet",
    "NoticeViewSet",
]
