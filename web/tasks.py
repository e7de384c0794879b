"""Celery tasks of the top layer: thin doorbells around the Audit section's exports."""

from celery import shared_task

from web.audit import chain, exports


@shared_task(name=exports.BUILD_TASK, ignore_result=True)
def history_export_build(export_id: int) -> None:
    # AU-03: the claim on the export makes a second delivery of this task a no-op.
    exports.history_export_build(export_id=export_id)


@shared_task(name="web.tasks.history_exports_sweep", ignore_result=True)
def history_exports_sweep() -> None:
    # AU-03: exports whose task was lost or whose worker died are built again.
    exports.history_exports_sweep()


@shared_task(name=chain.CHECK_TASK, ignore_result=True)
def chain_check_run(check_id: int) -> None:
    # AU-03: the claim on the check makes a second delivery of this task a no-op.
    chain.chain_check_run(check_id=check_id)


@shared_task(name="web.tasks.chain_checks_sweep", ignore_result=True)
def chain_checks_sweep() -> None:
    # AU-03: chain checks whose task was lost or whose worker died are run again.
    chain.chain_checks_sweep()
