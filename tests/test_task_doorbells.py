"""Services ring their Celery tasks by name (`compliance.doorbell`), never importing a tasks
module: every name they ring is a task registered once the apps are loaded, so the doorbell
after commit reaches its task (and runs in the caller when tasks are eager)."""

from breaches.dossier.requests import RENDER_TASK
from breaches.services.letters import LETTER_VERSIONS_TASK as NOTICE_LETTERS_TASK
from compliance.outbox import DELIVER_TASK
from config.celery import app
from subprocessors.services.notice_mail import LETTERS_TASK as CHANGE_NOTICE_LETTERS_TASK


def test_every_task_a_service_rings_is_registered():
    rung = {DELIVER_TASK, NOTICE_LETTERS_TASK, RENDER_TASK, CHANGE_NOTICE_LETTERS_TASK}
    assert rung <= set(app.tasks)
