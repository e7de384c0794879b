"""API of temporary (issue 15): routes registered on `router` by access/api_urls.py."""


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
