"""API of subject requests (issue 16): routes registered on `router` by processing/api_urls.py."""


def register(router) -> None:
    """Register this part's viewsets on the app's router."""
