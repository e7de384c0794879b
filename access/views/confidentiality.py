"""Pages of confidentiality (AC-01): the register, publishing a version, acknowledging."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from access.forms.confidentiality import AcknowledgeForm, PublishForm
from access.middleware import safe_next
from access.models import ConfidentialityAcknowledgement
from access.selectors import confidentiality as selectors
from access.services import confidentiality as services
from compliance.access import can, require
from compliance.forms import attach_service_errors
from compliance.methods import require_form


def text_in_language(text) -> str:
    if text is None:
        return ""
    return text.text_nl if (get_language() or "en").startswith("nl") else text.text_en


@require_safe
def register(request):
    """Every staff member, the version they acknowledged and when; who is missing (AC-01)."""
    user = request.user
    require(user, "confidentiality.view")
    text = services.text_current()
    rows = selectors.register_rows(user, text)
    missing = [row for row in rows if not row.current]
    return render(
        request,
        "access/confidentiality/register.html",
        {
            "text": text,
            "text_shown": text_in_language(text),
            "rows": rows,
            "missing": missing,
            "total": len(rows),
            "done": len(rows) - len(missing),
            "texts": selectors.texts_for(user),
            "can_publish": can(user, "confidentiality.publish"),
        },
    )


@require_form
def publish(request):
    user = request.user
    require(user, "confidentiality.publish")
    current = services.text_current()
    initial = {"text_en": current.text_en, "text_nl": current.text_nl} if current else {}
    form = PublishForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            text = services.text_publish(actor=user, **form.cleaned_data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Version %(version)d is published: every staff member is asked to "
                    "acknowledge it."
                )
                % {"version": text.version},
            )
            return redirect("access:confidentiality")
    return render(
        request,
        "access/confidentiality/publish.html",
        {"form": form, "current": current},
        status=400 if form.errors else 200,
    )


@require_form
def acknowledge(request):
    """The current text, in the reader's language, to acknowledge (AC-01). The gate sends a
    staff member here before anything else until they have."""
    user = request.user
    if not services.is_bound(user):
        raise PermissionDenied(
            _("Only the processor's staff acknowledge the confidentiality text.")
        )
    text = services.text_current()
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = AcknowledgeForm(
        request.POST if request.method == "POST" else None,
        initial={"version": text.version if text else None},
    )
    if request.method == "POST" and text is not None and form.is_valid():
        if form.cleaned_data["version"] != text.version:
            form.add_error(
                None,
                _("A newer version of the text was published: read it and acknowledge that one."),
            )
        else:
            try:
                services.acknowledge(user=user, text=text)
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                messages.success(request, _("Thank you: your acknowledgement is recorded."))
                return redirect(next_url or "home")
    mine = (
        ConfidentialityAcknowledgement.objects.filter(user=user, text=text).first()
        if text
        else None
    )
    return render(
        request,
        "access/confidentiality/acknowledge.html",
        {
            "text": text,
            "text_shown": text_in_language(text),
            "form": form,
            "mine": mine,
            "next": next_url or "",
        },
        status=400 if form.errors else 200,
    )
