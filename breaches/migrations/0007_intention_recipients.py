"""The announced intention takes several recipients (issue 17): the AP and the GBA for a
cross-border breach, and the data subjects. Each announcement made so far keeps its one
recipient as a list of one, in the notices and in their history; then the single field goes."""

from django.db import migrations, models


def copy_forward(apps, schema_editor):
    for name in ("CustomerNotice", "HistoricalCustomerNotice"):
        model = apps.get_model("breaches", name)
        for value in (
            model.objects.exclude(intention_recipient="")
            .values_list("intention_recipient", flat=True)
            .distinct()
        ):
            model.objects.filter(intention_recipient=value).update(intention_recipients=[value])


def copy_back(apps, schema_editor):
    for name in ("CustomerNotice", "HistoricalCustomerNotice"):
        model = apps.get_model("breaches", name)
        for pk, values in model.objects.values_list("pk", "intention_recipients").iterator():
            if values:
                model.objects.filter(pk=pk).update(intention_recipient=values[0])


class Migration(migrations.Migration):
    dependencies = [
        ("breaches", "0006_severity_factors"),
    ]

    operations = [
        migrations.AddField(
            model_name="customernotice",
            name="intention_recipients",
            field=models.JSONField(blank=True, default=list, verbose_name="to"),
        ),
        migrations.AddField(
            model_name="historicalcustomernotice",
            name="intention_recipients",
            field=models.JSONField(blank=True, default=list, verbose_name="to"),
        ),
        migrations.RunPython(copy_forward, copy_back),
        migrations.RemoveField(
            model_name="customernotice",
            name="intention_recipient",
        ),
        migrations.RemoveField(
            model_name="historicalcustomernotice",
            name="intention_recipient",
        ),
    ]
