"""Changes to the audits models (issue 16): the report's reference, the escalation of an
asked-for audit not scheduled in time (AU-02), and the indexes the beat sweeps use."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("processing", "0003_subject_requests")]
    operations = [
        migrations.AddField(
            model_name="customeraudit",
            name="preferred_period",
            field=models.CharField(blank=True, max_length=200, verbose_name="preferred period"),
        ),
        migrations.AddField(
            model_name="historicalcustomeraudit",
            name="preferred_period",
            field=models.CharField(blank=True, max_length=200, verbose_name="preferred period"),
        ),
        migrations.AddField(
            model_name="customeraudit",
            name="escalated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="customeraudit",
            name="report_reference",
            field=models.CharField(blank=True, max_length=200, verbose_name="report reference"),
        ),
        migrations.AddField(
            model_name="historicalcustomeraudit",
            name="escalated_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="historicalcustomeraudit",
            name="report_reference",
            field=models.CharField(blank=True, max_length=200, verbose_name="report reference"),
        ),
        migrations.AddIndex(
            model_name="customeraudit",
            index=models.Index(fields=["state", "starts_on"], name="customer_audit_state_start"),
        ),
        migrations.AddIndex(
            model_name="customeraudit",
            index=models.Index(fields=["state", "requested_at"], name="customer_audit_state_asked"),
        ),
    ]
