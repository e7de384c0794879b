"""Pages of subject requests (issue 16)."""

urlpatterns = []
