"""The evidence dossier of one incident: a PDF/A-3b with its data attached (AU-03, BR-02).

What ISO 27001 auditors check (A.5.24–A.5.28): how the incident was registered and handled.
The first page is a summary an auditor reads in a minute: what happened, when it was
discovered, the share of customers informed within 48 hours (the late ones named with their
reasons), the customers' decisions counted in words, the updates, and the audit chain head
(position and hash) the dossier was built from; its own issue is recorded after it. Then a
table of contents and numbered pages ("page 2 of 7"), tables in people's words and Amsterdam
time, and per-customer rows only for exceptions (late, not informed, failed or bounced
messages, informed out of band): the pages do not grow with the number of customers when
nothing went wrong. Every notice with its recipients, Message-ID, the mail server's reply
and `accepted_at`, every decision with its revisions and the whole timeline (every state
change from the history tables, every audit event of the incident, its notices, their
messages and letters, and its updates) are attached as JSON and CSV (PDF/A-3 embedded files
with the relationship "Data"), written row by row from a fixed number of queries, so an
auditor can check it by machine. The PDF is sealed by the processor (PAdES,
`compliance.seals.pdf_seal`) like an evidence bundle.

Stored, not rendered on demand: it is evidence of what the processor knew at the time it was
issued, so each dossier is an immutable StoredDocument with its SHA-256; a later dossier of
the same incident is a new document beside it.

Who gets it: the privacy officer and auditors (`audit.view`). The processor's own (ISO)
auditor gets the full dossier. An auditor engaged by a customer gets a dossier filtered to
that customer: the incident's facts as told to its customers, the incident's state changes
(without who made them), and only that customer's notice, messages, decisions and audit
events — the same scope the audit trail gives such an auditor. It is stored with that
customer, so it never shows up for anyone outside it. Customer users get nothing: the
dossier is the processor's evidence about its own handling, not a customer document.

Issued in the background: with thousands of customers rendering takes far longer than a web
request may. Asking writes a `DossierRequest` with its audit event (`dossier_request_create`,
one pending request per incident and scope, so a second click makes none); after commit a
Celery task renders it (`dossier_request_process`). The worker claims the request for a lease
(`claimed_until`), renders outside any transaction, then locks the row again and stores the
document only while the request is still pending: a request never gets two documents, even
when a lost task was handed out twice. `dossier_requests_sweep` (beat, every minute) hands
out requests nobody took up (a lost task, a dead worker) and fails those that did not finish
after `DOSSIER_MAX_ATTEMPTS` tries, so nothing is lost silently.

Modules: `selection` (which dossiers a user may have), `assembly` (what the pages show:
summary counts and exceptions), `streams` (every notice and the timeline, read in bulk and
handed on row by row), `attachments` (the JSON and CSV files, written streaming), `files`
(the PDF and its seal), `requests` (the request lifecycle: create, process, sweep). The
package itself exports nothing.
"""
