"""The record of processing (issue 16, GDPR Art. 30(2)): the processor-wide settings (its
data protection officer, the security measures), per-product descriptions of the processing
and per-customer details (the controller's data protection officer, notes, additions)."""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0018_document_erasure_trigger"),
        ("processing", "0005_contract_end"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalProcessingRecordDetails",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "dpo_name",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="data protection officer"
                    ),
                ),
                (
                    "dpo_email",
                    models.EmailField(
                        blank=True, max_length=254, verbose_name="data protection officer's e-mail"
                    ),
                ),
                (
                    "dpo_phone",
                    models.CharField(
                        blank=True, max_length=50, verbose_name="data protection officer's phone"
                    ),
                ),
                (
                    "categories_note",
                    models.TextField(
                        blank=True, verbose_name="categories of processing, in addition"
                    ),
                ),
                (
                    "security_additions",
                    models.TextField(
                        blank=True, verbose_name="security measures for this customer"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="changed at"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "customer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="compliance.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical record of processing details",
                "verbose_name_plural": "historical record of processing details",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalProcessingRecordSettings",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "dpo_name",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="data protection officer"
                    ),
                ),
                (
                    "dpo_email",
                    models.EmailField(
                        blank=True, max_length=254, verbose_name="data protection officer's e-mail"
                    ),
                ),
                (
                    "dpo_phone",
                    models.CharField(
                        blank=True, max_length=50, verbose_name="data protection officer's phone"
                    ),
                ),
                (
                    "security_measures",
                    models.TextField(
                        blank=True, verbose_name="technical and organisational security measures"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="changed at"
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical record of processing settings",
                "verbose_name_plural": "historical record of processing settings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalProductProcessingDescription",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("description", models.TextField(verbose_name="categories of processing")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="compliance.product",
                        verbose_name="product",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical processing description of a product",
                "verbose_name_plural": "historical processing descriptions of products",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ProcessingRecordDetails",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "dpo_name",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="data protection officer"
                    ),
                ),
                (
                    "dpo_email",
                    models.EmailField(
                        blank=True, max_length=254, verbose_name="data protection officer's e-mail"
                    ),
                ),
                (
                    "dpo_phone",
                    models.CharField(
                        blank=True, max_length=50, verbose_name="data protection officer's phone"
                    ),
                ),
                (
                    "categories_note",
                    models.TextField(
                        blank=True, verbose_name="categories of processing, in addition"
                    ),
                ),
                (
                    "security_additions",
                    models.TextField(
                        blank=True, verbose_name="security measures for this customer"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="changed at"
                    ),
                ),
                (
                    "customer",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="processing_record_details",
                        to="compliance.customer",
                        verbose_name="customer",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "record of processing details",
                "verbose_name_plural": "record of processing details",
            },
        ),
        migrations.CreateModel(
            name="ProcessingRecordSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "dpo_name",
                    models.CharField(
                        blank=True, max_length=200, verbose_name="data protection officer"
                    ),
                ),
                (
                    "dpo_email",
                    models.EmailField(
                        blank=True, max_length=254, verbose_name="data protection officer's e-mail"
                    ),
                ),
                (
                    "dpo_phone",
                    models.CharField(
                        blank=True, max_length=50, verbose_name="data protection officer's phone"
                    ),
                ),
                (
                    "security_measures",
                    models.TextField(
                        blank=True, verbose_name="technical and organisational security measures"
                    ),
                ),
                (
                    "updated_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="changed at"
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="changed by",
                    ),
                ),
            ],
            options={
                "verbose_name": "record of processing settings",
                "verbose_name_plural": "record of processing settings",
            },
        ),
        migrations.CreateModel(
            name="ProductProcessingDescription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("description", models.TextField(verbose_name="categories of processing")),
                (
                    "product",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="processing_description",
                        to="compliance.product",
                        verbose_name="product",
                    ),
                ),
            ],
            options={
                "verbose_name": "processing description of a product",
                "verbose_name_plural": "processing descriptions of products",
                "ordering": ["product"],
            },
        ),
    ]
