from django.core.management.base import BaseCommand

from web.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent)."

    def handle(self, *args, **options):
        result = load_demo()
        self.stdout.write(
            f"Demo data: {result['customers']} customers, {result['users']} users "
            f"(password for every demo sign-in: {DEMO_PASSWORD})."
        )
