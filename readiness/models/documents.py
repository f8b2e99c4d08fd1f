"""The Department's outgoing official documents (Sổ văn bản đi), in the
form of Decree 30/2020/NĐ-CP: a draft the staff write, then issued once,
numbered, and frozen as a Word file and a PDF (readiness.services.documents;
the layout is readiness.nd30's).
"""

import uuid
from pathlib import PurePath

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from contacts.models import ChangeAttribution, Election, User


class DocumentKind(models.TextChoices):
    # Only the report is made today; the others are reserved for the
    # directive letter, the polling-day situation reports and the
    # close-out report.
    REPORT = "report", _("Report to the Election Committee")
    LETTER = "letter", _("Letter")
    SITUATION = "situation", _("Situation report")
    CLOSEOUT = "closeout", _("Close-out report")


# The type's abbreviation in the number ("12/BC-STTTT": BC for báo cáo);
# a công văn has none ("12/STTTT-QLVT"), so the letter is left empty here
# until it is made.
TYPE_SYMBOLS: dict[str, str] = {
    DocumentKind.REPORT: "BC",
    DocumentKind.LETTER: "",
    DocumentKind.SITUATION: "BC",
    DocumentKind.CLOSEOUT: "BC",
}
# The type as printed above the summary (readiness.nd30.Nd30Document.doc_type).
DOC_TYPES: dict[str, str] = {
    DocumentKind.REPORT: "BÁO CÁO",
    DocumentKind.LETTER: "",
    DocumentKind.SITUATION: "BÁO CÁO",
    DocumentKind.CLOSEOUT: "BÁO CÁO",
}
# The type as named in running text: "Báo cáo này thay thế Báo cáo số …".
DOC_TYPE_NAMES: dict[str, str] = {
    DocumentKind.REPORT: "Báo cáo",
    DocumentKind.LETTER: "Công văn",
    DocumentKind.SITUATION: "Báo cáo",
    DocumentKind.CLOSEOUT: "Báo cáo",
}


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("official document", "draft")
    ISSUED = "issued", _("issued")


class SignerCapacity(models.TextChoices):
    DIRECTOR = "director", _("Director (GIÁM ĐỐC)")
    DEPUTY = "deputy", _("Deputy director for the director (KT. GIÁM ĐỐC)")


# The lines printed above the signature (readiness.nd30.Signature.capacity).
CAPACITY_LINES: dict[str, list[str]] = {
    SignerCapacity.DIRECTOR: ["GIÁM ĐỐC"],
    SignerCapacity.DEPUTY: ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"],
}


class DocumentAppendix(models.TextChoices):
    """The long tables, each an appendix after the signature when chosen
    and not empty (readiness.documents_report)."""

    OVERDUE = "overdue", _("Organisations still overdue")
    COVERAGE = "coverage", _("Contact lists by district")
    INCIDENTS = "incidents", _("Incidents and difficulties")


def default_appendices() -> list[str]:
    return list(DocumentAppendix.values)


def document_path(instance: "OfficialDocument", filename: str) -> str:
    # A generated name, as for plan attachments: the download's name is
    # made from the number when it is served.
    folder = f"official-documents/election-{instance.election_id}"
    return f"{folder}/{uuid.uuid4().hex}{PurePath(filename).suffix}"


class OfficialDocument(ChangeAttribution, models.Model):
    """One outgoing document. A draft changes freely; issuing gives it its
    number and date, fixes the moment its figures are read at, renders it
    once as .docx and .pdf and keeps both with their SHA-256. An issued
    document never changes: a correction is a new document that `replaces`
    it."""

    election = models.ForeignKey(
        Election,
        on_delete=models.PROTECT,
        related_name="official_documents",
        verbose_name=_("election"),
    )
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=DocumentKind.choices,
        default=DocumentKind.REPORT,
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DocumentStatus.choices,
        default=DocumentStatus.DRAFT,
        db_index=True,
    )
    # The symbol's parts, copied when the draft is made: a document keeps
    # the symbol it was issued under when the Department is renamed
    # (settings.DOCUMENT_ISSUER_SYMBOL).
    type_symbol = models.CharField(_("type symbol"), max_length=10, blank=True)
    issuer_symbol = models.CharField(_("issuer symbol"), max_length=20)
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    # The year of issued_on: numbers start again at 1 each year.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    number_text = models.CharField(_("number and symbol"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    summary = models.CharField(_("summary"), max_length=500)
    recipient = models.TextField(_("to"))
    # [{"heading": "Tình hình triển khai", "text": "…"}, …]; the text may
    # hold figures as {placeholders} (readiness.documents_report.FIGURES).
    sections = models.JSONField(_("sections"), default=list)
    appendices = models.JSONField(_("appendices"), default=default_appendices)
    signer_capacity = models.CharField(
        _("signed as"),
        max_length=10,
        choices=SignerCapacity.choices,
        default=SignerCapacity.DIRECTOR,
    )
    signer_name = models.CharField(_("signer"), max_length=200, blank=True)
    copies_to = models.TextField(_("copies to"), blank=True)
    # The moment the figures are read at ("as of"): chosen on the draft, or
    # set to the moment of issue; fixed once issued.
    figures_at = models.DateTimeField(_("figures as of"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    docx = models.FileField(_("Word file"), upload_to=document_path, blank=True)
    docx_sha256 = models.CharField(
        _("SHA-256 of the Word file"), max_length=64, blank=True
    )
    pdf = models.FileField(_("PDF file"), upload_to=document_path, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    updated_at = models.DateTimeField(_("updated at"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        ordering = ["-issued_on", "-number", "-created_at"]
        constraints = [
            # Numbers are the issuer's, per year (not per election): one
            # register of outgoing documents. The type is part of the key
            # because some offices number each type on its own.
            models.UniqueConstraint(
                fields=["issuer_symbol", "year", "type_symbol", "number"],
                condition=Q(status="issued"),
                name="official_document_number_unique",
            ),
            models.CheckConstraint(
                name="official_document_issued_is_numbered",
                condition=Q(
                    status="issued",
                    number__isnull=False,
                    year__isnull=False,
                    issued_on__isnull=False,
                    figures_at__isnull=False,
                )
                | Q(status="draft", number__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        if self.number_text:
            return self.number_text
        return f"{self.get_status_display()} #{self.pk}"

    @property
    def is_issued(self) -> bool:
        return self.status == DocumentStatus.ISSUED

    @property
    def symbol(self) -> str:
        """ "BC-STTTT": what follows the number."""
        return "-".join(s for s in (self.type_symbol, self.issuer_symbol) if s)

    def number_for(self, number: int) -> str:
        """ "12/BC-STTTT"."""
        return f"{number}/{self.symbol}"
