"""Stored documents: rendered PDFs that never change once issued."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.models.organisation import Customer, Language


class DocumentImmutableError(Exception):
    """An issued document was about to be changed or deleted."""


class StoredDocumentQuerySet(models.QuerySet):
    # Bulk writes would bypass save()/delete(); refuse them too.
    def update(self, **kwargs):
        raise DocumentImmutableError("stored documents cannot be changed")

    def delete(self):
        raise DocumentImmutableError("stored documents cannot be deleted")

    def content_erase(self, *, at) -> int:
        """The one change a stored document allows (AU-03): at the end of its retention its
        content is emptied and `erased_at` set; the SHA-256, the size and the metadata stay
        as the proof of what was issued. Returns how many documents it erased."""
        return models.QuerySet.update(
            self.filter(erased_at__isnull=True), content=b"", erased_at=at
        )


class StoredDocument(models.Model):
    """A rendered document (PDF); issued documents never change.

    Immutable at three levels: `save()` refuses to update an existing row, `delete()` and
    the queryset's bulk update/delete refuse, and on PostgreSQL a trigger refuses UPDATE and
    DELETE on the table (migration `0003_storeddocument_immutable`). The single exception is
    the erasure of the content at the end of its retention (`content_erase`, migration
    `0018_document_erasure_trigger`): content emptied, `erased_at` set, nothing else.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("customer"),
        help_text=_("The organisation the document concerns; empty for processor-wide documents."),
    )
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100, default="application/pdf")
    content = models.BinaryField(editable=False)
    size = models.PositiveIntegerField(editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    template_name = models.CharField(_("template"), max_length=200)
    template_version = models.CharField(_("template version"), max_length=64)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    # Audit evidence (e.g. an incident's dossier) is for auditors and the privacy officer
    # only, even where its customer's users could otherwise see the customer's documents.
    audit_only = models.BooleanField(_("audit evidence only"), default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Set when the content was erased at the end of its retention (the SHA-256 and the
    # metadata stay as the proof of what was issued).
    erased_at = models.DateTimeField(_("content erased at"), null=True, blank=True, editable=False)

    objects = StoredDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("stored document")
        verbose_name_plural = _("stored documents")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise DocumentImmutableError("stored documents cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentImmutableError("stored documents cannot be deleted")
