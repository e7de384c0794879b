"""Pages for personal API tokens (ON-02): list one's own, create (the secret is shown once),
revoke. A privacy officer also sees, and may revoke, everyone else's usable tokens.

The access middleware has already required a verified second factor; the service checks it
again, because a token may only come from such a session.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from compliance import tokens
from compliance.access import can
from compliance.forms import attach_service_errors
from compliance.methods import require_form

DEFAULT_LIFETIME_DAYS = 30


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=tokens.NAME_MAX_LENGTH,
        help_text=gettext_lazy("What the token is for, for example the script that uses it."),
    )
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        initial=DEFAULT_LIFETIME_DAYS,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        maximum = tokens.max_lifetime_days()
        field = self.fields["expires_in_days"]
        field.max_value = maximum
        field.validators.append(MaxValueValidator(maximum))
        field.widget.attrs["max"] = maximum
        field.initial = min(DEFAULT_LIFETIME_DAYS, maximum)
        field.help_text = _("At most %(max)d days. The token stops working after that.") % {
            "max": maximum
        }


@require_safe
def token_list(request):
    user = request.user
    visible = tokens.api_tokens_for(user)
    others = None
    if can(user, tokens.REVOKE_ANY):
        others = visible.exclude(user=user).filter(
            revoked_at__isnull=True, expires_at__gt=timezone.now()
        )
    return render(
        request,
        "compliance/tokens/list.html",
        {
            "tokens": visible.filter(user=user),
            "others": others,
            "now": timezone.now(),
        },
    )


@never_cache
@require_form
def token_create(request):
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = tokens.api_token_create(
                actor=request.user, request=request, **form.cleaned_data
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            # Rendered, not redirected: the secret exists only in this response.
            return render(
                request, "compliance/tokens/created.html", {"token": token, "secret": secret}
            )
    return render(request, "compliance/tokens/form.html", {"form": form})


@require_form
def token_revoke(request, pk):
    token = tokens.api_token_get(request.user, pk)
    if request.method == "POST":
        tokens.api_token_revoke(actor=request.user, token=token)
        messages.success(request, _("The token %(name)s was revoked.") % {"name": token.name})
        return redirect("api_tokens")
    return render(request, "compliance/tokens/confirm_revoke.html", {"token": token})
