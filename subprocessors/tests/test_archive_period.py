"""The one-year archive period has one home: the change notice's choice of customers (RT-01)."""

import datetime

from subprocessors import deadlines
from subprocessors.services import change_notice_draft
from subprocessors.services.notice_mail import affected_customers
from subprocessors.tests.conftest import START, customer_with_contract

DAY = datetime.timedelta(days=1)


def test_a_contract_ended_a_year_ago_is_still_archived_a_day_more_is_not(
    privacy_officer, hosting, product, clock
):
    """OBL RT-01: an ended contract's data stays archived one year, so a change notice reaches
    a customer whose contract ended exactly `ARCHIVE_PERIOD` ago and not one day earlier
    (the rule lives in `affected_customers` only; the unused second copy is gone)."""
    today = START.date()
    edge = customer_with_contract(product, ends_on=today - deadlines.ARCHIVE_PERIOD)
    gone = customer_with_contract(product, ends_on=today - deadlines.ARCHIVE_PERIOD - DAY)
    notice = change_notice_draft(
        actor=privacy_officer,
        kind="new_location",
        subprocessor=hosting,
        location_city="Amsterdam",
        location_country="NL",
        effective_at=START + 30 * DAY,
    )
    affected = affected_customers(notice)
    assert affected[edge.pk][0] == "archived"
    assert gone.pk not in affected
    assert not hasattr(deadlines, "contract_still_archived")
