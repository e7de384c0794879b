"""Pages of support copies (issue 15)."""

urlpatterns = []
