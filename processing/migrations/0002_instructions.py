"""Instructions (IN-01): the customer's decision after a warning and who gave it."""

from django.db import migrations, models

ANSWER = [("maintained", "Maintained"), ("amended", "Amended"), ("withdrawn", "Withdrawn")]


class Migration(migrations.Migration):
    dependencies = [("processing", "0001_initial")]
    operations = [
        migrations.AddField(
            model_name=model,
            name="answer_kind",
            field=models.CharField(
                blank=True,
                choices=ANSWER,
                max_length=20,
                verbose_name="the customer's decision",
            ),
        )
        for model in ("historicalinstruction", "instruction")
    ] + [
        migrations.AddField(
            model_name=model,
            name="answered_by_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="answered by"),
        )
        for model in ("historicalinstruction", "instruction")
    ]
