"""Pages of confidentiality (issue 15)."""

urlpatterns = []
