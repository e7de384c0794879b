"""The address the product is reached at (SITE_URL), for links in mails and feeds (SP-01).

Kept apart from the settings so that `run_all` and the tests use the same rule.
"""

from collections.abc import Mapping

DEFAULT_PORT = "8000"


def site_url_from(environ: Mapping[str, str]) -> str:
    """SITE_URL when it is set; otherwise the local address on PORT (8000 without it), as
    `make run` serves the product there."""
    site_url = (environ.get("SITE_URL") or "").strip()
    if site_url:
        return site_url
    port = (environ.get("PORT") or "").strip() or DEFAULT_PORT
    return f"http://localhost:{port}"
