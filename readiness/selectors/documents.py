"""Reads for the register of outgoing documents (readiness.views.documents)."""

import datetime

from django.db.models import Max, Prefetch, QuerySet

from contacts.models import Election, Membership
from contacts.permissions import is_department
from readiness.models import DocumentStatus, OfficialDocument
from readiness.selectors.obligations import directive_current
from readiness.selectors.report import CommitteeReport, committee_report

# What the register and a document's page show of a document and those it
# names; the sections' text is left to the document's own page.
DOCUMENTS = OfficialDocument.objects.select_related(
    "election__province", "created_by", "issued_by", "replaces"
)


def documents_visible_to(membership: Membership | None) -> QuerySet[OfficialDocument]:
    """The Department sees its drafts; observers (the Election Committee)
    only what was issued. Others see nothing (the views answer 404 before
    asking)."""
    q = DOCUMENTS.all()
    if is_department(membership):
        return q
    return q.filter(status=DocumentStatus.ISSUED)


def document_register(
    *, election: Election, membership: Membership | None
) -> dict[str, list[OfficialDocument]]:
    """The election's issued documents, newest number first, each with the
    issued documents that replace it; and its drafts, newest first (two
    queries, and one more when there are issued documents)."""
    issued_replacements = Prefetch(
        "replaced_by",
        queryset=OfficialDocument.objects.filter(status=DocumentStatus.ISSUED).order_by(
            "issued_on", "number"
        ),
        to_attr="replacements",
    )
    q = documents_visible_to(membership).filter(election=election).defer("sections")
    issued: list[OfficialDocument] = list(
        q.filter(status=DocumentStatus.ISSUED)
        .prefetch_related(issued_replacements)
        .order_by("-year", "-number", "-pk")
    )
    drafts = list(q.filter(status=DocumentStatus.DRAFT).order_by("-updated_at", "-pk"))
    return {"issued": issued, "drafts": drafts}


def document_next_number(*, issuer_symbol: str, year: int) -> int:
    """The number the issuer's next document of `year` gets: one after the
    highest issued, whatever the type (Decree 30 numbers an issuer's
    documents in one sequence a year, from 1 on 1 January)."""
    highest = OfficialDocument.objects.filter(
        status=DocumentStatus.ISSUED, issuer_symbol=issuer_symbol, year=year
    ).aggregate(n=Max("number"))["n"]
    return (highest or 0) + 1


def document_number_taken(
    *, document: OfficialDocument, number: int, year: int
) -> bool:
    """Whether an issued document already has this number and symbol that
    year (the key of the constraint official_document_number_unique)."""
    return (
        OfficialDocument.objects.filter(
            status=DocumentStatus.ISSUED,
            issuer_symbol=document.issuer_symbol,
            type_symbol=document.type_symbol,
            year=year,
            number=number,
        )
        .exclude(pk=document.pk)
        .exists()
    )


def document_report(
    *, document: OfficialDocument, now: datetime.datetime
) -> CommitteeReport | None:
    """The figures of the document: as of its moment once issued (or when
    the draft names one), else as of now; None when the election has no
    directive to report on."""
    directive = directive_current(election=document.election)
    if directive is None:
        return None
    directive.election = document.election
    moment = document.figures_at or now.replace(microsecond=0)
    return committee_report(directive=directive, moment=moment)
