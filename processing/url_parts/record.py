"""Pages of record (issue 16)."""

urlpatterns = []
