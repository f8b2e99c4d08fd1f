"""The archive of a closed election, and its verification.

`archive_make` writes one zip (made at close-out by
readiness.services.closeout.election_close):

    contact-lists/<district code>.xlsx   every district's list: the version
                                         accepted last, else the latest
                                         submitted, else the draft
    plans/<organisation code>/v<N>.json  every submitted plan version, with
                                         its section reviews
    plans/<organisation code>/attachments/<id>-<name>
                                         every file a submitted version
                                         cites (its JSON names the path)
    incidents/incidents.xlsx             every incident and difficulty report
    incidents/timelines.xlsx             every timeline entry, by incident number
    rosters/shifts.xlsx                  every duty shift
    status-reports/status-reports.xlsx   carriers' status reports (if any)
    situation-reports/<number>.json      polling-day situation reports (if any)
    report/final-report.pdf              the report for the Election Committee
                                         as of the close-out
    MANIFEST.txt                         "<sha256>  <path>" per file
                                         (sha256sum's format), after a
                                         header of "#" lines

`archive_verify` reads the zip, or a folder it was extracted to, and
recomputes every hash: `sha256sum -c MANIFEST.txt` in that folder says the
same. The files are made in the archive's language (settings.LANGUAGE_CODE),
whoever closes, so that the archive depends on the data alone.
"""

import datetime
import hashlib
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts.models import ContactList, Election, ElectionBody, User
from contacts.spreadsheets import rows_to_xlsx

# The directory export's own columns and rows (one row per contact), so
# that an archived list reads like a directory export.
from contacts.views.directory import _export_headers, _export_rows
from incidents.models import (
    Incident,
    IncidentUpdate,
    Service,
    Shift,
    StatusReport,
)
from readiness.models import (
    CycleArchive,
    PlanAttachment,
    PlanVersion,
    SectionReview,
    SituationReport,
)
from readiness.report_files import committee_report_pdf
from readiness.selectors import directive_current
from readiness.selectors.report import committee_report

if TYPE_CHECKING:
    from _typeshed import SupportsRead

MANIFEST = "MANIFEST.txt"
_HASH_LINE = re.compile(r"^(?P<sha>[0-9a-f]{64}) [ *](?P<path>.+)$")
_UNSAFE_NAME = re.compile(r"[^\w.-]+")
# Read 1 MB at a time while hashing a file of an extracted archive.
_CHUNK = 1 << 20
_SERVICES = dict(Service.choices)


# --- Making ---------------------------------------------------------------------


@transaction.atomic
def archive_make(
    *, election: Election, by: User, now: datetime.datetime | None = None
) -> CycleArchive:
    """Make the election's archive and store it as its CycleArchive.

    1. Render every file in the archive's language; take the plan
       attachments the versions cite as stored (a ValidationError names
       one whose file is missing).
    2. Hash each file; write MANIFEST.txt last.
    3. Zip them (sorted, fixed timestamps) and store the zip with its own
       SHA-256 and size; if the row cannot be saved, the zip is removed.
    """
    now = now or timezone.now()
    attachments = _attachments(election)
    with translation.override(settings.LANGUAGE_CODE):
        files = _files(election, now, attachments)
        hashes = {path: _sha256(content) for path, content in files.items()}
        for path, attachment in attachments.items():
            hashes[path] = _attachment_sha256(attachment)
        files[MANIFEST] = _manifest(election, by, now, hashes)
    # Written to a temporary file, not held in memory: the attachments
    # (up to 10 MB each) can make it large.
    with tempfile.TemporaryFile() as zipped:
        _zip(zipped, files, attachments, now)
        size = zipped.tell()
        zipped.seek(0)
        sha256 = _stream_sha256(zipped)
        zipped.seek(0)
        archive = CycleArchive(
            election=election, sha256=sha256, size=size, made_at=now, made_by=by
        )
        name = f"election-{election.pk}-{timezone.localtime(now):%Y%m%d-%H%M}.zip"
        archive.file.save(name, File(zipped), save=False)
    try:
        archive.full_clean(exclude=["file"])
        archive.save()
    except BaseException:
        # The row is rolled back with the close-out; so goes the zip, which
        # nothing would refer to.
        archive.file.delete(save=False)
        raise
    return archive


def archive_file_name(archive: CycleArchive) -> str:
    """The name a download of the archive gets."""
    election = archive.election
    return f"luu-tru-bau-cu-{election.polling_day:%Y%m%d}-{archive.sha256[:8]}.zip"


def _files(
    election: Election,
    now: datetime.datetime,
    attachments: dict[str, PlanAttachment],
) -> dict[str, bytes]:
    """Every file made for the archive (the attachments are copied as
    stored, by _zip)."""
    files: dict[str, bytes] = {}
    files |= _contact_lists(election)
    files |= _plan_versions(election, attachments)
    files |= _incidents(election)
    files |= _shifts(election)
    files |= _status_reports(election)
    files |= _situation_reports(election)
    files |= _final_report(election, now)
    return files


def _manifest(
    election: Election, by: User, now: datetime.datetime, hashes: dict[str, str]
) -> bytes:
    who = f"{by.full_name} ({by.get_username()})" if by.full_name else by.username
    header = [
        _("Archive of the election: %(name)s") % {"name": election.name},
        _("Polling day: %(day)s") % {"day": f"{election.polling_day:%d/%m/%Y}"},
        _("Made at: %(at)s") % {"at": f"{timezone.localtime(now):%d/%m/%Y %H:%M}"},
        _("Made by: %(who)s") % {"who": who},
        _("Check: python manage.py verify_archive <this zip or its folder>"),
    ]
    lines = [f"# {line}" for line in header]
    lines += [f"{hashes[path]}  {path}" for path in sorted(hashes)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _zip(
    out: BinaryIO,
    files: dict[str, bytes],
    attachments: dict[str, PlanAttachment],
    now: datetime.datetime,
) -> None:
    """The files and attachments in name order, each stamped with the
    close-out time, so that the same files make the same zip; attachments
    are copied from storage a chunk at a time."""
    stamp = timezone.localtime(now).timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(files.keys() | attachments.keys()):
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            if path in files:
                z.writestr(info, files[path])
                continue
            with attachments[path].file.open("rb") as f, z.open(info, "w") as entry:
                shutil.copyfileobj(f, entry, _CHUNK)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _stream_sha256(f: "SupportsRead[bytes]") -> str:
    """The SHA-256 of what is left to read in `f`, a chunk at a time."""
    digest = hashlib.sha256()
    while chunk := f.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _file_name(text: str) -> str:
    return _UNSAFE_NAME.sub("-", text).strip("-") or "x"


def _xlsx(headers: list[str], rows: Iterable[Sequence]) -> bytes:
    return rows_to_xlsx(headers, rows)


def _user(user: User | None) -> str:
    if user is None:
        return ""
    return f"{user.full_name} ({user.username})" if user.full_name else user.username


def _when(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).isoformat() if value else ""


# --- Contact lists ------------------------------------------------------------------


def _contact_lists(election: Election) -> dict[str, bytes]:
    lists = (
        ContactList.objects.filter(election=election)
        .select_related(
            "organisation",
            "accepted_version__submitted_by",
            "accepted_version__reviewed_by",
            "latest_version__submitted_by",
            "latest_version__reviewed_by",
        )
        .order_by("organisation__code")
    )
    files = {}
    for contact_list in lists:
        version = contact_list.accepted_version or contact_list.latest_version
        bodies = ElectionBody.objects.filter(
            contact_list=contact_list, version=version
        ).select_related("unit", "contact_list__organisation")
        path = f"contact-lists/{_file_name(contact_list.organisation.code)}.xlsx"
        files[path] = rows_to_xlsx(
            _export_headers(),
            _export_rows(bodies),
            preamble=_list_preamble(contact_list, version),
        )
    return files


def _list_preamble(contact_list: ContactList, version) -> list[list]:
    rows = [[_("District"), contact_list.organisation.name]]
    if version is None:
        rows.append([_("Version"), _("draft, never submitted")])
    else:
        rows += [
            [_("Version"), version.number],
            [_("Status"), version.get_status_display()],
            [_("Submitted at"), _when(version.submitted_at)],
            [_("Submitted by"), _user(version.submitted_by)],
            [_("Reviewed at"), _when(version.reviewed_at)],
            [_("Reviewed by"), _user(version.reviewed_by)],
        ]
    return [*rows, []]


# --- Plans ----------------------------------------------------------------------


def _plan_versions(
    election: Election, attachments: dict[str, PlanAttachment]
) -> dict[str, bytes]:
    reviews = SectionReview.objects.select_related(
        "obligation", "reviewed_by"
    ).order_by("obligation__position", "obligation__code")
    archived_as = {a.pk: path for path, a in attachments.items()}
    files = {}
    for version in _versions(election).prefetch_related(
        Prefetch("reviews", queryset=reviews)
    ):
        organisation = version.plan.organisation
        path = f"plans/{_file_name(organisation.code)}/v{version.number}.json"
        files[path] = _json(_version_record(version, archived_as))
    return files


def _versions(election: Election):
    return (
        PlanVersion.objects.filter(plan__directive__election=election)
        .select_related("plan__organisation", "plan__directive", "submitted_by")
        .order_by("plan__organisation__code", "number")
    )


def _cited(content: dict) -> set[int]:
    """The attachment ids a version's content cites."""
    return {
        int(a["id"])
        for section in content.values()
        for a in section.get("attachments", [])
    }


def _attachments(election: Election) -> dict[str, PlanAttachment]:
    """Archive path → attachment, for every file a submitted plan version
    of the election cites (an attachment removed from a later draft stays:
    the version that cited it is in the archive)."""
    contents = _versions(election).values_list("content", flat=True)
    cited = set().union(*(_cited(content) for content in contents))
    found = PlanAttachment.objects.filter(pk__in=cited).select_related(
        "section__plan__organisation"
    )
    return {_attachment_path(a): a for a in found.order_by("pk")}


def _attachment_sha256(attachment: PlanAttachment) -> str:
    """Its SHA-256, or a ValidationError naming it when its file has gone
    from storage: the archive would not be the full record without it."""
    try:
        with attachment.file.open("rb") as f:
            return _stream_sha256(f)
    except FileNotFoundError:
        raise ValidationError(
            _(
                "The file “%(name)s” of %(organisation)s's plan is missing from "
                "the server's storage (%(stored)s). Restore it from a backup, "
                "then close the election again."
            )
            % {
                "name": attachment.original_name,
                "organisation": attachment.section.plan.organisation.name,
                "stored": attachment.file.name,
            }
        ) from None


def _attachment_path(attachment: PlanAttachment) -> str:
    organisation = attachment.section.plan.organisation
    name = _file_name(attachment.original_name)
    return f"plans/{_file_name(organisation.code)}/attachments/{attachment.pk}-{name}"


def _version_record(version: PlanVersion, archived_as: dict[int, str]) -> dict:
    plan = version.plan
    content = {
        code: section
        | {
            "attachments": [
                a | {"archived_as": archived_as.get(int(a["id"]), "")}
                for a in section.get("attachments", [])
            ]
        }
        for code, section in version.content.items()
    }
    return {
        "organisation": plan.organisation.name,
        "organisation_code": plan.organisation.code,
        "directive": plan.directive.number,
        "version": version.number,
        "submitted_at": _when(version.submitted_at),
        "submitted_by": _user(version.submitted_by),
        "content": content,
        "reviews": [
            {
                "obligation": review.obligation.code,
                "status": review.status,
                "comment": review.comment,
                "reviewed_at": _when(review.reviewed_at),
                "reviewed_by": _user(review.reviewed_by),
                "carried_over": review.carried_over,
            }
            for review in version.reviews.all()
        ],
    }


def _json(value: object) -> bytes:
    text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


# --- Incidents, rosters, reports ------------------------------------------------------


def _incidents(election: Election) -> dict[str, bytes]:
    incidents = (
        Incident.objects.filter(election=election)
        .select_related("organisation", "reported_by", "acknowledged_by", "answered_by")
        .prefetch_related("districts", "units")
        .order_by("pk")
    )
    updates = (
        IncidentUpdate.objects.filter(incident__election=election)
        .select_related("author", "organisation")
        .order_by("incident_id", "created_at", "pk")
    )
    return {
        "incidents/incidents.xlsx": _xlsx(
            _incident_headers(), (_incident_row(i) for i in incidents)
        ),
        "incidents/timelines.xlsx": _xlsx(
            [_("No."), _("At"), _("Entry"), _("By"), _("Organisation")]
            + [_("Status from"), _("Status to"), _("Escalation step")]
            + [_("Text"), _("File")],
            (_update_row(u) for u in updates),
        ),
    }


def _incident_headers() -> list[str]:
    return [
        _("No."),
        _("Reported at"),
        _("Organisation"),
        _("Reported by"),
        _("Category"),
        _("Severity"),
        _("Status"),
        _("Summary"),
        _("Description"),
        _("Districts"),
        _("Units"),
        _("Services affected"),
        _("Started at"),
        _("Detected at"),
        _("Acknowledged at"),
        _("Acknowledged by"),
        _("Resolved at"),
        _("Resolution"),
        _("Closed at"),
        _("Answer"),
        _("Answered at"),
        _("Answered by"),
    ]


def _incident_row(i: Incident) -> list:
    return [
        i.pk,
        i.created_at,
        i.organisation.name,
        _user(i.reported_by),
        i.get_category_display(),
        i.get_severity_display(),
        i.get_status_display(),
        i.title,
        i.description,
        ", ".join(sorted(d.name for d in i.districts.all())),
        ", ".join(sorted(u.name for u in i.units.all())),
        ", ".join(str(_SERVICES.get(s, s)) for s in i.services or []),
        i.started_at,
        i.detected_at,
        i.acknowledged_at,
        _user(i.acknowledged_by),
        i.resolved_at,
        i.resolution_note,
        i.closed_at,
        i.answer,
        i.answered_at,
        _user(i.answered_by),
    ]


def _update_row(u: IncidentUpdate) -> list:
    return [
        u.incident_id,
        u.created_at,
        u.get_kind_display(),
        _user(u.author),
        u.organisation.name if u.organisation else "",
        u.get_status_from_display() if u.status_from else "",
        u.get_status_to_display() if u.status_to else "",
        u.step or None,
        u.text,
        u.original_name,
    ]


def _shifts(election: Election) -> dict[str, bytes]:
    shifts = (
        Shift.objects.filter(election=election)
        .select_related("organisation")
        .order_by("organisation__code", "starts_at", "pk")
    )
    headers = [_("Organisation"), _("Starts at"), _("Ends at"), _("Person on duty")]
    headers += [_("Duty"), _("Phone"), _("Location")]
    rows = (
        [s.organisation.name, s.starts_at, s.ends_at, s.person_name]
        + [s.role, s.phone, s.location]
        for s in shifts
    )
    return {"rosters/shifts.xlsx": _xlsx(headers, rows)}


def _status_reports(election: Election) -> dict[str, bytes]:
    reports = list(
        StatusReport.objects.filter(election=election)
        .select_related("organisation", "filed_by")
        .order_by("due_at", "organisation__code")
    )
    if not reports:
        return {}
    headers = [_("Reporting moment"), _("Organisation"), _("Overall status")]
    headers += [_("Sites out of service"), _("Election mail accepted")]
    headers += [_("Election mail delivered"), _("Election mail delayed")]
    headers += [_("Open incidents"), _("Note"), _("Filed by"), _("Filed at")]
    rows = (
        [r.due_at, r.organisation.name, r.get_overall_status_display()]
        + [r.sites_out, r.mail_accepted, r.mail_delivered, r.mail_delayed]
        + [r.open_incidents, r.note, _user(r.filed_by), r.filed_at]
        for r in reports
    )
    return {"status-reports/status-reports.xlsx": _xlsx(headers, rows)}


def _situation_reports(election: Election) -> dict[str, bytes]:
    reports = SituationReport.objects.filter(election=election).select_related(
        "made_by"
    )
    return {
        f"situation-reports/{r.number:03d}.json": _json(
            {
                "number": r.number,
                "as_of": _when(r.as_of),
                "made_at": _when(r.made_at),
                "made_by": _user(r.made_by),
                "figures": r.figures,
            }
        )
        for r in reports
    }


def _final_report(election: Election, now: datetime.datetime) -> dict[str, bytes]:
    """The Election Committee's report as of the close-out; none for an
    election without a directive (there is nothing to report on)."""
    directive = directive_current(election=election)
    if directive is None:
        return {}
    # The election with its province (the place above the signatures), as
    # readiness.views.report gives it.
    directive.election = Election.objects.select_related("province").get(pk=election.pk)
    report = committee_report(directive=directive, moment=now)
    return {
        "report/final-report.pdf": committee_report_pdf(report, settings.LANGUAGE_CODE)
    }


# --- Verifying --------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is wrong with one file of an archive: `kind` is one of the
    constants below, `path` the file's path inside the archive."""

    kind: str
    path: str

    ALTERED = "altered"
    MISSING = "missing"
    EXTRA = "extra"
    UNREADABLE = "unreadable"

    def __str__(self) -> str:
        texts = {
            self.ALTERED: _("altered (its SHA-256 differs from the manifest): %s"),
            self.MISSING: _("missing (listed in the manifest): %s"),
            self.EXTRA: _("not in the manifest: %s"),
            self.UNREADABLE: _("cannot be read as an archive: %s"),
        }
        return texts[self.kind] % self.path


def archive_verify(path: str | Path) -> list[Problem]:
    """The problems of the archive at `path` (a zip, or the folder it was
    extracted to): files altered, missing or not listed in MANIFEST.txt.
    An empty list means every file matches its hash."""
    try:
        hashes, manifest = _read(Path(path))
    except (OSError, zipfile.BadZipFile):
        return [Problem(Problem.UNREADABLE, str(path))]
    if manifest is None:
        return [Problem(Problem.MISSING, MANIFEST)]
    listed = _manifest_entries(manifest)
    if listed is None:
        return [Problem(Problem.UNREADABLE, MANIFEST)]
    problems = []
    for name in sorted(set(listed) | set(hashes)):
        if name not in hashes:
            problems.append(Problem(Problem.MISSING, name))
        elif name not in listed:
            problems.append(Problem(Problem.EXTRA, name))
        elif hashes[name] != listed[name]:
            problems.append(Problem(Problem.ALTERED, name))
    return problems


def archive_listed(path: str | Path) -> dict[str, str]:
    """The files MANIFEST.txt lists, path → SHA-256 (empty when it cannot
    be read: archive_verify says why)."""
    try:
        _hashes, manifest = _read(Path(path))
    except (OSError, zipfile.BadZipFile):
        return {}
    return (_manifest_entries(manifest) if manifest else None) or {}


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as f:
        return _stream_sha256(f)


def _read(path: Path) -> tuple[dict[str, str], bytes | None]:
    """The SHA-256 of every file but the manifest, and the manifest's bytes
    (None when there is none)."""
    if path.is_file():
        return _zip_read(path)
    if path.is_dir():
        return _folder_read(path)
    raise FileNotFoundError(path)


def _zip_read(path: Path) -> tuple[dict[str, str], bytes | None]:
    hashes, manifest = {}, None
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            if info.filename == MANIFEST:
                manifest = z.read(info)
            else:
                with z.open(info) as f:
                    hashes[info.filename] = _stream_sha256(f)
    return hashes, manifest


def _folder_read(root: Path) -> tuple[dict[str, str], bytes | None]:
    hashes, manifest = {}, None
    for file in sorted(p for p in root.rglob("*") if p.is_file()):
        name = file.relative_to(root).as_posix()
        if name == MANIFEST:
            manifest = file.read_bytes()
        else:
            hashes[name] = file_sha256(file)
    return hashes, manifest


def _manifest_entries(manifest: bytes) -> dict[str, str] | None:
    """path → SHA-256 from the manifest's lines; None when a line is
    neither a comment nor "<sha256>  <path>", or names a path outside the
    archive."""
    try:
        text = manifest.decode("utf-8")
    except UnicodeDecodeError:
        return None
    entries = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = _HASH_LINE.match(line)
        if match is None:
            return None
        name = match["path"]
        if name.startswith("/") or ".." in PurePosixPath(name).parts:
            return None
        entries[name] = match["sha"]
    return entries
