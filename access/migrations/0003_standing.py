"""Standing access (AC-02): the grant's steps as a state (active → ended → removed from the
systems), with the end and the removal recorded whenever the state says so."""

import django_fsm
from django.db import migrations, models

STATE_CHOICES = [
    ("active", "Active"),
    ("ended", "Ended, removal from the systems not yet confirmed"),
    ("removed", "Ended and removed from the systems"),
]


def _state_field():
    return django_fsm.FSMField(
        choices=STATE_CHOICES,
        default="active",
        max_length=20,
        protected=True,
        verbose_name="state",
    )


class Migration(migrations.Migration):
    dependencies = [("access", "0002_confidentiality")]
    operations = [
        migrations.AddField(
            model_name="historicalstandinggrant", name="state", field=_state_field()
        ),
        migrations.AddField(model_name="standinggrant", name="state", field=_state_field()),
        migrations.AddConstraint(
            model_name="standinggrant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("state", "active"),
                    models.Q(
                        ("ended_at__isnull", False),
                        ("ended_by__isnull", False),
                        models.Q(("end_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="standing_grant_end_recorded",
            ),
        ),
        migrations.AddConstraint(
            model_name="standinggrant",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "removed"), _negated=True),
                    models.Q(
                        ("removal_confirmed_at__isnull", False),
                        ("removal_confirmed_by__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="standing_grant_removal_recorded",
            ),
        ),
    ]
