"""Temporary access (AC-03): notes on the revocation and on the confirmed removal."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("access", "0003_standing")]
    operations = [
        migrations.AddField(
            model_name="historicaltemporaryaccess",
            name="removal_note",
            field=models.TextField(blank=True, verbose_name="what was removed, and where"),
        ),
        migrations.AddField(
            model_name="historicaltemporaryaccess",
            name="revocation_note",
            field=models.TextField(blank=True, verbose_name="note on the revocation"),
        ),
        migrations.AddField(
            model_name="temporaryaccess",
            name="removal_note",
            field=models.TextField(blank=True, verbose_name="what was removed, and where"),
        ),
        migrations.AddField(
            model_name="temporaryaccess",
            name="revocation_note",
            field=models.TextField(blank=True, verbose_name="note on the revocation"),
        ),
    ]
