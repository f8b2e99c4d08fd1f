"""What the outgoing documents' forms saved, read back (tests/fuzz/
test_fuzz_forms.py, FormCase.saved): a draft's text, and a draft issued
with its number, date and files."""

import datetime
import hashlib

from django.db.models import Max

from config.formats.vi.formats import DATETIME_INPUT_FORMATS
from readiness.forms_cycles import DATE_FORMATS
from readiness.models import DocumentStatus, OfficialDocument
from tests.fuzz.saved import _int, _listed, _moment, _problems, _ticked
from tests.fuzz.support import Matrix, Target, received, sent, typed


def _day(text: str) -> datetime.date:
    """A date as a DateField with DATE_FORMATS reads it (no ISO 8601 of
    its own, unlike a DateTimeField)."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise AssertionError(f"saved although issued_on={text!r} is not a date")


def _sections(data: dict) -> list[dict[str, str]]:
    """The sections sent, as the formset and the service keep them: in
    order, without those ticked for deletion or with neither heading nor
    text."""
    kept = []
    for i in range(_int(data, "sections-TOTAL_FORMS")):
        p = f"sections-{i}-"
        heading, text = typed(data, p + "heading"), typed(data, p + "text")
        if _ticked(data, p + "DELETE") or not (heading or text):
            continue
        kept.append({"heading": heading, "text": text})
    return kept


def saved_document(m: Matrix, t: Target, data: dict) -> list[str]:
    """The draft's text is the text sent, trimmed and precomposed; the
    moment of its figures as typed (none when left empty)."""
    document = OfficialDocument.objects.get(pk=t.pk)
    pairs: list[tuple[str, object, object]] = [
        (name, getattr(document, name), typed(data, name))
        for name in ("summary", "recipient", "signer_name", "copies_to")
    ]
    pairs += [
        ("status", document.status, DocumentStatus.DRAFT),
        (
            "signer_capacity",
            document.signer_capacity,
            received(data, "signer_capacity"),
        ),
        ("appendices", document.appendices, _listed(data, "appendices")),
        ("sections", document.sections, _sections(data)),
        (
            "figures_at",
            document.figures_at,
            _moment(data, "figures_at", DATETIME_INPUT_FORMATS)
            if typed(data, "figures_at")
            else None,
        ),
    ]
    return _problems(pairs)


def saved_issued(m: Matrix, t: Target, data: dict) -> list[str]:
    """Issued on the day typed, with the number typed or else the next of
    its year, and both files kept with their SHA-256: never half issued."""
    document = OfficialDocument.objects.get(pk=t.pk)
    issued_on = _day(sent(data, "issued_on"))
    highest = (
        OfficialDocument.objects.filter(
            status=DocumentStatus.ISSUED,
            issuer_symbol=document.issuer_symbol,
            year=issued_on.year,
        )
        .exclude(pk=document.pk)
        .aggregate(n=Max("number"))["n"]
    )
    number = _int(data, "number") if typed(data, "number") else (highest or 0) + 1
    pairs = [
        ("status", document.status, DocumentStatus.ISSUED),
        ("issued_on", document.issued_on, issued_on),
        ("year", document.year, issued_on.year),
        ("number", document.number, number),
        ("number_text", document.number_text, document.number_for(number)),
    ]
    for extension in ("docx", "pdf"):
        file = getattr(document, extension)
        assert file, f"issued without its {extension}"
        with file.open("rb") as stored:
            digest = hashlib.sha256(stored.read()).hexdigest()
        kept = getattr(document, f"{extension}_sha256")
        pairs.append((f"{extension}_sha256", kept, digest))
    return _problems(pairs)
