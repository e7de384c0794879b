"""Routes of the Audit section's kpi part."""

urlpatterns: list = []
