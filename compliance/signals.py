"""What the outbox tells the workflows that queued a message (rows with a `cause`).

Both are sent inside the transaction that records the outcome, so a receiver's writes (for
example a notice's `informed_at`) commit together with it. Receivers must be quick: they run
once per message of a fan-out.
"""

from django.dispatch import Signal

# The mail server accepted the message. Sent with `message`.
message_accepted = Signal()
# The message will not be delivered: refused by the server or bounced later. Sent with
# `message` and `reason` ("refused" or "bounced").
message_failed = Signal()
