"""Pages of consent (issue 15)."""

urlpatterns = []
