"""The PDF service: rendered text, stored hash, sealed URL fetching, immutability, downloads."""

import datetime
import hashlib
import io
import struct
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
import weasyprint
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from pypdf import PdfReader

from audits.models import AuditEvent
from compliance.documents import (
    PDF_BASE_URL,
    DocumentRenderError,
    StaticOnlyURLFetcher,
    document_build,
    document_render,
    template_version,
)
from compliance.models import DocumentImmutableError, ProcessorProfile, Role, StoredDocument
from compliance.selectors import documents_for
from tests.auth import sign_in

PROBE_TEMPLATE = """{% extends "pdf/base_letter.html" %}
{% block content %}<p>{{ body }}</p>{{ extra|safe }}{% endblock %}
"""


def png_bytes(width=4, height=4) -> bytes:
    """A small valid PNG, made here so the test needs no binary fixture."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + b"\xc0\x20\x20" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_image_count(content: bytes) -> int:
    reader = PdfReader(io.BytesIO(content))
    return sum(len(page.images) for page in reader.pages)


@pytest.fixture
def processor(db):
    return ProcessorProfile.objects.create(
        legal_name="Processor Software B.V.",
        privacy_team_name="Privacy Team",
        privacy_email="privacy@processor.example",
    )


@pytest.fixture
def probe_templates(tmp_path, settings):
    """A template directory of this test's own, in front of the project's templates."""
    directory = tmp_path / "templates"
    (directory / "probe").mkdir(parents=True)
    (directory / "probe" / "letter.html").write_text(PROBE_TEMPLATE)
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [directory, *engine["DIRS"]]}]
    return directory


@pytest.fixture
def probe_static(tmp_path, settings):
    """A static directory of this test's own holding `probe/mark.png`."""
    directory = tmp_path / "static"
    (directory / "probe").mkdir(parents=True)
    (directory / "probe" / "mark.png").write_bytes(png_bytes())
    settings.STATICFILES_DIRS = [directory, *settings.STATICFILES_DIRS]
    return directory


@pytest.fixture
def http_probe(monkeypatch):
    """A local HTTP server on a free port that records every request it receives."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.server.requests.append(self.path)
            body = png_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def render_probe(*, customer=None, language="en", body="Body text.", extra="", actor=None):
    return document_render(
        template_name="probe/letter.html",
        context={"body": body, "extra": extra},
        language=language,
        title="Probe letter",
        filename="probe-letter.pdf",
        customer=customer,
        actor=actor,
    )


# --- rendering and storing -----------------------------------------------------------------


@time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_rendered_pdf_contains_its_text_in_english_and_dutch(processor, probe_templates, customer):
    """OBL AU-03: an issued letter reads back with its text, in the language asked for."""
    english = render_probe(customer=customer, language="en", body="Your data is safe with us.")
    dutch = render_probe(customer=customer, language="nl", body="Uw gegevens zijn veilig.")

    english_text = pdf_text(bytes(english.content))
    assert "Processor Software B.V." in english_text
    assert "Your data is safe with us." in english_text
    assert customer.name in english_text
    assert "2 March 2026" in english_text
    assert str(english.uuid) in english_text

    dutch_text = pdf_text(bytes(dutch.content))
    assert "Processor Software B.V." in dutch_text
    assert "Uw gegevens zijn veilig." in dutch_text
    # The date is formatted under the Dutch translation (Django's own catalogue).
    assert "2 maart 2026" in dutch_text
    assert "March" not in dutch_text

    assert (english.language, dutch.language) == ("en", "nl")
    reader = PdfReader(io.BytesIO(bytes(dutch.content)))
    assert reader.metadata.title == "Probe letter"


def test_stored_hash_matches_the_bytes_and_the_issue_is_audited(
    processor, probe_templates, customer, privacy_officer
):
    """OBL AU-03: the stored SHA-256 is that of the stored bytes; the issue is in the trail."""
    document = render_probe(customer=customer, actor=privacy_officer)
    document = StoredDocument.objects.get(pk=document.pk)
    content = bytes(document.content)

    assert content.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(content).hexdigest()
    assert document.size == len(content)
    assert document.template_name == "probe/letter.html"
    assert document.template_version == template_version("probe/letter.html")
    assert len(document.template_version) == 64
    assert document.created_by == privacy_officer

    event = AuditEvent.objects.get(action="document.issued", object_id=str(document.pk))
    assert event.customer_id == customer.pk
    assert event.after["sha256"] == document.sha256
    assert event.after["template_version"] == document.template_version


def test_template_version_covers_the_extended_base_template(probe_templates, settings):
    """A change in the base letter changes the version of every letter built on it."""
    (probe_templates / "probe" / "base.html").write_text("<p>{% block content %}{% endblock %}")
    (probe_templates / "probe" / "child.html").write_text(
        '{% extends "probe/base.html" %}{% block content %}Hello{% endblock %}'
    )
    before = template_version("probe/child.html")
    (probe_templates / "probe" / "base.html").write_text("<div>{% block content %}{% endblock %}")
    settings.TEMPLATES = [dict(settings.TEMPLATES[0])]  # a fresh engine, no cached templates
    assert template_version("probe/child.html") != before


def test_bad_input_saves_nothing(processor, probe_templates):
    with pytest.raises(ValidationError, match="language"):
        document_render(
            template_name="probe/letter.html",
            context={},
            language="fr",
            title="x",
            filename="x.pdf",
        )
    assert not StoredDocument.objects.exists()


def test_title_rule_is_one_for_both_constructors(processor, probe_templates):
    """OBL AU-03: a stored document keeps the title it was issued under: both constructors
    (`document_render`, `document_build`) accept 200 characters and refuse 201 with a clear
    message, never cutting the title; nothing is stored for the refused one."""
    at_limit, over = "T" * 200, "T" * 201
    rendered = document_render(
        template_name="probe/letter.html",
        context={"body": "x"},
        language="en",
        title=at_limit,
        filename="x.pdf",
    )
    assert rendered.title == at_limit
    with pytest.raises(ValidationError, match="at most 200 characters; this one has 201"):
        document_render(
            template_name="probe/letter.html",
            context={"body": "x"},
            language="en",
            title=over,
            filename="x.pdf",
        )
    assert StoredDocument.objects.count() == 1

    def build(title):
        return document_build(
            content=b"%PDF-1.7 probe",
            title=title,
            filename="x.pdf",
            template_name="probe/letter.html",
            template_version="v",
            language="en",
            issued_at=rendered.created_at,
        )

    assert build(f"  {at_limit} ").title == at_limit
    with pytest.raises(ValidationError, match="at most 200 characters; this one has 201"):
        build(over)


def test_filename_is_sanitised(processor, probe_templates):
    document = document_render(
        template_name="probe/letter.html",
        context={"body": "x"},
        language="en",
        title="x",
        filename='../../etc/"evil"\r\nname',
    )
    assert "/" not in document.filename and "\n" not in document.filename
    assert document.filename.endswith(".pdf")


# --- URL fetching: the project's static files only ------------------------------------------


def test_http_image_outside_static_is_never_fetched(processor, probe_templates, http_probe):
    """An <img> or stylesheet on another server is not requested while rendering."""
    port = http_probe.server_address[1]
    extra = (
        f'<img src="http://127.0.0.1:{port}/tracker.png">'
        f'<link rel="stylesheet" href="http://127.0.0.1:{port}/evil.css">'
        f'<img src="http://localhost:{port}/other.png">'
    )
    # Control: WeasyPrint's own fetcher does reach the probe, so silence below means refusal.
    weasyprint.HTML(string=f"<p>control</p>{extra}").write_pdf()
    assert http_probe.requests, "the probe server should see the unrestricted fetcher"
    http_probe.requests.clear()

    document = render_probe(extra=extra)

    assert http_probe.requests == []
    assert pdf_image_count(bytes(document.content)) == 0


def test_file_url_outside_static_is_refused(processor, probe_templates, tmp_path):
    outside = tmp_path / "outside" / "secret.png"
    outside.parent.mkdir()
    outside.write_bytes(png_bytes())
    # Control: WeasyPrint's own fetcher would embed it.
    assert pdf_image_count(weasyprint.HTML(string=f'<img src="file://{outside}">').write_pdf()) == 1

    document = render_probe(
        extra=f'<img src="file://{outside}"><img src="file:///etc/passwd">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
    )
    assert pdf_image_count(bytes(document.content)) == 0


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/hostname",
        "file:///usr/share/fonts/../../../etc/passwd",
        "https://example.com/logo.png",
        "http://127.0.0.1:1/x.png",
        "ftp://example.com/x.png",
        PDF_BASE_URL + "static/../../../etc/passwd",
        PDF_BASE_URL + "static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        PDF_BASE_URL + "static//etc/passwd",
        PDF_BASE_URL + "etc/passwd",
    ],
)
def test_fetcher_refuses_everything_but_static_files(url):
    with pytest.raises(ValueError, match="refused"):
        StaticOnlyURLFetcher().fetch(url)


def test_fetcher_serves_static_files_fonts_and_data_urls():
    fetcher = StaticOnlyURLFetcher()
    css = fetcher.fetch(PDF_BASE_URL + "static/pdf/letter.css")
    assert b"@page" in css.read()
    assert css.content_type == "text/css"
    font = fetcher.fetch("file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    assert font.read(4) == b"\x00\x01\x00\x00"
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


def test_static_image_is_fetched(processor, probe_templates, probe_static):
    document = render_probe(extra='<img src="/static/probe/mark.png">')
    assert pdf_image_count(bytes(document.content)) == 1


def test_data_url_image_is_used(processor, probe_templates):
    import base64

    data = base64.b64encode(png_bytes()).decode()
    document = render_probe(extra=f'<img src="data:image/png;base64,{data}">')
    assert pdf_image_count(bytes(document.content)) == 1


def test_missing_static_file_stops_the_render(processor, probe_templates):
    with pytest.raises(DocumentRenderError, match="not found"):
        render_probe(extra='<img src="/static/probe/does-not-exist.png">')
    assert not StoredDocument.objects.exists()


# --- immutability ------------------------------------------------------------------------------


def test_stored_document_cannot_be_changed_or_deleted(processor, probe_templates, customer):
    """OBL AU-03: an issued document never changes."""
    document = render_probe(customer=customer)
    original = StoredDocument.objects.get(pk=document.pk)

    document.title = "Tampered"
    with pytest.raises(DocumentImmutableError):
        document.save()
    with pytest.raises(DocumentImmutableError):
        document.save(update_fields=["title"])
    with pytest.raises(DocumentImmutableError):
        document.delete()
    with pytest.raises(DocumentImmutableError):
        StoredDocument.objects.filter(pk=document.pk).update(title="Tampered")
    with pytest.raises(DocumentImmutableError):
        StoredDocument.objects.filter(pk=document.pk).delete()

    stored = StoredDocument.objects.get(pk=document.pk)
    assert stored.title == original.title
    assert bytes(stored.content) == bytes(original.content)


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)
def test_postgresql_trigger_refuses_raw_update_and_delete(processor, probe_templates):
    """OBL AU-03: even raw SQL cannot change or remove an issued document on PostgreSQL."""
    document = render_probe()
    for sql in (
        "UPDATE compliance_storeddocument SET title = 'Tampered' WHERE id = %s",
        "UPDATE compliance_storeddocument SET content = '\\x00'::bytea WHERE id = %s",
        "DELETE FROM compliance_storeddocument WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="immutable"):
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [document.pk])
    stored = StoredDocument.objects.get(pk=document.pk)
    assert stored.title == "Probe letter"
    assert stored.sha256 == hashlib.sha256(bytes(stored.content)).hexdigest()


# --- reading and downloading -----------------------------------------------------------------


def test_documents_for_scopes_by_customer(
    processor, probe_templates, customer, other_customer, customer_contact, make_user
):
    own = render_probe(customer=customer)
    foreign = render_probe(customer=other_customer)
    processor_wide = render_probe()

    assert set(documents_for(customer_contact)) == {own}
    engaged_auditor = make_user(Role.AUDITOR, customer=customer)
    assert set(documents_for(engaged_auditor)) == {own}
    processor_auditor = make_user(Role.AUDITOR)
    assert set(documents_for(processor_auditor)) == {own, foreign, processor_wide}


def test_download_by_owner_customer_user(
    processor, probe_templates, customer, customer_contact, client_for
):
    """OBL RT-01: the customer downloads its own document, byte for byte as issued."""
    document = render_probe(customer=customer)
    url = reverse("document_download", args=[document.uuid])

    response = client_for(customer_contact).get(url)

    assert response.status_code == 200
    assert response.content == bytes(document.content)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="probe-letter.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_download_of_another_customers_document_is_404(
    processor, probe_templates, customer, other_customer, make_user, client_for
):
    document = render_probe(customer=customer)
    stranger = make_user(Role.CUSTOMER_ADMIN, customer=other_customer)
    client = client_for(stranger)

    response = client.get(reverse("document_download", args=[document.uuid]))
    assert response.status_code == 404
    processor_wide = render_probe()
    response = client.get(reverse("document_download", args=[processor_wide.uuid]))
    assert response.status_code == 404


def test_download_by_staff_and_anonymous(
    processor, probe_templates, customer, privacy_officer, client
):
    document = render_probe(customer=customer)
    url = reverse("document_download", args=[document.uuid])

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    sign_in(client, privacy_officer)
    assert client.get(url).status_code == 200
    unknown = reverse("document_download", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(unknown).status_code == 404
