from django.apps import AppConfig


class WebConfig(AppConfig):
    """The top layer: pages that span apps, the /api/ router, the demo data and `run_all`.

    It has no models, so no name of its own appears anywhere a user looks."""

    name = "web"
