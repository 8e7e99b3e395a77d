"""What can happen to companies, pledges and their yearly reports. Callers own the transaction and
pass the clock; every change made on someone's behalf checks, here too, that they may make it
(a member of the company, a reviewer, an administrator), so a forged button gets nowhere.

Statuses of a pledge::

    draft ──submit──▶ submitted ──accept──▶ accepted (public) ──a newer one accepted──▶ superseded
      ▲                   │
      └──── changes requested (with the reviewer's note) ◀──┘        any open or public one
                                                                    ──withdraw──▶ withdrawn
"""

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.geography import COUNTRY_CODES, COUNTRY_ZONES, OTHER_COUNTRY
from accounts.models import User
from accounts.service import Permission, has_permission
from delivery import outbox
from delivery.outbox import OutboxItem
from i18n.languages import LANGUAGE_CODES
from pledges import brand_audits
from pledges.brands import BRANDS_MAX, brand_key
from pledges.content import (
    CommitmentSpec,
    InvalidContent,
    PledgeContent,
    Problem,
    ProblemKind,
    answers_of,
    check_answers,
    check_metric_value,
    check_statement,
    check_text,
    check_tonnes,
    clean_text,
)
from pledges.models import (
    BRAND_MAX_LENGTH,
    COMPANY_NAME_MAX_LENGTH,
    VERDICTS,
    Commitment,
    Company,
    Decision,
    Evidence,
    EvidenceKind,
    Invitation,
    Membership,
    Metric,
    PeriodStatus,
    Pledge,
    PledgeSlot,
    PledgeStatus,
    ProgressReport,
    ReportingPeriod,
    ReportValue,
    ReviewDecision,
    Sector,
    SizeBand,
)
from pledges.trajectory import Progress, judge

INVITATION_VALID_FOR = timedelta(days=7)
INVITATION_PREFIX = "pl_"
# 24 random bytes: 32 URL-safe characters, well inside the 61 the start payload leaves.
INVITATION_TOKEN_BYTES = 24
# The Bot API hands bots files up to 20 MB: a larger one could never be checked by a reviewer.
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_MAX_FILES = 20
NARRATIVE_MAX_LENGTH = 1000
NOTE_MAX_LENGTH = 1000
# Reports on a year are due by the end of 31 March of the next year, in the company's country.
DEADLINE_MONTH, DEADLINE_DAY = 3, 31
REMINDER_DAYS = (30, 7, 1)
OPEN_STATUSES = (PledgeStatus.DRAFT, PledgeStatus.SUBMITTED, PledgeStatus.CHANGES_REQUESTED)
EDITABLE_STATUSES = (PledgeStatus.DRAFT, PledgeStatus.CHANGES_REQUESTED)


class Kind:
    """Outbox kinds owned by pledges (rendered by the chat side)."""

    REPORT_DUE = "pledge.report_due"


class PledgeError(Exception):
    """Something the person may not do, or not now; the chat explains it."""


class NotAMember(PledgeError):
    pass


class NotAllowed(PledgeError):
    """The role it takes (reviewer, administrator) is missing."""


class WrongStatus(PledgeError):
    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


# Companies and their members.


@dataclass(frozen=True)
class CompanyDetails:
    names: Mapping[str, str]  # {language: name}
    main_language: str
    country: str
    sector: str
    size_band: str
    brands: Sequence[str] = ()
    public_brand_aggregates: bool = False


def check_company(details: CompanyDetails) -> list[Problem]:
    problems: list[Problem] = []
    if details.main_language not in LANGUAGE_CODES:
        problems.append(Problem("main_language", ProblemKind.UNKNOWN_LANGUAGE))
    elif details.main_language not in details.names:
        problems.append(Problem(f"names.{details.main_language}", ProblemKind.MISSING))
    for language, name in details.names.items():
        if language not in LANGUAGE_CODES:
            problems.append(Problem(f"names.{language}", ProblemKind.UNKNOWN_LANGUAGE))
        elif (
            problem := check_text(name, COMPANY_NAME_MAX_LENGTH, f"names.{language}")
        ) is not None:
            problems.append(problem)
    if details.country not in (*COUNTRY_CODES, OTHER_COUNTRY):
        problems.append(Problem("country", ProblemKind.UNKNOWN_CHOICE))
    if details.sector not in set(Sector):
        problems.append(Problem("sector", ProblemKind.UNKNOWN_CHOICE))
    if details.size_band not in set(SizeBand):
        problems.append(Problem("size_band", ProblemKind.UNKNOWN_CHOICE))
    if len(details.brands) > BRANDS_MAX:
        problems.append(Problem("brands", ProblemKind.TOO_MANY, BRANDS_MAX))
    seen: set[str] = set()
    for index, brand in enumerate(details.brands):
        where = f"brands[{index}]"
        if (problem := check_text(brand, BRAND_MAX_LENGTH, where)) is not None:
            problems.append(problem)
        elif not brand_key(brand):
            problems.append(Problem(where, ProblemKind.EMPTY))
        elif brand_key(brand) in seen:
            problems.append(Problem(where, ProblemKind.DUPLICATE_ITEM))
        seen.add(brand_key(brand))
    return problems


def apply_details(company: Company, details: CompanyDetails, *, now: datetime) -> None:
    problems = check_company(details)
    if problems:
        raise InvalidContent(problems)
    company.names = {language: clean_text(name) for language, name in details.names.items()}
    company.main_language = details.main_language
    company.sort_name = company.names[details.main_language].casefold()[:COMPANY_NAME_MAX_LENGTH]
    company.country = details.country
    company.sector = Sector(details.sector)
    company.size_band = SizeBand(details.size_band)
    company.brands = [clean_text(brand) for brand in details.brands]
    company.public_brand_aggregates = details.public_brand_aggregates
    company.updated_at = now


async def register_company(
    session: AsyncSession,
    details: CompanyDetails,
    *,
    founder: User | None,
    now: datetime,
    key: str | None = None,
) -> Company:
    """The founder (if any: an import has none) becomes the first member."""
    company = Company(key=key, created_at=now, merged_into_id=None)
    apply_details(company, details, now=now)
    session.add(company)
    await session.flush()
    if founder is not None:
        session.add(Membership(company_id=company.id, user_id=founder.id, joined_at=now))
        await session.flush()
    return company


async def update_company(
    session: AsyncSession, company: Company, details: CompanyDetails, *, by: User, now: datetime
) -> None:
    await require_member(session, company.id, by)
    apply_details(company, details, now=now)


async def is_member(session: AsyncSession, company_id: int, user_id: int) -> bool:
    found = await session.scalar(
        select(Membership.id).where(
            Membership.company_id == company_id, Membership.user_id == user_id
        )
    )
    return found is not None


async def require_member(session: AsyncSession, company_id: int, user: User) -> None:
    if user.telegram_id is None or not await is_member(session, company_id, user.id):
        raise NotAMember(company_id)


async def member_ids(session: AsyncSession, company_id: int) -> list[int]:
    return list(
        await session.scalars(
            select(Membership.user_id)
            .where(Membership.company_id == company_id)
            .order_by(Membership.joined_at, Membership.id)
        )
    )


async def companies_of(session: AsyncSession, user: User) -> list[Company]:
    return list(
        await session.scalars(
            select(Company)
            .join(Membership, Membership.company_id == Company.id)
            .where(Membership.user_id == user.id)
            .order_by(Company.sort_name)
        )
    )


def new_invitation_token() -> str:
    return secrets.token_urlsafe(INVITATION_TOKEN_BYTES)


def invitation_payload(invitation: Invitation) -> str:
    """The deep-link start payload, e.g. ``pl_3q…``."""
    return INVITATION_PREFIX + invitation.token


async def invite(
    session: AsyncSession,
    company: Company,
    *,
    by: User,
    now: datetime,
    valid_for: timedelta = INVITATION_VALID_FOR,
) -> Invitation:
    await require_member(session, company.id, by)
    invitation = Invitation(
        company_id=company.id,
        token=new_invitation_token(),
        created_by=by.id,
        created_at=now,
        expires_at=now + valid_for,
    )
    session.add(invitation)
    await session.flush()
    return invitation


class JoinOutcome:
    JOINED = "joined"
    ALREADY_MEMBER = "already_member"
    UNKNOWN = "unknown"  # forged, mistyped, or of a company merged away
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True)
class JoinResult:
    outcome: str
    company: Company | None = None


async def join(session: AsyncSession, token: str, user: User, *, now: datetime) -> JoinResult:
    """Redeem an invitation (the token, without the ``pl_`` prefix). One use only; asking with
    a used one as its own user says so rather than adding anyone."""
    invitation = await session.scalar(
        select(Invitation).where(Invitation.token == token).with_for_update()
    )
    if invitation is None:
        return JoinResult(JoinOutcome.UNKNOWN)
    company = await session.get(Company, invitation.company_id)
    if company is None or company.merged_into_id is not None:
        return JoinResult(JoinOutcome.UNKNOWN)
    if await is_member(session, company.id, user.id):
        return JoinResult(JoinOutcome.ALREADY_MEMBER, company)
    if invitation.used_at is not None:
        return JoinResult(JoinOutcome.USED, company)
    if invitation.expires_at <= now:
        return JoinResult(JoinOutcome.EXPIRED, company)
    invitation.used_at = now
    invitation.used_by = user.id
    session.add(Membership(company_id=company.id, user_id=user.id, joined_at=now))
    await session.flush()
    return JoinResult(JoinOutcome.JOINED, company)


def reminder_prefix(company_id: int, user_id: int) -> str:
    return f"reminder:company:{company_id}:user:{user_id}:"


async def leave(session: AsyncSession, company: Company, user: User, *, now: datetime) -> bool:
    """The company, its pledges and reports stay as they are, with no link to the person left:
    what they wrote is the company's. Returns whether they were a member."""
    deleted = await session.execute(
        delete(Membership).where(Membership.company_id == company.id, Membership.user_id == user.id)
    )
    await unlink_person(session, user.id, company_id=company.id)
    await outbox.cancel(
        session,
        key_prefix=reminder_prefix(company.id, user.id),
        reason="left the company",
        now=now,
    )
    return bool(deleted.rowcount)  # type: ignore[attr-defined]


async def unlink_person(session: AsyncSession, user_id: int, *, company_id: int | None) -> None:
    """Forget who in a company wrote what (in one company, or in every one)."""
    pledges = select(Pledge.id)
    if company_id is not None:
        pledges = pledges.where(Pledge.company_id == company_id)
    for column in (Pledge.created_by, Pledge.submitted_by):
        await session.execute(
            update(Pledge)
            .where(column == user_id, Pledge.id.in_(pledges))
            .values({column.key: None})
            .execution_options(synchronize_session=False)
        )
    reports = select(ProgressReport.id).where(
        ProgressReport.period_id.in_(
            select(ReportingPeriod.id).where(ReportingPeriod.pledge_id.in_(pledges))
        )
    )
    await session.execute(
        update(ProgressReport)
        .where(ProgressReport.submitted_by == user_id, ProgressReport.id.in_(reports))
        .values(submitted_by=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Evidence)
        .where(Evidence.uploaded_by == user_id, Evidence.report_id.in_(reports))
        .values(uploaded_by=None)
        .execution_options(synchronize_session=False)
    )
    invitations = select(Invitation.id)
    if company_id is not None:
        invitations = invitations.where(Invitation.company_id == company_id)
    for invitation_column in (Invitation.created_by, Invitation.used_by):
        await session.execute(
            update(Invitation)
            .where(invitation_column == user_id, Invitation.id.in_(invitations))
            .values({invitation_column.key: None})
            .execution_options(synchronize_session=False)
        )
    # Invitations of someone who is gone are no longer theirs to give.
    await session.execute(
        delete(Invitation).where(
            Invitation.created_by.is_(None),
            Invitation.used_at.is_(None),
            Invitation.id.in_(invitations),
        )
    )


def _require_admin(by: User, admin_ids: frozenset[int]) -> None:
    if not has_permission(by, Permission.MANAGE_ROLES, admin_ids):
        raise NotAllowed(Permission.MANAGE_ROLES)


def _require_reviewer(by: User, admin_ids: frozenset[int]) -> None:
    if not has_permission(by, Permission.REVIEW, admin_ids):
        raise NotAllowed(Permission.REVIEW)


async def transfer_company(
    session: AsyncSession,
    company: Company,
    to: User,
    *,
    by: User,
    admin_ids: frozenset[int],
    now: datetime,
) -> None:
    """An administrator hands the company to one new member; the previous members leave."""
    _require_admin(by, admin_ids)
    for user_id in await member_ids(session, company.id):
        if user_id != to.id:
            person = await session.get(User, user_id)
            assert person is not None
            await leave(session, company, person, now=now)
    if not await is_member(session, company.id, to.id):
        session.add(Membership(company_id=company.id, user_id=to.id, joined_at=now))
    company.updated_at = now
    await session.flush()


async def merge_companies(
    session: AsyncSession,
    duplicate: Company,
    into: Company,
    *,
    by: User,
    admin_ids: frozenset[int],
    now: datetime,
) -> None:
    """An administrator folds a duplicate into the company it duplicates: members, brands,
    names in more languages and every pledge move over. Where both had a public (or an open)
    pledge, the one of ``into`` stays and the duplicate's goes to history (superseded,
    or withdrawn if it was still open). The duplicate stays as a pointer, so its import key
    and old invitations lead nowhere else."""
    _require_admin(by, admin_ids)
    if duplicate.id == into.id or duplicate.merged_into_id is not None:
        raise WrongStatus("merged")
    for user_id in await member_ids(session, duplicate.id):
        if not await is_member(session, into.id, user_id):
            session.add(Membership(company_id=into.id, user_id=user_id, joined_at=now))
    await session.execute(delete(Membership).where(Membership.company_id == duplicate.id))
    known = {brand_key(brand) for brand in into.brands}
    extra = [brand for brand in duplicate.brands if brand_key(brand) not in known]
    into.brands = [*into.brands, *extra][:BRANDS_MAX]
    into.names = {**duplicate.names, **into.names}
    into_public, into_open = await current_pledges(session, into.id)
    dup_public, dup_open = await current_pledges(session, duplicate.id)
    if dup_public is not None and into_public is not None:
        _end(dup_public, PledgeStatus.SUPERSEDED, now, superseded_by=into_public)
    if dup_open is not None and into_open is not None:
        _end(dup_open, PledgeStatus.WITHDRAWN, now)
    await session.flush()
    await session.execute(
        update(Pledge)
        .where(Pledge.company_id == duplicate.id)
        .values(company_id=into.id)
        .execution_options(synchronize_session="fetch")
    )
    await session.execute(
        update(Invitation)
        .where(Invitation.company_id == duplicate.id, Invitation.used_at.is_(None))
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    # The duplicate keeps its import key: a re-import under it updates ``into``.
    duplicate.merged_into_id = into.id
    duplicate.updated_at = into.updated_at = now
    await session.flush()


# Pledges.


async def current_pledges(
    session: AsyncSession, company_id: int
) -> tuple[Pledge | None, Pledge | None]:
    """The company's public pledge and the one being written or reviewed."""
    rows = await session.scalars(
        select(Pledge).where(Pledge.company_id == company_id, Pledge.slot.is_not(None))
    )
    by_slot = {pledge.slot: pledge for pledge in rows}
    return by_slot.get(PledgeSlot.PUBLIC), by_slot.get(PledgeSlot.OPEN)


def content_of(pledge: Pledge) -> PledgeContent:
    assert pledge.baseline_year is not None and pledge.baseline_tonnes is not None
    return PledgeContent(
        baseline_year=pledge.baseline_year,
        baseline_tonnes=pledge.baseline_tonnes,
        commitments=tuple(
            CommitmentSpec(
                metric=Metric(commitment.metric),
                target_value=commitment.target_value,
                target_year=commitment.target_year,
                baseline_value=commitment.baseline_value,
                items=tuple(commitment.items or ()),
                other_item=commitment.other_item,
                labels=dict(commitment.labels or {}),
                unit=commitment.unit,
            )
            for commitment in pledge.commitments
        ),
        statements=dict(pledge.statements or {}),
    )


async def start_pledge(
    session: AsyncSession, company: Company, *, by: User, now: datetime
) -> Pledge:
    """The company's draft: the open one if there is one, else a new one that starts from the
    public pledge's answers (so a new pledge is an edit of the current one)."""
    await require_member(session, company.id, by)
    public, open_pledge = await current_pledges(session, company.id)
    if open_pledge is not None:
        return open_pledge
    pledge = Pledge(
        company_id=company.id,
        status=PledgeStatus.DRAFT,
        slot=PledgeSlot.OPEN,
        answers=answers_of(content_of(public)) if public is not None else {},
        statements={},
        created_by=by.id,
        created_at=now,
        updated_at=now,
    )
    session.add(pledge)
    await session.flush()
    return pledge


async def save_answers(
    session: AsyncSession,
    pledge: Pledge,
    answers: Mapping[str, object],
    *,
    by: User,
    now: datetime,
) -> None:
    """Keep the wizard's answers so far, all or nothing: InvalidContent lists what is wrong."""
    await require_member(session, pledge.company_id, by)
    if pledge.status not in EDITABLE_STATUSES:
        raise WrongStatus(pledge.status)
    problems = check_answers(answers, now=now, complete=False)
    if problems:
        raise InvalidContent(list(problems) if isinstance(problems, list) else [])
    pledge.answers = dict(answers)
    pledge.updated_at = now


async def _materialize(session: AsyncSession, pledge: Pledge, content: PledgeContent) -> None:
    # The commitments a resubmission replaces must be loaded before they are replaced.
    await session.refresh(pledge, attribute_names=["commitments"])
    pledge.baseline_year = content.baseline_year
    pledge.baseline_tonnes = content.baseline_tonnes
    pledge.statements = dict(content.statements)
    pledge.commitments = [
        Commitment(
            position=position,
            metric=spec.metric,
            baseline_value=spec.baseline_value,
            target_value=spec.target_value,
            target_year=spec.target_year,
            items=list(spec.items),
            other_item=spec.other_item,
            labels=dict(spec.labels),
            unit=spec.unit,
        )
        for position, spec in enumerate(content.commitments)
    ]


async def submit_pledge(session: AsyncSession, pledge: Pledge, *, by: User, now: datetime) -> None:
    await require_member(session, pledge.company_id, by)
    if pledge.status not in EDITABLE_STATUSES:
        raise WrongStatus(pledge.status)
    checked = check_answers(pledge.answers, now=now, complete=True)
    if isinstance(checked, list):
        raise InvalidContent(checked)
    await _materialize(session, pledge, checked)
    pledge.status = PledgeStatus.SUBMITTED
    pledge.submitted_by = by.id
    pledge.submitted_at = now
    pledge.updated_at = now
    await session.flush()


def _end(
    pledge: Pledge, status: PledgeStatus, now: datetime, *, superseded_by: Pledge | None = None
) -> None:
    pledge.status = status
    pledge.slot = None
    pledge.ended_at = now
    pledge.updated_at = now
    if superseded_by is not None:
        pledge.superseded_by_id = superseded_by.id


async def _decide(
    session: AsyncSession,
    pledge: Pledge,
    decision: Decision,
    *,
    reviewer: User | None,
    now: datetime,
    note: str | None = None,
    report: ProgressReport | None = None,
    commitment: Commitment | None = None,
) -> ReviewDecision:
    record = ReviewDecision(
        pledge_id=pledge.id,
        report_id=report.id if report is not None else None,
        commitment_id=commitment.id if commitment is not None else None,
        decision=decision,
        note=note,
        reviewer_id=reviewer.id if reviewer is not None else None,
        decided_at=now,
    )
    session.add(record)
    await session.flush()
    return record


async def _make_public(session: AsyncSession, pledge: Pledge, *, now: datetime) -> None:
    public, _ = await current_pledges(session, pledge.company_id)
    if public is not None and public.id != pledge.id:
        _end(public, PledgeStatus.SUPERSEDED, now, superseded_by=pledge)
        await session.flush()
    pledge.status = PledgeStatus.ACCEPTED
    pledge.slot = None
    await session.flush()
    pledge.slot = PledgeSlot.PUBLIC
    pledge.review_note = None
    pledge.accepted_at = now
    pledge.updated_at = now
    await session.flush()


def _clean_note(note: str | None, *, required: bool) -> str | None:
    if note is None or not note.strip():
        if required:
            raise InvalidContent([Problem("note", ProblemKind.EMPTY)])
        return None
    if (problem := check_statement(note, "note")) is not None:
        raise InvalidContent([problem])
    return note.strip()


async def accept_pledge(
    session: AsyncSession,
    pledge: Pledge,
    *,
    reviewer: User,
    admin_ids: frozenset[int],
    now: datetime,
    note: str | None = None,
) -> None:
    """The pledge becomes the company's public one; the previous one is superseded."""
    _require_reviewer(reviewer, admin_ids)
    if pledge.status != PledgeStatus.SUBMITTED:
        raise WrongStatus(pledge.status)
    cleaned = _clean_note(note, required=False)
    await _make_public(session, pledge, now=now)
    await _decide(session, pledge, Decision.ACCEPTED, reviewer=reviewer, now=now, note=cleaned)


async def request_changes(
    session: AsyncSession,
    pledge: Pledge,
    *,
    reviewer: User,
    admin_ids: frozenset[int],
    note: str,
    now: datetime,
) -> None:
    """Back to the company with the reviewer's note; the company edits and resubmits."""
    _require_reviewer(reviewer, admin_ids)
    if pledge.status != PledgeStatus.SUBMITTED:
        raise WrongStatus(pledge.status)
    cleaned = _clean_note(note, required=True)
    pledge.status = PledgeStatus.CHANGES_REQUESTED
    pledge.review_note = cleaned
    pledge.updated_at = now
    await _decide(
        session, pledge, Decision.CHANGES_REQUESTED, reviewer=reviewer, now=now, note=cleaned
    )


async def record_imported_pledge(
    session: AsyncSession, company: Company, content: PledgeContent, *, now: datetime
) -> Pledge | None:
    """A pledge a pact already accepted (from its spreadsheet) becomes the public one, unless
    the public one says the same already (then None). The previous one goes to history."""
    public, _ = await current_pledges(session, company.id)
    if public is not None and content_of(public) == content:
        return None
    pledge = Pledge(
        company_id=company.id,
        status=PledgeStatus.SUBMITTED,
        answers=answers_of(content),
        statements={},
        commitments=[],
        created_at=now,
        updated_at=now,
        submitted_at=now,
    )
    session.add(pledge)
    await session.flush()
    await _materialize(session, pledge, content)
    await _make_public(session, pledge, now=now)
    await _decide(session, pledge, Decision.IMPORTED, reviewer=None, now=now)
    return pledge


async def withdraw_pledge(
    session: AsyncSession, pledge: Pledge, *, by: User, now: datetime
) -> None:
    """A member takes back the open or the public pledge; it stays in history."""
    await require_member(session, pledge.company_id, by)
    if pledge.slot is None:
        raise WrongStatus(pledge.status)
    _end(pledge, PledgeStatus.WITHDRAWN, now)
    await session.flush()


async def history(session: AsyncSession, company_id: int) -> list[Pledge]:
    return list(
        await session.scalars(
            select(Pledge)
            .where(Pledge.company_id == company_id)
            .order_by(Pledge.created_at, Pledge.id)
        )
    )


async def decisions_on(session: AsyncSession, pledge_id: int) -> list[ReviewDecision]:
    return list(
        await session.scalars(
            select(ReviewDecision)
            .where(ReviewDecision.pledge_id == pledge_id)
            .order_by(ReviewDecision.decided_at, ReviewDecision.id)
        )
    )


@dataclass(frozen=True)
class ReviewQueue:
    pledges: list[Pledge]
    # Submitted reports with at least one value no verdict was given on yet.
    reports: list[ProgressReport]


async def review_queue(session: AsyncSession) -> ReviewQueue:
    pledges = await session.scalars(
        select(Pledge)
        .where(Pledge.status == PledgeStatus.SUBMITTED)
        .order_by(Pledge.submitted_at, Pledge.id)
    )
    judged = select(ReviewDecision.id).where(
        ReviewDecision.report_id == ReportValue.report_id,
        ReviewDecision.commitment_id == ReportValue.commitment_id,
    )
    waiting = select(ReportValue.report_id).where(~judged.exists())
    reports = await session.scalars(
        select(ProgressReport)
        .where(ProgressReport.submitted_at.is_not(None), ProgressReport.id.in_(waiting))
        .order_by(ProgressReport.submitted_at, ProgressReport.id)
    )
    return ReviewQueue(list(pledges), list(reports))


# Yearly reporting.


def deadline_for(year: int) -> date:
    return date(year + 1, DEADLINE_MONTH, DEADLINE_DAY)


def company_zone(company: Company, fallback_zone: str) -> str:
    zones = COUNTRY_ZONES.get(company.country)
    return zones[0] if zones else fallback_zone


def end_of_day(day: date, zone: str) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


async def open_reporting_periods(
    session: AsyncSession, *, now: datetime, fallback_zone: str
) -> int:
    """Each public pledge gets a period for every year that ended since it was accepted (from
    the acceptance year on), due 31 March after it. Idempotent; returns how many opened."""
    rows = await session.execute(
        select(Pledge, Company)
        .join(Company, Company.id == Pledge.company_id)
        .where(Pledge.slot == PledgeSlot.PUBLIC)
    )
    opened = 0
    for pledge, company in rows:
        assert pledge.accepted_at is not None
        existing = set(
            await session.scalars(
                select(ReportingPeriod.year).where(ReportingPeriod.pledge_id == pledge.id)
            )
        )
        zone = company_zone(company, fallback_zone)
        local_year = now.astimezone(ZoneInfo(zone)).year
        first = pledge.accepted_at.astimezone(ZoneInfo(zone)).year
        for year in range(first, local_year):
            if year in existing:
                continue
            deadline = deadline_for(year)
            session.add(
                ReportingPeriod(
                    pledge_id=pledge.id,
                    year=year,
                    deadline=deadline,
                    deadline_at=end_of_day(deadline, zone),
                    status=PeriodStatus.OPEN,
                    opened_at=now,
                )
            )
            opened += 1
    await session.flush()
    await mark_missed_deadlines(session, now=now)
    return opened


async def mark_missed_deadlines(session: AsyncSession, *, now: datetime) -> int:
    """A period still open after its deadline is *not reporting*; returns how many turned."""
    result = await session.execute(
        update(ReportingPeriod)
        .where(ReportingPeriod.status == PeriodStatus.OPEN, ReportingPeriod.deadline_at <= now)
        .values(status=PeriodStatus.NOT_REPORTING)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def report_reminder_items(session: AsyncSession, *, now: datetime) -> list[OutboxItem]:
    """For every open period of a public pledge, each member is reminded 30, 7 and 1 days
    before its deadline (the outbox holds them through the member's quiet hours). A reminder
    whose time passed is not queued."""
    rows = await session.execute(
        select(ReportingPeriod, Pledge.company_id, Membership.user_id)
        .join(Pledge, Pledge.id == ReportingPeriod.pledge_id)
        .join(Membership, Membership.company_id == Pledge.company_id)
        .where(
            ReportingPeriod.status == PeriodStatus.OPEN,
            ReportingPeriod.deadline_at > now,
            Pledge.slot == PledgeSlot.PUBLIC,
        )
        .order_by(ReportingPeriod.id, Membership.user_id)
    )
    items: list[OutboxItem] = []
    found: dict[tuple[int, int], int] = {}
    for period, company_id, user_id in rows:
        if (company_id, period.year) not in found:
            company = await session.get(Company, company_id)
            assert company is not None
            # Items of its brands counted at cleanups in the year reported on.
            found[company_id, period.year] = await brand_audits.items_found_in(
                session, company, period.year
            )
        for days in REMINDER_DAYS:
            due = period.deadline_at - timedelta(days=days)
            if due <= now:
                continue
            items.append(
                OutboxItem(
                    user_id,
                    Kind.REPORT_DUE,
                    f"{reminder_prefix(company_id, user_id)}period:{period.id}:d{days}",
                    due,
                    {
                        "period_id": period.id,
                        "company_id": company_id,
                        "days": days,
                        "brand_items_found": found[company_id, period.year],
                    },
                    urgent=False,
                )
            )
    return items


async def queue_report_reminders(session: AsyncSession, *, now: datetime) -> int:
    items = await report_reminder_items(session, now=now)
    await outbox.enqueue_many(session, items, now=now)
    return len(items)


async def _period_context(session: AsyncSession, period: ReportingPeriod) -> tuple[Pledge, Company]:
    pledge = await session.get(Pledge, period.pledge_id)
    assert pledge is not None
    company = await session.get(Company, pledge.company_id)
    assert company is not None
    return pledge, company


async def start_report(
    session: AsyncSession, period: ReportingPeriod, *, by: User, now: datetime
) -> ProgressReport:
    """The period's report, created on first use. A late one is still taken."""
    pledge, company = await _period_context(session, period)
    await require_member(session, company.id, by)
    report = await session.scalar(
        select(ProgressReport).where(ProgressReport.period_id == period.id)
    )
    if report is None:
        report = ProgressReport(
            period_id=period.id, narratives={}, created_at=now, values=[], evidence=[]
        )
        session.add(report)
        await session.flush()
    return report


async def _editable_report(
    session: AsyncSession, report: ProgressReport, by: User
) -> tuple[ReportingPeriod, Pledge]:
    """A report may change until every value it holds is verified."""
    period = await session.get(ReportingPeriod, report.period_id)
    assert period is not None
    pledge, company = await _period_context(session, period)
    await require_member(session, company.id, by)
    standing = await verdicts(session, report.id)
    if report.values and all(
        standing.get(value.commitment_id) == Decision.VERIFIED for value in report.values
    ):
        raise WrongStatus("verified")
    return period, pledge


async def record_values(
    session: AsyncSession,
    report: ProgressReport,
    values: Mapping[int, float],
    *,
    by: User,
    now: datetime,
    total_tonnes: float | None = None,
) -> None:
    """The current value of some commitments (by commitment id), all or nothing."""
    _, pledge = await _editable_report(session, report, by)
    commitments = {commitment.id: commitment for commitment in pledge.commitments}
    problems: list[Problem] = []
    for commitment_id, value in values.items():
        commitment = commitments.get(commitment_id)
        where = f"values.{commitment_id}"
        if commitment is None:
            problems.append(Problem(where, ProblemKind.NOT_OF_THIS_PLEDGE))
        elif (problem := check_metric_value(Metric(commitment.metric), value, where)) is not None:
            problems.append(problem)
    if total_tonnes is not None and (problem := check_tonnes(total_tonnes, "total_tonnes")):
        problems.append(problem)
    if problems:
        raise InvalidContent(problems)
    stored = {value.commitment_id: value for value in report.values}
    for commitment_id, value in values.items():
        if commitment_id in stored:
            stored[commitment_id].value = float(value)
        else:
            report.values.append(ReportValue(commitment_id=commitment_id, value=float(value)))
    if total_tonnes is not None:
        report.total_tonnes = float(total_tonnes)
    await session.flush()


async def record_narrative(
    session: AsyncSession, report: ProgressReport, language: str, text: str, *, by: User
) -> None:
    await _editable_report(session, report, by)
    where = f"narratives.{language}"
    if language not in LANGUAGE_CODES:
        raise InvalidContent([Problem(where, ProblemKind.UNKNOWN_LANGUAGE)])
    if (problem := check_statement(text, where)) is not None:
        raise InvalidContent([problem])
    report.narratives = {**(report.narratives or {}), language: text.strip()}


async def add_evidence(
    session: AsyncSession,
    report: ProgressReport,
    *,
    kind: EvidenceKind,
    file_id: str,
    content_hash: str,
    size_bytes: int,
    by: User,
    now: datetime,
) -> Evidence:
    """A photo or document sent in the chat. The same content twice is kept once."""
    await _editable_report(session, report, by)
    if size_bytes > EVIDENCE_MAX_BYTES:
        raise InvalidContent([Problem("evidence", ProblemKind.FILE_TOO_LARGE, EVIDENCE_MAX_BYTES)])
    for evidence in report.evidence:
        if evidence.content_hash == content_hash:
            return evidence
    if len(report.evidence) >= EVIDENCE_MAX_FILES:
        raise InvalidContent([Problem("evidence", ProblemKind.TOO_MANY, EVIDENCE_MAX_FILES)])
    evidence = Evidence(
        kind=kind,
        file_id=file_id,
        content_hash=content_hash,
        size_bytes=size_bytes,
        uploaded_by=by.id,
        uploaded_at=now,
    )
    report.evidence.append(evidence)
    await session.flush()
    return evidence


async def submit_report(
    session: AsyncSession, report: ProgressReport, *, by: User, now: datetime
) -> None:
    """Hand the report to the reviewers; the first submission's time decides "on time".
    Members' remaining reminders for the period are dropped."""
    period, pledge = await _editable_report(session, report, by)
    if not report.values:
        raise InvalidContent([Problem("values", ProblemKind.MISSING)])
    if report.submitted_at is None:
        report.submitted_at = now
        report.submitted_by = by.id
    period.status = PeriodStatus.REPORTED
    for user_id in await member_ids(session, pledge.company_id):
        await outbox.cancel(
            session,
            key_prefix=f"{reminder_prefix(pledge.company_id, user_id)}period:{period.id}:",
            reason="reported",
            now=now,
        )
    await session.flush()


async def judge_metric(
    session: AsyncSession,
    report: ProgressReport,
    commitment: Commitment,
    *,
    verdict: Decision,
    reviewer: User,
    admin_ids: frozenset[int],
    now: datetime,
    reason: str | None = None,
) -> ReviewDecision:
    """Verified, not aligned (with the reason, e.g. a recyclability claim that does not meet
    the definition) or needs evidence; a later verdict on the same metric replaces it, and
    every one is kept."""
    _require_reviewer(reviewer, admin_ids)
    if verdict not in VERDICTS:
        raise WrongStatus(verdict)
    if report.submitted_at is None:
        raise WrongStatus("draft")
    if commitment.id not in {value.commitment_id for value in report.values}:
        raise InvalidContent([Problem("commitment", ProblemKind.NOT_OF_THIS_PLEDGE)])
    note = _clean_note(reason, required=verdict == Decision.NOT_ALIGNED)
    pledge = await session.get(Pledge, commitment.pledge_id)
    assert pledge is not None
    return await _decide(
        session,
        pledge,
        verdict,
        reviewer=reviewer,
        now=now,
        note=note,
        report=report,
        commitment=commitment,
    )


async def verdicts(session: AsyncSession, report_id: int) -> dict[int, Decision]:
    """The verdict standing on each judged metric of a report: the latest one."""
    rows = await session.execute(
        select(ReviewDecision.commitment_id, ReviewDecision.decision)
        .where(ReviewDecision.report_id == report_id, ReviewDecision.commitment_id.is_not(None))
        .order_by(ReviewDecision.decided_at, ReviewDecision.id)
    )
    return {
        commitment_id: Decision(decision)
        for commitment_id, decision in rows
        if commitment_id is not None
    }


def progress_of(pledge: Pledge, commitment: Commitment, year: int, value: float) -> Progress:
    assert pledge.baseline_year is not None
    return judge(
        baseline_value=commitment.baseline_value,
        baseline_year=pledge.baseline_year,
        target_value=commitment.target_value,
        target_year=commitment.target_year,
        year=year,
        value=value,
    )


# The public registry and the partnership's totals.


@dataclass(frozen=True)
class RegistryEntry:
    company: Company
    pledge: Pledge


@dataclass(frozen=True)
class RegistryPage:
    entries: list[RegistryEntry]
    total: int
    page: int  # from 1
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def _public(country: str | None, sector: str | None) -> Select[Company, Pledge]:
    query = (
        select(Company, Pledge)
        .join(Pledge, Pledge.company_id == Company.id)
        .where(Pledge.slot == PledgeSlot.PUBLIC, Company.merged_into_id.is_(None))
    )
    if country is not None:
        query = query.where(Company.country == country)
    if sector is not None:
        query = query.where(Company.sector == sector)
    return query


async def registry_page(
    session: AsyncSession,
    *,
    country: str | None = None,
    sector: str | None = None,
    page: int = 1,
    page_size: int = 10,
) -> RegistryPage:
    """Accepted pledges, by company name; a page past the end is the last one."""
    filtered = _public(country, sector)
    total = int(await session.scalar(select(func.count()).select_from(filtered.subquery())) or 0)
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = await session.execute(
        filtered.order_by(Company.sort_name, Company.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    entries = [RegistryEntry(row[0], row[1]) for row in rows]
    return RegistryPage(entries, total, page, page_size)


async def registry_facets(session: AsyncSession) -> dict[str, dict[str, int]]:
    """How many public pledges there are per country and per sector, for the filter buttons."""
    facets: dict[str, dict[str, int]] = {}
    for name, column in (("country", Company.country), ("sector", Company.sector)):
        rows = await session.execute(
            select(column, func.count())
            .select_from(Company)
            .join(Pledge, Pledge.company_id == Company.id)
            .where(Pledge.slot == PledgeSlot.PUBLIC, Company.merged_into_id.is_(None))
            .group_by(column)
            .order_by(column)
        )
        facets[name] = {str(value): int(count) for value, count in rows}
    return facets


@dataclass(frozen=True)
class Totals:
    companies_pledged: int
    tonnes_covered: float
    # The mean, over public pledges with a recycled-content commitment, of the value in their
    # latest report holding one; None while nobody reported it.
    average_recycled_content: float | None
    reporting_year: int
    companies_due: int  # public pledges with a period for the reporting year
    companies_on_time: int  # of those, reported by the deadline


async def partnership_totals(session: AsyncSession, *, reporting_year: int) -> Totals:
    """Computed by the database, however many companies there are."""
    public = (Pledge.slot == PledgeSlot.PUBLIC, Company.merged_into_id.is_(None))
    pledged = (
        await session.execute(
            select(func.count(Pledge.id), func.coalesce(func.sum(Pledge.baseline_tonnes), 0.0))
            .join(Company, Company.id == Pledge.company_id)
            .where(*public)
        )
    ).one()
    latest_year = (
        select(func.max(ReportingPeriod.year))
        .join(ProgressReport, ProgressReport.period_id == ReportingPeriod.id)
        .join(ReportValue, ReportValue.report_id == ProgressReport.id)
        .where(
            ReportingPeriod.pledge_id == Pledge.id,
            ReportValue.commitment_id == Commitment.id,
            ProgressReport.submitted_at.is_not(None),
        )
        .correlate(Pledge, Commitment)
        .scalar_subquery()
    )
    average = await session.scalar(
        select(func.avg(ReportValue.value))
        .select_from(Pledge)
        .join(Company, Company.id == Pledge.company_id)
        .join(Commitment, Commitment.pledge_id == Pledge.id)
        .join(ReportingPeriod, ReportingPeriod.pledge_id == Pledge.id)
        .join(ProgressReport, ProgressReport.period_id == ReportingPeriod.id)
        .join(
            ReportValue,
            (ReportValue.report_id == ProgressReport.id)
            & (ReportValue.commitment_id == Commitment.id),
        )
        .where(
            *public,
            Commitment.metric == Metric.RECYCLED_CONTENT,
            ProgressReport.submitted_at.is_not(None),
            ReportingPeriod.year == latest_year,
        )
    )
    # deadline_at is the first moment after the last day.
    on_time = ProgressReport.submitted_at < ReportingPeriod.deadline_at
    due = (
        await session.execute(
            select(
                func.count(ReportingPeriod.id),
                func.count(ProgressReport.id).filter(on_time),
            )
            .select_from(ReportingPeriod)
            .join(Pledge, Pledge.id == ReportingPeriod.pledge_id)
            .join(Company, Company.id == Pledge.company_id)
            .outerjoin(ProgressReport, ProgressReport.period_id == ReportingPeriod.id)
            .where(*public, ReportingPeriod.year == reporting_year)
        )
    ).one()
    return Totals(
        companies_pledged=int(pledged[0]),
        tonnes_covered=float(pledged[1] or 0.0),
        average_recycled_content=None if average is None else float(average),
        reporting_year=reporting_year,
        companies_due=int(due[0]),
        companies_on_time=int(due[1]),
    )


# A company's card: its commitments with the latest figures.


class Standing:
    ON_TRACK = "on_track"
    BEHIND = "behind"
    NOT_REPORTING = "not_reporting"
    NO_REPORT_YET = "no_report_yet"


@dataclass(frozen=True)
class Figure:
    commitment: Commitment
    year: int | None = None  # of the latest verified value
    value: float | None = None
    progress: Progress | None = None


@dataclass(frozen=True)
class Card:
    company: Company
    pledge: Pledge
    standing: str
    figures: list[Figure] = field(default_factory=list)


async def card(session: AsyncSession, company: Company, pledge: Pledge) -> Card:
    """The public card: each commitment's latest *verified* value and where it stands; the
    company is *not reporting* when its latest period whose deadline passed had no report,
    *behind* when any figure is behind, else *on track* (or has no report yet)."""
    rows = await session.execute(
        select(
            ReportingPeriod.year, ProgressReport.id, ReportValue.commitment_id, ReportValue.value
        )
        .join(ProgressReport, ProgressReport.period_id == ReportingPeriod.id)
        .join(ReportValue, ReportValue.report_id == ProgressReport.id)
        .where(ReportingPeriod.pledge_id == pledge.id, ProgressReport.submitted_at.is_not(None))
        .order_by(ReportingPeriod.year)
    )
    latest: dict[int, tuple[int, float]] = {}
    standing_verdicts: dict[int, dict[int, Decision]] = {}
    for year, report_id, commitment_id, value in rows:
        if report_id not in standing_verdicts:
            standing_verdicts[report_id] = await verdicts(session, report_id)
        if standing_verdicts[report_id].get(commitment_id) == Decision.VERIFIED:
            latest[commitment_id] = (year, value)
    figures = []
    for commitment in pledge.commitments:
        if commitment.id in latest:
            year, value = latest[commitment.id]
            progress = progress_of(pledge, commitment, year, value)
            figures.append(Figure(commitment, year, value, progress))
        else:
            figures.append(Figure(commitment))
    last_period = await session.scalar(
        select(ReportingPeriod.status)
        .where(
            ReportingPeriod.pledge_id == pledge.id,
            ReportingPeriod.status != PeriodStatus.OPEN,
        )
        .order_by(ReportingPeriod.year.desc())
        .limit(1)
    )
    if last_period == PeriodStatus.NOT_REPORTING:
        standing = Standing.NOT_REPORTING
    elif any(figure.progress == Progress.BEHIND for figure in figures):
        standing = Standing.BEHIND
    elif any(figure.progress is not None for figure in figures):
        standing = Standing.ON_TRACK
    else:
        standing = Standing.NO_REPORT_YET
    return Card(company, pledge, standing, figures)
