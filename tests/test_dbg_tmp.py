import re
def test_dbg(privacy_officer, client):
    from django.urls import reverse
    from tests.test_admin import management
    client.force_login(privacy_officer)
    data = {
        "legal_entity": "Example Hosting B.V.", "purpose": "Hosting", "certifications": "ISO 27001",
        "flow_down_reference": "DPA-2026-01", "flow_down_signed_on": "2026-01-15",
        **management("locations", total=1),
        "locations-0-name": "DC1", "locations-0-city": "Haarlem", "locations-0-country": "nl",
    }
    r = client.post(reverse("admin:subprocessors_subprocessor_add"), data)
    print(r.context["errors"], [f.errors for fs in r.context["inline_admin_formsets"] for f in fs.formset.forms], [fs.formset.non_form_errors() for fs in r.context["inline_admin_formsets"]])
    assert 0
