"""Routes of the Audit section's sampling part."""

urlpatterns: list = []
