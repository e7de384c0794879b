"""Pages of audits (issue 16)."""

urlpatterns = []
