"""Changes to the consent models (issue 15, AC-04): what kind of access a use was."""

from django.db import migrations, models

LEVEL = models.CharField(
    choices=[("read", "Read only"), ("read_write", "Read and change")],
    default="read",
    max_length=20,
    verbose_name="kind of access",
)


class Migration(migrations.Migration):
    dependencies = [("access", "0004_temporary")]
    operations = [
        migrations.AddField(model_name="accessuse", name="level", field=LEVEL),
        migrations.AddField(model_name="historicalaccessuse", name="level", field=LEVEL.clone()),
    ]
