"""Changes to the subject requests models (issue 16, DS-01): the note on closing."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("processing", "0002_instructions")]
    operations = [
        migrations.AddField(
            model_name="historicalsubjectrequest",
            name="closing_note",
            field=models.TextField(blank=True, verbose_name="note on closing"),
        ),
        migrations.AddField(
            model_name="subjectrequest",
            name="closing_note",
            field=models.TextField(blank=True, verbose_name="note on closing"),
        ),
    ]
