"""OBL SP-01: links in mails, the calendar feed and the Atom feed name the address the product
really runs at. `make run` derives SITE_URL from PORT when SITE_URL is not set; production
refuses to start without SITE_URL."""

import os
import subprocess
import sys

from django.conf import settings


def _settings_in_subprocess(module: str, environ: dict) -> subprocess.CompletedProcess:
    """Load `module` as Django's settings in a fresh interpreter with exactly `environ`
    (plus PATH) and print SITE_URL."""
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": module, **environ},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_site_url_follows_the_port_when_not_set():
    """OBL SP-01: without SITE_URL the address is the local one on PORT; SITE_URL wins."""
    from config.site import site_url_from

    assert site_url_from({}) == "http://localhost:8000"
    assert site_url_from({"PORT": "8123"}) == "http://localhost:8123"
    assert site_url_from({"PORT": "8123", "SITE_URL": "https://c.example"}) == "https://c.example"
    assert site_url_from({"PORT": "", "SITE_URL": ""}) == "http://localhost:8000"


def test_run_all_hands_its_processes_the_site_url_of_its_port():
    """OBL SP-01: `make run` on another port: web, worker and beat (which write the mails
    and feeds) all get SITE_URL for that port; an explicit SITE_URL is kept."""
    from web.management.commands.run_all import child_environment

    env = child_environment({"PORT": "8123", "PATH": "/usr/bin"}, venv_bin="/venv/bin")
    assert env["SITE_URL"] == "http://localhost:8123"
    assert env["PORT"] == "8123"
    assert env["PATH"].startswith("/venv/bin:")
    env = child_environment({"SITE_URL": "https://c.example"}, venv_bin="/venv/bin")
    assert env["SITE_URL"] == "https://c.example"
    assert env["PORT"] == "8000"


def test_embedded_settings_derive_site_url_from_port():
    """OBL SP-01: the embedded default settings (what every process of `make run` loads)
    take the port from PORT when SITE_URL is not set."""
    result = _settings_in_subprocess("config.settings.base", {"PORT": "8123"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "http://localhost:8123"


PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "compliance.example",
    "DATABASE_URL": "sqlite:////tmp/site-url-check.sqlite3",
}


def test_production_refuses_to_start_without_site_url():
    """OBL SP-01: production settings without SITE_URL stop with ImproperlyConfigured that
    says what to set; with it they load and use it."""
    result = _settings_in_subprocess("config.settings.production", PRODUCTION_ENV)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SITE_URL" in result.stderr.strip().splitlines()[-1]
    result = _settings_in_subprocess(
        "config.settings.production",
        {**PRODUCTION_ENV, "SITE_URL": "https://compliance.example", "PORT": "8123"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://compliance.example"
