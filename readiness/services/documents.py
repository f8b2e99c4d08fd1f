"""The Department's outgoing documents (readiness.models.OfficialDocument):
a draft made, saved, previewed, issued once, corrected by a new one.

Numbers. The Department numbers its documents itself, one after the
highest of the issuer and the year (document_next_number), or takes a
number typed in when the document was numbered in the Department's own
register. A number is given once: the unique constraint
official_document_number_unique decides between two people issuing at the
same moment, and the loser takes the next number (or, for a typed number,
is told it is taken).

Freezing. Issuing renders the document once as a Word file and a PDF
(readiness.nd30), from its text and the figures as of its moment, and keeps
both with their SHA-256: what was sent can be shown again, byte for byte.
An issued document is never changed or deleted here; the admin shows it
read-only.
"""

import datetime
import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts import names
from contacts.models import Election, User
from contacts.services.closure import election_ensure_open
from readiness import nd30
from readiness.documents_report import (
    default_sections,
    default_summary,
    document_build,
    figures_check,
)
from readiness.models import (
    TYPE_SYMBOLS,
    DocumentKind,
    DocumentStatus,
    OfficialDocument,
    default_appendices,
)
from readiness.selectors.documents import (
    document_next_number,
    document_number_taken,
    document_report,
)

ISSUED_FROZEN = _("This document was issued: it can no longer be changed.")
NOT_ISSUED = _("Only an issued document can be corrected.")
ALREADY_REPLACED = _(
    "This document was already replaced by %(number)s: correct that one instead."
)
NO_TEXT = _("Write the text of at least one section before issuing.")
NO_SIGNER = _("Write the signer's name before issuing.")
NUMBER_TAKEN = _("Number %(number)s was already given to another document in %(year)s.")
DATED_AFTER_TODAY = _("A document cannot be dated after today.")
FIGURES_IN_FUTURE = _("The figures can only be read as of a moment that has passed.")
NO_DIRECTIVE = _("The election has no directive: there are no figures to report.")
# Another person may issue a document between reading the next number and
# writing it: try again with the one after.
ATTEMPTS = 5
# The first lines of "Nơi nhận" of a new report when no earlier document
# gives them: the recipient ("Như trên") and the province's leadership.
DEFAULT_COPIES_TO = "Như trên;\nUBND tỉnh (để b/c)"
# What each section holds (readiness.forms_documents.SectionFormSet).
SECTION_KEYS = ("heading", "text")
# Fields whose empty list the model calls blank (a JSONField without
# blank=True) but a draft may have: every section deleted, no appendix
# ticked. Left out of document_save's full_clean, which refused them: the
# draft's page said an optional field was required, or failed (the form
# has no field "sections" to show the error on).
MAY_BE_EMPTY = ["sections", "appendices"]


def _frozen_check(locked: OfficialDocument) -> None:
    if locked.is_issued:
        raise ValidationError(ISSUED_FROZEN, code="issued")


def _locked(document: OfficialDocument) -> OfficialDocument:
    """The row, read again under a lock (PostgreSQL; on SQLite the write
    transaction does it): someone may have issued it since the page was
    loaded."""
    return OfficialDocument.objects.select_for_update().get(pk=document.pk)


@transaction.atomic
def document_create(
    *,
    election: Election,
    by: User,
    kind: str = DocumentKind.REPORT,
    now: datetime.datetime | None = None,
) -> OfficialDocument:
    """A new draft with the default text; the signer and "Nơi nhận" of the
    election's latest document of the kind, when there is one."""
    now = now or timezone.now()
    election_ensure_open(election)
    latest = (
        OfficialDocument.objects.filter(election=election, kind=kind)
        .order_by("-created_at", "-pk")
        .first()
    )
    document = OfficialDocument(
        election=election,
        kind=kind,
        type_symbol=TYPE_SYMBOLS[kind],
        issuer_symbol=settings.DOCUMENT_ISSUER_SYMBOL,
        summary=default_summary(election),
        recipient=names.election_committee(election.province),
        sections=default_sections(),
        appendices=default_appendices(),
        copies_to=latest.copies_to if latest else DEFAULT_COPIES_TO,
        created_at=now,
        created_by=by,
        updated_at=now,
    )
    if latest is not None:
        document.signer_capacity = latest.signer_capacity
        document.signer_name = latest.signer_name
    document._history_user = by
    document.save()
    return document


def sections_clean(sections: Iterable[dict]) -> list[dict[str, str]]:
    """Headings and texts stripped; a section with neither is dropped."""
    cleaned = []
    for section in sections:
        heading = str(section.get("heading", "")).strip()
        text = str(section.get("text", "")).strip()
        if heading or text:
            cleaned.append({"heading": heading, "text": text})
    return cleaned


@transaction.atomic
def document_save(
    *,
    document: OfficialDocument,
    by: User,
    summary: str,
    recipient: str,
    sections: list[dict],
    appendices: list[str],
    signer_capacity: str,
    signer_name: str,
    copies_to: str,
    figures_at: datetime.datetime | None,
    now: datetime.datetime | None = None,
) -> OfficialDocument:
    """Save a draft's text. Refused once issued, with a figure that does
    not exist, or with figures as of a moment still to come."""
    now = now or timezone.now()
    election_ensure_open(document.election_id)
    locked = _locked(document)
    _frozen_check(locked)
    sections = sections_clean(sections)
    for section in sections:
        figures_check(section["text"])
    if figures_at is not None and figures_at > now:
        raise ValidationError(FIGURES_IN_FUTURE, code="future")
    locked.summary = summary.strip()
    locked.recipient = recipient.strip()
    locked.sections = sections
    locked.appendices = list(appendices)
    locked.signer_capacity = signer_capacity
    locked.signer_name = signer_name.strip()
    locked.copies_to = copies_to.strip()
    locked.figures_at = figures_at
    locked.updated_at = now
    locked._history_user = by
    locked.full_clean(exclude=MAY_BE_EMPTY)
    locked.save()
    return locked


def document_preview(
    *, document: OfficialDocument, now: datetime.datetime | None = None
) -> bytes:
    """The PDF of a draft as it would be issued now, marked as a draft and
    without number or date; writes nothing."""
    now = now or timezone.now()
    report = document_report(document=document, now=now)
    if report is None:
        raise ValidationError(NO_DIRECTIVE, code="no_directive")
    return nd30.render_pdf(document_build(document, report))


@transaction.atomic
def document_issue(
    *,
    document: OfficialDocument,
    by: User,
    number: int | None = None,
    issued_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> OfficialDocument:
    """Issue a draft: number, date and figures fixed, files made once.

    1. The election must be open; the draft is read again under a lock and
       must still be a draft; a correction's original must not have been
       replaced meanwhile.
    2. Its text must have at least one written section and only known
       figures, and a signer; its date (today by default) must not be after today.
    3. The figures are read as of the draft's moment, or now.
    4. The number: the one typed (refused when taken), or the next one of
       the issuer and year. The document is rendered as .docx and .pdf with
       it, the files stored with their SHA-256, and the row saved; when
       another document took the number meanwhile, the next one is tried.
    """
    now = now or timezone.now()
    election_ensure_open(document.election_id)
    locked = _locked(document)
    _frozen_check(locked)
    _replaceable_check(locked.replaces)
    _text_check(locked)
    issued_on = issued_on or timezone.localdate(now)
    if issued_on > timezone.localdate(now):
        raise ValidationError(DATED_AFTER_TODAY, code="future")
    locked.figures_at = locked.figures_at or now.replace(microsecond=0)
    if locked.figures_at > now:
        raise ValidationError(FIGURES_IN_FUTURE, code="future")
    report = document_report(document=locked, now=now)
    if report is None:
        raise ValidationError(NO_DIRECTIVE, code="no_directive")
    locked.status = DocumentStatus.ISSUED
    locked.issued_on, locked.year = issued_on, issued_on.year
    locked.issued_at, locked.issued_by = now, by
    locked.updated_at = now
    locked._history_user = by
    if number is not None:
        if document_number_taken(document=locked, number=number, year=locked.year):
            raise _number_taken(locked, number, locked.year)
        if _issue_as(locked, number, report):
            return locked
        raise _number_taken(locked, number, locked.year)
    for _attempt in range(ATTEMPTS):
        next_number = document_next_number(
            issuer_symbol=locked.issuer_symbol, year=locked.year
        )
        if _issue_as(locked, next_number, report):
            return locked
    raise IntegrityError("no free document number after several attempts")


def _number_taken(document: OfficialDocument, number: int, year: int):
    return ValidationError(
        NUMBER_TAKEN,
        code="number_taken",
        params={"number": document.number_for(number), "year": year},
    )


def _replaceable_check(replaced: OfficialDocument | None) -> None:
    if replaced is None:
        return
    newer = replaced.replaced_by.filter(status=DocumentStatus.ISSUED).first()
    if newer is not None:
        raise ValidationError(
            ALREADY_REPLACED, code="replaced", params={"number": newer.number_text}
        )


def _text_check(document: OfficialDocument) -> None:
    if not any(s.get("text", "").strip() for s in document.sections):
        raise ValidationError(NO_TEXT, code="no_text")
    if not document.signer_name.strip():
        raise ValidationError(NO_SIGNER, code="no_signer")
    for section in document.sections:
        figures_check(section.get("text", ""))


def _issue_as(document: OfficialDocument, number: int, report) -> bool:
    """Render and save the document under `number`; False when another
    issued document holds it (the unique constraint), with nothing kept."""
    document.number = number
    document.number_text = document.number_for(number)
    built = document_build(document, report)
    files = {"docx": nd30.render_docx(built), "pdf": nd30.render_pdf(built)}
    try:
        with transaction.atomic():
            for extension, content in files.items():
                field = getattr(document, extension)
                field.save(f"document.{extension}", ContentFile(content), save=False)
                setattr(document, f"{extension}_sha256", _sha256(content))
            document.save()
    except IntegrityError:
        for extension in files:
            getattr(document, extension).delete(save=False)
        return False
    return True


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@transaction.atomic
def document_correct(
    *, document: OfficialDocument, by: User, now: datetime.datetime | None = None
) -> OfficialDocument:
    """A new draft that replaces an issued document, with its text, signer
    and recipients; the draft already begun for it, if there is one."""
    now = now or timezone.now()
    election_ensure_open(document.election_id)
    if not document.is_issued:
        raise ValidationError(NOT_ISSUED, code="draft")
    _replaceable_check(document)
    begun = document.replaced_by.filter(status=DocumentStatus.DRAFT).first()
    if begun is not None:
        return begun
    correction = OfficialDocument(
        election_id=document.election_id,
        kind=document.kind,
        type_symbol=document.type_symbol,
        issuer_symbol=document.issuer_symbol,
        summary=document.summary,
        recipient=document.recipient,
        sections=document.sections,
        appendices=document.appendices,
        signer_capacity=document.signer_capacity,
        signer_name=document.signer_name,
        copies_to=document.copies_to,
        replaces=document,
        created_at=now,
        created_by=by,
        updated_at=now,
    )
    correction._history_user = by
    correction.save()
    return correction


@transaction.atomic
def document_discard(*, document: OfficialDocument, by: User) -> None:
    """Delete a draft (its history keeps what it said)."""
    election_ensure_open(document.election_id)
    locked = _locked(document)
    _frozen_check(locked)
    locked._history_user = by
    locked.delete()
