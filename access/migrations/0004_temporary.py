"""Placeholder for changes to the temporary models (issue 15), kept so parallel work
does not collide on migration numbers; the part's own operations go here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("access", "0003_standing")]
    operations = []
