import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from compliance.models import User
from config.site import DEFAULT_PORT, site_url_from
from web.demo import DEMO_PASSWORD


def child_environment(environ, *, venv_bin: str) -> dict[str, str]:
    """The environment of web, worker and beat: PORT, and SITE_URL derived from it when not
    set, so that links in mails and feeds name the port the product runs on (SP-01)."""
    port = environ.get("PORT") or DEFAULT_PORT
    return dict(
        environ,
        PORT=port,
        SITE_URL=site_url_from({**environ, "PORT": port}),
        PATH=f"{venv_bin}:{environ.get('PATH', '')}",
    )


class Command(BaseCommand):
    help = "Start web, Celery worker, Celery beat, the mail sink and the bounce receiver."

    def handle(self, *args, **options):
        env = child_environment(os.environ, venv_bin=str(Path(sys.executable).parent))
        sign_ins = "\n".join(
            f"    {u.email:<40} {u.get_role_display()}"
            for u in User.objects.filter(is_active=True).order_by("role", "email")
        )
        self.stdout.write(
            f"\n  Processor compliance is starting on {env['SITE_URL']}\n\n"
            f"  Demo sign-ins (password: {DEMO_PASSWORD}):\n{sign_ins}\n"
            "  The first sign-in asks for a second factor: a passkey or an authenticator app.\n\n"
            f"  Sent mail is kept as .eml files in {settings.MAIL_SINK_DIR}\n"
            f"  Data: {settings.DATABASES['default']['NAME']}\n"
            "  Ctrl-C stops everything.\n\n"
        )
        procfile = str(settings.BASE_DIR / "Procfile")
        os.execvpe(
            "honcho",
            ["honcho", "start", "-f", procfile, "-d", str(settings.BASE_DIR)],
            env,
        )
