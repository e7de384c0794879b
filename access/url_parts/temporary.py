"""Pages of temporary (issue 15)."""

urlpatterns = []
