"""Changes to the reviews models (issue 15, ISO 27001 A.5.18): the quarter's review is opened
once; the sweep reads open reviews by their deadline."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("access", "0006_support_copies")]
    operations = [
        migrations.AddIndex(
            model_name="accessreview",
            index=models.Index(
                condition=models.Q(("state", "open")),
                fields=["due_at"],
                name="access_review_open_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="accessreview",
            constraint=models.UniqueConstraint(
                fields=("period_label",), name="access_review_period_once"
            ),
        ),
    ]
