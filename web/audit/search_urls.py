"""Routes of the Audit section's search part."""

urlpatterns: list = []
