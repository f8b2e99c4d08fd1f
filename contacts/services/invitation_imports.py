"""Inviting people from a spreadsheet (contacts.importers.people): what each
row would do, then every invitation at once or none.

1. `invitation_import_plan` reads each row against the organisations the
   inviter may choose and the accounts already there, and says what it
   would do: invite, nothing (already a member, already invited, or
   deactivated), or why it cannot (errors naming row and column). Two
   queries whatever the number of rows.
2. The preview shows the plan; the rows travel to the confirmation signed
   (contacts.forms_invitation_imports), with the plan's fingerprint.
3. `invitation_import_apply` plans again inside its transaction. When the
   plan differs from the one shown (someone joined, was invited or took an
   address meanwhile), it raises PlanChanged with the new plan and saves
   nothing; else it invites every "invite" row with
   contacts.services.members.people_invite_many: all, or none.

Sending the same file again invites nobody twice: its people are then
"already invited" (or members), left unchanged.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.importers.people import (
    COLUMNS,
    PersonRow,
    column_error,
    role_of,
    unknown_role_message,
)
from contacts.importers.vocabulary import (
    FileColumn,
    RowError,
    fold,
    missing_value_message,
)
from contacts.models import MemberRole, Organisation, User
from contacts.services.members import (
    PersonDraft,
    clean_person,
    people_invite_many,
    taken_message,
)


class RowAction(models.TextChoices):
    INVITE = "invite", _("to invite")
    MEMBER = "member", _("already a member of that organisation (unchanged)")
    INVITED = "invited", _("already invited, not yet joined (unchanged)")
    DEACTIVATED = "deactivated", _("deactivated member (unchanged)")
    ERROR = "error", _("has errors")


UNCHANGED = frozenset({RowAction.MEMBER, RowAction.INVITED, RowAction.DEACTIVATED})
_COLUMN_ORDER = {column.key: position for position, column in enumerate(COLUMNS)}


def unknown_organisation_message(value: str) -> str:
    return gettext(
        "No organisation has the code or name “%(value)s”. Write its code or "
        "its name as the list of organisations has it."
    ) % {"value": value}


def several_organisations_message(value: str) -> str:
    return gettext(
        "Several organisations are named “%(value)s”; write the code of the "
        "one you mean."
    ) % {"value": value}


def same_email_message(row: int) -> str:
    return gettext(
        "The same e-mail address as row %(row)d: a person is invited once."
    ) % {"row": row}


def same_phone_message(row: int) -> str:
    return gettext(
        "The same phone number as row %(row)d: a person is invited once."
    ) % {"row": row}


@dataclass
class PlannedRow:
    row: PersonRow
    action: str  # RowAction
    organisation: Organisation | None = None
    role: str = ""  # MemberRole value, "" when the cell names none
    # The person as they will be invited (e-mail in lower case, phone in
    # E.164); None for a row with an error.
    draft: PersonDraft | None = None
    errors: list[RowError] = field(default_factory=list)
    # The row's e-mail and phone as kept, "" where they do not check out.
    email: str = ""
    phone: str = ""

    @property
    def action_label(self) -> str:
        return str(RowAction(self.action).label)

    @property
    def role_label(self) -> str:
        return str(MemberRole(self.role).label) if self.role else ""


@dataclass
class InvitationPlan:
    rows: list[PlannedRow]
    # Every error of the file, by row (those of the file itself first).
    errors: list[RowError]

    @property
    def to_invite(self) -> list[PlannedRow]:
        return [r for r in self.rows if r.action == RowAction.INVITE]

    @property
    def unchanged(self) -> int:
        return sum(r.action in UNCHANGED for r in self.rows)

    @property
    def failed(self) -> int:
        return sum(r.action == RowAction.ERROR for r in self.rows)

    @property
    def fingerprint(self) -> str:
        """What confirming would do, in 32 hex digits: the preview shows a
        plan, the confirmation applies that plan or none."""
        digest = hashlib.sha256()
        for r in self.rows:
            draft = r.draft
            shown = (r.row.row_number, r.action, getattr(r.organisation, "pk", None))
            person = (draft.full_name, draft.email, draft.phone) if draft else ()
            digest.update(repr((shown, r.role, person)).encode())
        digest.update(
            repr([(e.row_number, e.column, e.message) for e in self.errors]).encode()
        )
        return digest.hexdigest()[:32]


class PlanChanged(Exception):
    """What the file would do is no longer what the preview showed."""

    def __init__(self, plan: InvitationPlan) -> None:
        super().__init__("the plan changed since the preview")
        self.plan = plan


class _Organisations:
    """The organisations a row may name, by code or by name (in Vietnamese
    or English), case and diacritics ignored."""

    def __init__(self, organisations: QuerySet[Organisation]) -> None:
        self.by_code: dict[str, Organisation] = {}
        self.by_name: dict[str, dict[int, Organisation]] = {}
        for organisation in organisations.order_by("pk"):
            self.by_code.setdefault(fold(organisation.code), organisation)
            for name in (organisation.name, organisation.name_en):
                if fold(name):
                    found = self.by_name.setdefault(fold(name), {})
                    found[organisation.pk] = organisation

    def find(self, text: str) -> tuple[Organisation | None, str]:
        """The organisation, or None and why not."""
        folded = fold(text)
        if folded in self.by_code:
            return self.by_code[folded], ""
        named = list(self.by_name.get(folded, {}).values())
        if len(named) == 1:
            return named[0], ""
        if named:
            return None, several_organisations_message(text)
        return None, unknown_organisation_message(text)


class _Accounts:
    """The accounts already using the rows' e-mails and phones, in one
    query: contacts.services.members.account_of's rule (an e-mail matches
    an account's e-mail or username whatever the case, a phone its phone
    or username; API tokens' accounts aside; the first account made wins)
    for every row at once."""

    def __init__(self, drafts: Iterable[PersonDraft]) -> None:
        drafts = list(drafts)
        emails = {d.email.lower() for d in drafts if d.email}
        phones = {d.phone for d in drafts if d.phone}
        self.by_email: dict[str, list[User]] = {}
        self.by_phone: dict[str, list[User]] = {}
        if not (emails or phones):
            return
        q = Q(email_lower__in=emails) | Q(username_lower__in=emails)
        q |= Q(phone__in=phones) | Q(username__in=phones)
        accounts = (
            User.objects.annotate(
                email_lower=Lower("email"), username_lower=Lower("username")
            )
            .filter(q, api_token__isnull=True)
            .select_related("membership__organisation")
            .order_by("pk")
        )
        for account in accounts:
            for email in {account.email.lower(), account.username.lower()}:
                self.by_email.setdefault(email, []).append(account)
            for phone in {account.phone, account.username}:
                self.by_phone.setdefault(phone, []).append(account)

    def of(self, draft: PersonDraft) -> tuple[User | None, str]:
        """The account using the draft's e-mail or phone, and the column
        that matched it ("email" or "phone")."""
        found: list[tuple[int, str, User]] = []
        if draft.email:
            found += [(a.pk, "email", a) for a in self.by_email.get(draft.email, [])]
        if draft.phone:
            found += [(a.pk, "phone", a) for a in self.by_phone.get(draft.phone, [])]
        if not found:
            return None, ""
        _pk, key, account = min(found, key=lambda item: item[0])
        return account, key


# The column of each field of contacts.services.members.clean_person.
_FIELD_COLUMNS = {"full_name": "full_name", "email": "email", "phone": "phone"}


def invitation_import_plan(
    *,
    rows: Sequence[PersonRow],
    columns: dict[str, FileColumn],
    organisations: QuerySet[Organisation],
    file_errors: Sequence[RowError] = (),
) -> InvitationPlan:
    """What confirming would do with each row. `organisations` are those
    the inviter may invite to; `file_errors` the parser's (a row with one
    is an error)."""
    index = _Organisations(organisations)
    # The cells the parser refused (a formula, …), by row: read as empty,
    # they are not reported again as empty.
    failed: dict[int, set[str]] = {}
    for error in file_errors:
        failed.setdefault(error.row_number, set()).add(error.column)
    planned = [
        _check_row(row, columns, index, failed.get(row.row_number)) for row in rows
    ]
    first_email: dict[str, int] = {}
    first_phone: dict[str, int] = {}
    for p in planned:
        _check_duplicates(p, columns, first_email, first_phone)
    accounts = _Accounts(p.draft for p in planned if p.draft and not p.errors)
    for p in planned:
        if p.draft is not None and not p.errors:
            _check_account(p, columns, accounts)
        if p.errors:
            p.action, p.draft = RowAction.ERROR, None
    errors = [e for e in file_errors if not e.row_number]
    row_errors = [e for e in file_errors if e.row_number]
    row_errors += [e for p in planned for e in p.errors]
    row_errors.sort(key=lambda e: e.row_number)
    return InvitationPlan(rows=planned, errors=errors + row_errors)


def _check_row(
    row: PersonRow,
    columns: dict[str, FileColumn],
    organisations: _Organisations,
    failed: set[str] | None,
) -> PlannedRow:
    """The row's own checks: organisation, role, name, e-mail and phone.
    `failed`: the headers of its cells the parser refused, if any."""
    p = PlannedRow(row=row, action=RowAction.ERROR if failed else RowAction.INVITE)
    number = row.row_number
    errors: list[tuple[str, str]] = []
    if row.organisation:
        p.organisation, why = organisations.find(row.organisation)
        if why:
            errors.append(("organisation", why))
    elif "organisation" in columns:
        header = columns["organisation"].header
        errors.append(("organisation", missing_value_message(header)))
    p.role = role_of(row.role) or ""
    if not p.role:
        errors.append(("role", unknown_role_message(row.role)))
    draft, by_field = clean_person(
        PersonDraft(
            full_name=row.full_name,
            email=row.email,
            phone=row.phone,
            role=p.role or MemberRole.EDITOR,
            organisation=p.organisation or Organisation(),
        )
    )
    for name, messages in by_field.items():
        key = _FIELD_COLUMNS.get(name, "role")
        if key == "email" and "email" not in columns:
            key = "phone"  # the file has only a phone column
        errors += [(key, str(message)) for message in messages]
    errors.sort(key=lambda item: _COLUMN_ORDER[item[0]])
    found = [column_error(columns, number, key, message) for key, message in errors]
    p.errors = [e for e in found if e.column not in (failed or ())]
    # What the duplicate check compares: the e-mail and phone that check out.
    p.email = "" if "email" in by_field else draft.email
    p.phone = "" if "phone" in by_field else draft.phone
    if p.errors or failed:
        p.action = RowAction.ERROR
    else:
        p.draft = draft
    return p


def _check_duplicates(
    p: PlannedRow,
    columns: dict[str, FileColumn],
    first_email: dict[str, int],
    first_phone: dict[str, int],
) -> None:
    """The same person twice in the file: the later row is refused."""
    number = p.row.row_number
    if p.email:
        first = first_email.setdefault(p.email, number)
        if first != number:
            p.errors.append(
                column_error(columns, number, "email", same_email_message(first))
            )
    if p.phone:
        first = first_phone.setdefault(p.phone, number)
        if first != number:
            p.errors.append(
                column_error(columns, number, "phone", same_phone_message(first))
            )


def _check_account(
    p: PlannedRow, columns: dict[str, FileColumn], accounts: _Accounts
) -> None:
    """Invite, or leave unchanged the organisation's own member, or refuse
    another organisation's account."""
    assert p.draft is not None and p.organisation is not None
    account, key = accounts.of(p.draft)
    if account is None:
        return
    membership = getattr(account, "membership", None)
    if membership is None or membership.organisation_id != p.organisation.pk:
        message = taken_message(account, p.organisation)
        p.errors.append(column_error(columns, p.row.row_number, key, message))
    elif membership.deactivated_at is not None:
        p.action = RowAction.DEACTIVATED
    elif account.is_active:
        p.action = RowAction.MEMBER
    else:
        p.action = RowAction.INVITED


def invitation_import_apply(
    *,
    rows: Sequence[PersonRow],
    columns: dict[str, FileColumn],
    organisations: QuerySet[Organisation],
    shown: str,
    by: User,
) -> InvitationPlan:
    """Invite the rows to invite, as the plan with fingerprint `shown`
    said, all or none. Raises PlanChanged (nothing saved) when the plan is
    no longer that one, and the ValidationError of people_invite_many
    (nothing saved) when an address was taken between the plan and the
    invitation."""
    with transaction.atomic():
        plan = invitation_import_plan(
            rows=rows, columns=columns, organisations=organisations
        )
        if plan.errors or plan.fingerprint != shown:
            raise PlanChanged(plan)
        drafts = [p.draft for p in plan.to_invite if p.draft is not None]
        people_invite_many(drafts=drafts, by=by)
    return plan
