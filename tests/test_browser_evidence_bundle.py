"""In a real browser (Debian's Chromium): the auditor takes a sealed evidence bundle for an
incident from the Audit section, the worker builds it, the auditor downloads it, and the
script inside verifies it on "another machine" (/usr/bin/python3 -I, standard library and
cryptography only), in English and Dutch (AU-03). Screenshots go to /tmp/shots14/C/.
Run with `pytest -m browser`.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import time_machine
from playwright.sync_api import Browser, expect

from audits.seal import seal
from compliance.models import ExportState, HistoryExport
from tests.test_audit_search import NOW, _world
from tests.test_browser_audit import LABELS, page_for, site  # noqa: F401 - a fixture
from tests.test_evidence_bundles import _letter, run_verifier
from web.audit.exports import history_export_build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots14/C")


@pytest.fixture(autouse=True)
def _seal_files(settings, tmp_path):
    settings.EVIDENCE_SEAL_KEY_FILE = str(tmp_path / "seal" / "key.pem")
    settings.EVIDENCE_SEAL_CERT_FILE = str(tmp_path / "seal" / "certificate.pem")
    settings.EVIDENCE_TSA_URL = ""


@pytest.mark.parametrize("language", ["en", "nl"])
def test_auditor_takes_a_sealed_bundle_for_an_incident_and_verifies_it_elsewhere(
    site,  # noqa: F811
    make_user,
    browser: Browser,
    language,
    tmp_path,
):
    """OBL AU-03: from the Audit section the auditor selects an incident, asks for a sealed
    evidence bundle, sees it being prepared, downloads it when the worker has built it, and
    the bundled script verifies it with the system's Python and the published fingerprint
    shown on the page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    with time_machine.travel(NOW, tick=False):
        world = _world(make_user)
        _letter(world)
    words = LABELS[language]
    page = page_for(browser, site, world["auditor"], language)
    page.goto("/audit/")
    page.screenshot(path=str(SHOTS / f"audit-home-{language}.png"), full_page=True)
    page.get_by_role("link", name=words["search"]).click()
    page.locator("input[name=incident]").fill(str(world["incident"].pk))
    page.get_by_role("button", name=words["button"], exact=True).click()
    bundle_button = page.locator("button[name=format][value=zip]")
    expect(bundle_button).to_be_visible()
    fingerprint = seal().fingerprint
    expect(page.locator("code", has_text=fingerprint)).to_be_visible()
    bundle_button.click()
    export = HistoryExport.objects.get()
    assert export.format == "zip" and export.state == ExportState.PENDING
    expect(page.locator("#audit-exports")).to_be_visible()
    page.screenshot(path=str(SHOTS / f"bundle-requested-{language}.png"), full_page=True)

    assert history_export_build(export_id=export.pk) is not None  # the worker's part
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name=words["download"], exact=True).click()
    assert download.value.suggested_filename.startswith("evidence-bundle-")
    assert download.value.suggested_filename.endswith(".zip")
    page.screenshot(path=str(SHOTS / f"bundle-ready-{language}.png"), full_page=True)
    bundle = Path(download.value.path()).read_bytes()
    names = zipfile.ZipFile(io.BytesIO(bundle)).namelist()
    assert any(n.startswith("sealed/") for n in names)

    result = run_verifier(bundle, tmp_path, fingerprint)
    assert result.returncode == 0, result.stdout + result.stderr
    (SHOTS / f"verify-output-{language}.txt").write_text(result.stdout)
    assert "VERIFIED: every check passed." in result.stdout
    page.context.close()
