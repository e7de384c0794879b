"""Support copies (issue 15, AC-05): when the ticket got its present status, so a status
change that goes backwards in time can be refused."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("access", "0005_consent")]
    operations = [
        migrations.AddField(
            model_name="historicalsupportcopy",
            name="ticket_status_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="ticket status since"),
        ),
        migrations.AddField(
            model_name="supportcopy",
            name="ticket_status_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="ticket status since"),
        ),
    ]
