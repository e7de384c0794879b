"""Pages around sign-in: the invitation link, recent sign-ins, and the
people page where invitations are sent and second factors reset (ON-01, ON-02)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Count, Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from compliance import accounts, factors
from compliance.access import can, customer_scope, require
from compliance.methods import require_form
from compliance.models import CUSTOMER_ROLES, Customer, Invitation, Language, Role, User


@require_safe
def invitation_open(request, token: str):
    """The link in the invitation e-mail: remembers the invitation in this browser and
    opens the sign-up form with the invited address (ON-01)."""
    invitation = accounts.invitation_by_token(token)
    now = timezone.now()
    if invitation is None or not invitation.is_usable(now):
        if invitation is None:
            reason = _("This invitation link is not valid. Check that you opened the whole link.")
        elif invitation.accepted_at:
            reason = _("This invitation was already used. Sign in with your e-mail address.")
        elif invitation.revoked_at:
            reason = _("This invitation was withdrawn. Ask for a new invitation.")
        else:
            reason = _("This invitation has expired. Ask for a new invitation.")
        return render(request, "account/invitation_invalid.html", {"reason": reason}, status=410)
    if request.user.is_authenticated:
        logout(request)  # someone else's session must not carry over into a new account
    accounts.invitation_remember(request, invitation)
    return redirect(f"{reverse('account_signup')}?{urlencode({'email': invitation.email})}")


@require_safe
def sign_ins(request):
    """The user's own recent sign-ins and failed second-factor attempts."""
    events = accounts.sign_ins_for(request.user)
    return render(request, "account/sign_ins.html", {"events": events})


@require_safe
def admin_login(request):
    """The Django admin signs in through the same pages as everyone (no bypass of ON-02)."""

    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


# --------------------------------------------------------------------------- people


# The roles that belong to an organisation: customer users always, an auditor only when
# one customer engaged it (the processor's own auditor has none).
ORGANISATION_ROLES = {*CUSTOMER_ROLES, Role.AUDITOR}


class InvitationForm(forms.Form):
    """Who to invite: no role is chosen for the inviter (the first choice is empty, so the
    most powerful role is never a default), and the organisation is asked only for the roles
    that belong to one (ON-01)."""

    full_name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    role = forms.ChoiceField(label=gettext_lazy("Role"))
    customer = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"),
        queryset=Customer.objects.none(),
        required=False,
        empty_label=gettext_lazy("Choose an organisation"),
        help_text=gettext_lazy(
            "Only for customer users, and for an auditor engaged by one customer."
        ),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Language.choices)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        scope = customer_scope(user)
        roles = Role.choices
        if scope is None:
            self.fields["customer"].queryset = Customer.objects.order_by("name")
        else:
            roles = [c for c in Role.choices if c[0] in CUSTOMER_ROLES]
            self.fields["customer"].queryset = Customer.objects.filter(pk=scope)
            self.fields["customer"].initial = scope
            self.fields["customer"].required = True
            self.fields["customer"].empty_label = None
            self.fields["customer"].help_text = ""
        self.fields["role"].choices = [("", _("Choose a role")), *roles]
        self.fields["role"].widget.attrs["data-organisation-roles"] = " ".join(
            sorted(ORGANISATION_ROLES)
        )
        self.fields["full_name"].widget.attrs["autocomplete"] = "off"
        # The inviter's own language is the likelier guess than the first in the list.
        if getattr(user, "language", "") in Language.values:
            self.fields["language"].initial = user.language

    def clean(self):
        data = super().clean()
        role, customer = data.get("role"), data.get("customer")
        if role in CUSTOMER_ROLES and customer is None:
            self.add_error(
                "customer", _("Choose the organisation: a customer user belongs to one.")
            )
        elif role and role not in ORGANISATION_ROLES and customer is not None:
            self.add_error(
                "customer",
                _("Staff of the processor belong to no organisation: leave it empty."),
            )
        return data


def _people_for(user):
    scope = customer_scope(user)
    users = User.objects.select_related("customer").annotate(
        factors=Count(
            "authenticator",
            filter=Q(authenticator__type__in=factors.SECOND_FACTOR_TYPES),
        )
    )
    invitations = Invitation.objects.usable().select_related("customer")
    if scope is not None:
        users = users.filter(customer_id=scope)
        invitations = invitations.filter(customer_id=scope)
    # By name; someone without a name is sorted by the address.
    by_name = Coalesce(NullIf("full_name", Value("")), "email", output_field=CharField())
    return users.order_by(Lower(by_name), "email"), invitations


@require_form
def people(request):
    """Users and open invitations; invite someone (ON-01)."""
    user = request.user
    require(user, "invitation.create")
    form = InvitationForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = accounts.invitation_create(
                actor=user,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                role=form.cleaned_data["role"],
                customer=form.cleaned_data["customer"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Invitation sent to %(name)s (%(email)s).")
                % {"name": invitation.full_name, "email": invitation.email},
            )
            return redirect("people")
    users, invitations = _people_for(user)
    return render(
        request,
        "account/people.html",
        {
            "form": form,
            "people": users,
            "invitations": invitations,
            "can_reset": can(user, "factors.reset"),
            "valid_hours": settings.INVITATION_VALID_HOURS,
            "valid_reset_hours": settings.FACTOR_RESET_VALID_HOURS,
            "now": timezone.now(),
        },
    )


@require_form
def invitation_revoke_view(request, pk: int):
    """Withdraw an open invitation (ON-01): a page that says what is withdrawn, then the
    POST. The privacy officer any, a customer admin only its own organisation's; another
    organisation's invitation is not found."""
    user = request.user
    require(user, "invitation.create")
    _users, invitations = _people_for(user)
    invitation = get_object_or_404(invitations.select_related("invited_by"), pk=pk)
    if request.method != "POST":
        return render(request, "account/invitation_withdraw.html", {"invitation": invitation})
    try:
        accounts.invitation_revoke(actor=user, invitation=invitation)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The invitation to %(name)s (%(email)s) was withdrawn; its link no longer works.")
            % {"name": invitation.full_name or invitation.email, "email": invitation.email},
        )
    return redirect("people")


@require_POST
def factors_reset_view(request, pk: int):
    """A privacy officer resets another user's second factors (ON-02)."""
    require(request.user, "factors.reset")
    target = get_object_or_404(User, pk=pk)
    try:
        count = accounts.factors_reset(actor=request.user, user=target)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Removed %(count)s second factor(s) of %(email)s. They can sign in with their "
                "password and set up a new one within %(hours)s hours; they were told by e-mail."
            )
            % {"count": count, "email": target.email, "hours": settings.FACTOR_RESET_VALID_HOURS},
        )
    return redirect("people")
