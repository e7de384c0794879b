from django.apps import AppConfig


class WebConfig(AppConfig):
    """The top layer: pages that span apps, the /api/ router, the demo data and `run_all`.

    It has no models, so no name of its own appears anywhere a user looks."""

    name = "web"

    def ready(self):
        # Django app loading: the tasks need the models, so they are imported once apps are ready.
        from web import tasks  # noqa: F401 - registers the Celery tasks that services ring by name
