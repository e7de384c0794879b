"""Pages of instructions (issue 16)."""

urlpatterns = []
