"""Writes of the subprocessor area (SP-01 … SP-06); import every service from here."""

from subprocessors.services.change_notices import (
    change_notice_announce,
    change_notice_effective_set,
    change_notice_out_of_band_record,
    change_notice_withdraw,
    recipient_informed,
)
from subprocessors.services.drafting import change_notice_draft, change_notice_update
from subprocessors.services.go_live import change_notice_go_live, change_notices_go_live_due
from subprocessors.services.notice_mail import affected_customers, change_notice_letters_render
from subprocessors.services.objections import (
    objection_decide,
    objection_lodge,
    objection_review_start,
    termination_exercise,
)
from subprocessors.services.register import location_add, subprocessor_create
from subprocessors.services.subscribers import (
    SubscriptionLimitReached,
    consent_text,
    invalid_unsubscribe_link,
    subscriber_confirm,
    subscriber_for_unsubscribe_token,
    subscriber_list_headers,
    subscriber_subscribe,
    subscriber_unsubscribe,
    subscriber_unsubscribe_token,
    subscriber_unsubscribe_url,
    subscribers_sweep,
)

__all__ = [
    "SubscriptionLimitReached",
    "affected_customers",
    "change_notice_announce",
    "change_notice_draft",
    "change_notice_effective_set",
    "change_notice_go_live",
    "change_notice_letters_render",
    "change_notice_out_of_band_record",
    "change_notice_update",
    "change_notice_withdraw",
    "change_notices_go_live_due",
    "consent_text",
    "location_add",
    "objection_decide",
    "objection_lodge",
    "objection_review_start",
    "recipient_informed",
    "subprocessor_create",
    "subscriber_confirm",
    "subscriber_subscribe",
    "subscriber_unsubscribe",
    "invalid_unsubscribe_link",
    "subscriber_for_unsubscribe_token",
    "subscriber_list_headers",
    "subscriber_unsubscribe_token",
    "subscriber_unsubscribe_url",
    "subscribers_sweep",
    "termination_exercise",
]
