"""The customer's view of temporary access (AC-03) for the portal's page of uses and
consents: `{% include "access/temporary/_portal.html" %}` needs nothing in its context but
the request."""

from django import template

from access.selectors.temporary import temporary_access_for
from compliance.access import can, customer_scope

register = template.Library()


@register.simple_tag(takes_context=True)
def temporary_access_portal(context):
    """The approved and ended temporary access to the signed-in customer's own data; nothing
    for a user not limited to one customer or without the permission."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or customer_scope(user) is None or not can(user, "temporary_access.view"):
        return []
    return list(temporary_access_for(user)[:200])
