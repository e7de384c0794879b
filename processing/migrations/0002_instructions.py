"""Placeholder for changes to the instructions models (issue 16), kept so parallel work
does not collide on migration numbers; the part's own operations go here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("processing", "0001_initial")]
    operations = []
