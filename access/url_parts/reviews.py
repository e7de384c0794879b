"""Pages of reviews (issue 15)."""

urlpatterns = []
