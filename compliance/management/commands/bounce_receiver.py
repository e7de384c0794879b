import logging

from django.conf import settings
from django.core.management.base import BaseCommand

from compliance.bounces import BounceHandler
from compliance.smtpd import serve_forever

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Receive delivery-status notifications for the bounce address over SMTP."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.BOUNCE_RECEIVER_HOST)
        parser.add_argument("--port", type=int, default=settings.BOUNCE_RECEIVER_PORT)

    def handle(self, *args, host, port, **options):
        def ready():
            self.stdout.write(
                f"Bounce receiver for {settings.BOUNCE_ADDRESS} listening on {host}:{port}",
                self.style.SUCCESS,
            )
            self.stdout.flush()

        serve_forever(BounceHandler(), host=host, port=port, on_ready=ready)
