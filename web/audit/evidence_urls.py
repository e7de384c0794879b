"""Routes of the Audit section's evidence part."""

urlpatterns: list = []
