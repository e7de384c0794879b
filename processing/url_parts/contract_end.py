"""Pages of contract end (issue 16)."""

urlpatterns = []
