"""The public side (SP-01): register, Atom feed, e-mail subscription. No sign-in, no
JavaScript; the register fragment and the feed come from the cache (see register_cache)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from compliance.client_address import client_address
from compliance.forms import attach_service_errors
from compliance.methods import require_form
from subprocessors import selectors
from subprocessors.feeds import RegisterChangesFeed
from subprocessors.forms import SubscribeForm
from subprocessors.models import ChangeNoticeState
from subprocessors.register_cache import register_cached
from subprocessors.services import (
    SubscriptionLimitReached,
    consent_text,
    invalid_unsubscribe_link,
    subscriber_confirm,
    subscriber_for_unsubscribe_token,
    subscriber_subscribe,
    subscriber_unsubscribe,
)

# Changes that went live are listed on the register for a year.
RECENT_CHANGES = datetime.timedelta(days=365)


def _register_fragment() -> str:
    register = selectors.public_register()
    recent = list(
        selectors.public_changes()
        .filter(
            state=ChangeNoticeState.EFFECTIVE, went_live_at__gte=timezone.now() - RECENT_CHANGES
        )
        .order_by("-went_live_at", "-id")
    )
    return render_to_string(
        "subprocessors/public/_register.html",
        {
            "subprocessors": register["subprocessors"],
            "announced_changes": register["announced_changes"],
            "recent_changes": recent,
        },
    )


def _subscribe_form(data=None) -> SubscribeForm:
    return SubscribeForm(data, initial={"language": (get_language() or "en")[:2]})


@require_safe
def register(request):
    """The public register (SP-01) with the current and announced changes."""
    fragment = register_cached("page", _register_fragment)
    return render(
        request,
        "subprocessors/public/register.html",
        {"register_html": mark_safe(fragment), "form": _subscribe_form()},  # noqa: S308 - our own template
    )


@require_safe
def feed(request):
    """Atom feed of register changes, cached like the page."""
    body = register_cached("feed", lambda: RegisterChangesFeed()(request).content)
    return HttpResponse(body, content_type="application/atom+xml; charset=utf-8")


@require_form
def subscribe(request):
    """Double opt-in: the address gets a confirmation link; nothing is sent to it before.
    Every valid address gets the same answer, whether new, pending, subscribed or
    unsubscribed (SP-01); over a limit the form says so with 429 and sends nothing."""
    form = _subscribe_form(request.POST if request.method == "POST" else None)
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            subscriber_subscribe(**form.cleaned_data, client_address=client_address(request))
        except SubscriptionLimitReached as error:
            form.add_error(None, error.message)
            status, retry_after = 429, error.retry_after
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            return redirect("subprocessors:subscribe_sent")
    if form.errors and status == 200:
        status = 400
    response = render(request, "subprocessors/public/subscribe.html", {"form": form}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_safe
def subscribe_sent(request):
    return render(request, "subprocessors/public/subscribe_sent.html")


@require_form
def subscription_confirm(request, token):
    """The link in the confirmation e-mail. Opening it shows a button; only pressing it
    confirms, so a mail scanner that follows links cannot subscribe anyone."""
    errors: list[str] = []
    if request.method == "POST":
        try:
            subscriber_confirm(token=token, client_address=client_address(request))
        except ValidationError as error:
            errors = error.messages
        else:
            return render(request, "subprocessors/public/subscription_confirmed.html")
    return render(
        request,
        "subprocessors/public/subscription_confirm.html",
        {"errors": errors, "consent_text": consent_text()},
        status=400 if errors else 200,
    )


@csrf_exempt  # RFC 8058 one-click: mail clients POST without cookies or our form's token;
# the token in the URL is the proof. Only this view is exempt.
@require_form
def unsubscribe(request, token):
    """The link in every subscriber mail and its List-Unsubscribe header (RFC 8058). GET only
    shows the address and a button (a mail scanner opening links changes nothing); POST —
    the button, or a mail program's `List-Unsubscribe=One-Click` — ends the subscription.
    Repeating it is harmless."""
    errors: list[str] = []
    subscriber = None
    if request.method == "POST":
        try:
            subscriber_unsubscribe(token=token)
        except ValidationError as error:
            errors = error.messages
        else:
            return render(request, "subprocessors/public/unsubscribed.html")
    else:
        subscriber = subscriber_for_unsubscribe_token(token)
        if subscriber is None:
            errors = [invalid_unsubscribe_link()]
    return render(
        request,
        "subprocessors/public/unsubscribe.html",
        {"errors": errors, "subscriber": subscriber},
        status=400 if errors else 200,
    )
