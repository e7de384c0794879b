"""Routes of the Audit section's chain check."""

from django.urls import path

from web.audit import chain

urlpatterns = [
    path("chain/", chain.audit_chain, name="audit_chain"),
]
