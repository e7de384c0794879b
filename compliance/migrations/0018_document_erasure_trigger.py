"""Placeholder filled in by the erasure work of issue 14 (kept so the migration numbers of
parallel work do not collide)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("compliance", "0017_evidence")]
    operations = []
