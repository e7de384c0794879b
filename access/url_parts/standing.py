"""Pages of standing (issue 15)."""

urlpatterns = []
