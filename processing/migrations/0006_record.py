"""Placeholder for changes to the record models (issue 16), kept so parallel work
does not collide on migration numbers; the part's own operations go here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("processing", "0005_contract_end")]
    operations = []
