"""Business pledges, the domain: companies and invitations, the pledge's checks and statuses,
review, yearly reporting with reminders and verdicts, the registry and the totals, merge and
transfer, and what /mydata and /deleteme do — on SQLite and PostgreSQL."""

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AccessRole, User
from accounts.service import Permission, has_permission
from delivery.models import OutboxMessage, OutboxStatus
from pledges import privacy, service
from pledges.brands import brand_key
from pledges.content import (
    InvalidContent,
    PledgeContent,
    Problem,
    ProblemKind,
    answers_of,
    check_answers,
)
from pledges.models import (
    Company,
    Decision,
    EvidenceKind,
    Invitation,
    Membership,
    Metric,
    PeriodStatus,
    Pledge,
    PledgeSlot,
    PledgeStatus,
    ReportingPeriod,
    ReviewDecision,
)
from pledges.service import JoinOutcome, NotAllowed, NotAMember, Standing, WrongStatus
from pledges.trajectory import Progress, expected_value, judge
from tests.pledges_setup import (
    ADMIN_TELEGRAM_ID,
    ADMINS,
    NOW,
    accepted_pledge,
    answers,
    company_with_member,
    details,
    open_session,
    person,
)

START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


@pytest.fixture
async def session(database_url: str) -> AsyncIterator[AsyncSession]:
    async for opened in open_session(database_url):
        yield opened


def _kinds(problems: object) -> set[tuple[str, ProblemKind]]:
    assert isinstance(problems, list)
    return {(problem.field, problem.kind) for problem in problems}


# What a pledge says.


def test_a_complete_pledge_reads_as_its_content_and_back() -> None:
    content = check_answers(answers(), now=NOW, complete=True)
    assert isinstance(content, PledgeContent)
    assert content.baseline_year == 2022 and content.baseline_tonnes == 1200.0
    virgin, recycled, items = content.commitments
    assert (virgin.metric, virgin.baseline_value, virgin.target_value) == (
        Metric.VIRGIN_REDUCTION,
        0.0,
        20.0,
    )
    assert (recycled.baseline_value, recycled.target_value, recycled.target_year) == (5, 30, 2027)
    # The items' target is how many of them go.
    assert items.items == ("ps_eps", "straws", "other") and items.target_value == 3
    assert check_answers(answers_of(content), now=NOW, complete=True) == content


def test_every_bad_answer_is_a_typed_problem_naming_its_field() -> None:
    bad = answers(
        baseline_tonnes=-5,
        commitments=[
            {"metric": "virgin_reduction", "target_value": 120, "target_year": 2030},
            {
                "metric": "recycled_content",
                "baseline_value": 5,
                "target_value": 30,
                "target_year": 2021,
            },
            {"metric": "problematic_items", "items": ["pvc", "lead"], "target_year": 2025},
            {"metric": "problematic_items", "items": ["other"], "target_year": 2025},
            {"metric": "reuse_models", "target_value": 2.5, "target_year": 2028, "labels": {}},
            {"metric": "free", "target_value": "lots", "target_year": 2028, "labels": {}},
            {"metric": "plastic_offsets", "target_value": 1, "target_year": 2030},
        ],
        statements={"xx": "Hello"},
    )
    assert _kinds(check_answers(bad, now=NOW, complete=True)) == {
        ("baseline_tonnes", ProblemKind.NEGATIVE),
        ("commitments[0].target_value", ProblemKind.PERCENT_OUT_OF_RANGE),
        ("commitments[1].target_year", ProblemKind.TARGET_YEAR_NOT_AFTER_BASELINE),
        ("commitments[2].items[1]", ProblemKind.UNKNOWN_ITEM),
        ("commitments[3].other_item", ProblemKind.OTHER_ITEM_MISSING),
        ("commitments[4].target_value", ProblemKind.NOT_A_WHOLE_NUMBER),
        ("commitments[5].baseline_value", ProblemKind.MISSING),
        ("commitments[5].target_value", ProblemKind.NOT_A_NUMBER),
        ("commitments[5].unit", ProblemKind.MISSING),
        ("commitments[6].metric", ProblemKind.UNKNOWN_METRIC),
        ("statements.xx", ProblemKind.UNKNOWN_LANGUAGE),
    }


def test_each_metric_once_and_a_share_target_must_go_up() -> None:
    problems = check_answers(
        answers(
            commitments=[
                {"metric": "virgin_reduction", "target_value": 20, "target_year": 2030},
                {"metric": "virgin_reduction", "target_value": 30, "target_year": 2032},
                {
                    "metric": "reusable_recyclable_compostable",
                    "baseline_value": 60,
                    "target_value": 40,
                    "target_year": 2025,
                },
            ]
        ),
        now=NOW,
        complete=True,
    )
    assert _kinds(problems) == {
        ("commitments[1].metric", ProblemKind.DUPLICATE_METRIC),
        ("commitments[2].target_value", ProblemKind.TARGET_NOT_BEYOND_BASELINE),
    }


def test_a_draft_is_checked_only_on_what_it_holds() -> None:
    assert check_answers({"baseline_year": 2022}, now=NOW, complete=False) == []
    assert _kinds(check_answers({"baseline_year": 2027}, now=NOW, complete=False)) == {
        ("baseline_year", ProblemKind.BASELINE_IN_FUTURE)
    }
    assert _kinds(check_answers({}, now=NOW, complete=True)) == {
        ("baseline_year", ProblemKind.MISSING),
        ("baseline_tonnes", ProblemKind.MISSING),
        ("commitments", ProblemKind.NO_COMMITMENT),
        ("statements", ProblemKind.NO_STATEMENT),
    }
    assert str(Problem("commitments[0].target_value", ProblemKind.PERCENT_OUT_OF_RANGE, 100)) == (
        "commitments[0].target_value: percent out of range (100)"
    )


def test_a_free_commitment_has_its_own_unit_and_may_go_down() -> None:
    free = {
        "metric": "free",
        "labels": {"en": "Single-use cups handed out", "th": "แก้วใช้ครั้งเดียว"},
        "unit": "million cups",
        "baseline_value": 12,
        "target_value": 2,
        "target_year": 2028,
    }
    content = check_answers(answers(commitments=[free]), now=NOW, complete=True)
    assert isinstance(content, PledgeContent)
    [spec] = content.commitments
    assert (spec.unit, spec.baseline_value, spec.target_value) == ("million cups", 12, 2)


# How a reported value stands.


def test_the_trajectory_is_a_straight_line_from_baseline_to_target() -> None:
    line = {"baseline_value": 5.0, "baseline_year": 2022, "target_value": 30.0, "target_year": 2027}
    assert expected_value(**line, year=2024) == 15.0
    assert expected_value(**line, year=2020) == 5.0
    assert expected_value(**line, year=2031) == 30.0
    assert judge(**line, year=2024, value=15.0) == Progress.ON_TRACK
    assert judge(**line, year=2024, value=14.9) == Progress.BEHIND
    assert judge(**line, year=2024, value=30.0) == Progress.ACHIEVED
    assert judge(**line, year=2028, value=29.0) == Progress.BEHIND


def test_a_falling_target_is_on_track_below_the_line() -> None:
    line = {"baseline_value": 12.0, "baseline_year": 2022, "target_value": 2.0, "target_year": 2027}
    assert judge(**line, year=2024, value=8.0) == Progress.ON_TRACK
    assert judge(**line, year=2024, value=8.5) == Progress.BEHIND
    assert judge(**line, year=2025, value=1.5) == Progress.ACHIEVED
    third = {
        "baseline_value": 0.0,
        "baseline_year": 2021,
        "target_value": 100.0,
        "target_year": 2024,
    }
    assert judge(**third, year=2022, value=33.333333) == Progress.ON_TRACK


def test_brands_match_whatever_the_case_accents_and_punctuation() -> None:
    assert brand_key("Coca-Cola") == brand_key("COCA COLA") == brand_key("coca\u2011cola")
    assert brand_key("Café Amazôn") == brand_key("cafe amazon")
    assert brand_key("Phở Việt") == brand_key("pho viet")
    # Thai vowel signs are part of the word.
    assert brand_key("ตั้งใจ") != brand_key("ตงใจ")


# Companies and their members.


async def test_registering_makes_the_founder_the_first_member(session: AsyncSession) -> None:
    somchai = await person(session, 101, language="th")
    company = await company_with_member(session, somchai)
    assert company.sort_name == "siam fresh foods"
    assert await service.member_ids(session, company.id) == [somchai.id]
    assert [found.id for found in await service.companies_of(session, somchai)] == [company.id]


async def test_company_details_are_checked_all_at_once(session: AsyncSession) -> None:
    somchai = await person(session, 101)
    with pytest.raises(InvalidContent) as raised:
        await service.register_company(
            session,
            details(
                names={"th": "สยาม"},
                country="US",
                sector="mining",
                size_band="huge",
                brands=["Siam", "SIAM", " "],
            ),
            founder=somchai,
            now=NOW,
        )
    assert _kinds(raised.value.problems) == {
        ("names.en", ProblemKind.MISSING),
        ("country", ProblemKind.UNKNOWN_CHOICE),
        ("sector", ProblemKind.UNKNOWN_CHOICE),
        ("size_band", ProblemKind.UNKNOWN_CHOICE),
        ("brands[1]", ProblemKind.DUPLICATE_ITEM),
        ("brands[2]", ProblemKind.EMPTY),
    }
    assert await session.scalar(select(func.count()).select_from(Company)) == 0


async def test_an_invitation_adds_one_colleague_once_and_expires(session: AsyncSession) -> None:
    somchai = await person(session, 101)
    nok, lek, forger = (
        await person(session, 102),
        await person(session, 103),
        await person(session, 104),
    )
    company = await company_with_member(session, somchai)
    invitation = await service.invite(session, company, by=somchai, now=NOW)
    payload = service.invitation_payload(invitation)
    assert payload.startswith("pl_") and START_PAYLOAD.fullmatch(payload)
    assert len(payload) <= 64
    assert (await service.join(session, invitation.token, nok, now=NOW)).outcome == (
        JoinOutcome.JOINED
    )
    assert (await service.join(session, invitation.token, nok, now=NOW)).outcome == (
        JoinOutcome.ALREADY_MEMBER
    )
    assert (await service.join(session, invitation.token, lek, now=NOW)).outcome == JoinOutcome.USED
    assert (await service.join(session, "forged-token", forger, now=NOW)).outcome == (
        JoinOutcome.UNKNOWN
    )
    later = await service.invite(session, company, by=nok, now=NOW)
    expired = NOW + service.INVITATION_VALID_FOR
    assert (await service.join(session, later.token, lek, now=expired)).outcome == (
        JoinOutcome.EXPIRED
    )
    assert await service.member_ids(session, company.id) == [somchai.id, nok.id]
    with pytest.raises(NotAMember):
        await service.invite(session, company, by=forger, now=NOW)


async def test_tokens_are_random_and_unique(session: AsyncSession) -> None:
    somchai = await person(session, 101)
    company = await company_with_member(session, somchai)
    tokens = {
        (await service.invite(session, company, by=somchai, now=NOW)).token for _ in range(20)
    }
    assert len(tokens) == 20


async def test_the_last_member_leaving_leaves_the_company_and_its_pledge_unlinked(
    session: AsyncSession,
) -> None:
    somchai, reviewer = await person(session, 101), await person(session, ADMIN_TELEGRAM_ID)
    company = await company_with_member(session, somchai)
    pledge = await accepted_pledge(session, company, somchai, reviewer)
    await service.invite(session, company, by=somchai, now=NOW)
    assert await service.leave(session, company, somchai, now=NOW)
    assert not await service.leave(session, company, somchai, now=NOW)
    await session.refresh(pledge)
    assert (pledge.status, pledge.created_by, pledge.submitted_by) == (
        PledgeStatus.ACCEPTED,
        None,
        None,
    )
    assert await service.member_ids(session, company.id) == []
    assert await session.scalar(select(func.count()).select_from(Invitation)) == 0
    page = await service.registry_page(session)
    assert [entry.company.id for entry in page.entries] == [company.id]


# Pledges and their review.


async def test_a_pledge_goes_from_draft_through_a_change_request_to_public(
    session: AsyncSession,
) -> None:
    somchai = await person(session, 101)
    reviewer = await person(session, 201, role=AccessRole.REVIEWER)
    company = await company_with_member(session, somchai)
    pledge = await service.start_pledge(session, company, by=somchai, now=NOW)
    assert await service.start_pledge(session, company, by=somchai, now=NOW) is pledge
    await service.save_answers(session, pledge, {"baseline_year": 2022}, by=somchai, now=NOW)
    with pytest.raises(InvalidContent):
        await service.save_answers(
            session, pledge, {"baseline_year": 2022, "baseline_tonnes": -1}, by=somchai, now=NOW
        )
    assert pledge.answers == {"baseline_year": 2022}, "nothing half-saved"
    with pytest.raises(InvalidContent) as incomplete:
        await service.submit_pledge(session, pledge, by=somchai, now=NOW)
    assert ("baseline_tonnes", ProblemKind.MISSING) in _kinds(incomplete.value.problems)
    await service.save_answers(session, pledge, answers(), by=somchai, now=NOW)
    await service.submit_pledge(session, pledge, by=somchai, now=NOW)
    assert [commitment.metric for commitment in pledge.commitments] == [
        Metric.VIRGIN_REDUCTION,
        Metric.RECYCLED_CONTENT,
        Metric.PROBLEMATIC_ITEMS,
    ]
    assert (await service.review_queue(session)).pledges == [pledge]
    with pytest.raises(InvalidContent):
        await service.request_changes(
            session, pledge, reviewer=reviewer, admin_ids=ADMINS, note=" ", now=NOW
        )
    note = "Recycled content: is the 5% baseline post-consumer?"
    await service.request_changes(
        session, pledge, reviewer=reviewer, admin_ids=ADMINS, note=note, now=NOW
    )
    assert (pledge.status, pledge.review_note) == (PledgeStatus.CHANGES_REQUESTED, note)
    edited = answers()
    edited["commitments"][1]["baseline_value"] = 3
    later = NOW + timedelta(days=2)
    await service.save_answers(session, pledge, edited, by=somchai, now=later)
    await service.submit_pledge(session, pledge, by=somchai, now=later)
    assert pledge.commitments[1].baseline_value == 3
    await service.accept_pledge(session, pledge, reviewer=reviewer, admin_ids=ADMINS, now=later)
    assert (pledge.status, pledge.slot, pledge.review_note) == (
        PledgeStatus.ACCEPTED,
        PledgeSlot.PUBLIC,
        None,
    )
    decisions = await service.decisions_on(session, pledge.id)
    assert [(d.decision, d.reviewer_id, d.decided_at, d.note) for d in decisions] == [
        (Decision.CHANGES_REQUESTED, reviewer.id, NOW, note),
        (Decision.ACCEPTED, reviewer.id, later, None),
    ]
    with pytest.raises(WrongStatus):
        await service.save_answers(session, pledge, answers(), by=somchai, now=later)


async def test_only_members_edit_and_only_reviewers_and_administrators_decide(
    session: AsyncSession,
) -> None:
    somchai, outsider = await person(session, 101), await person(session, 102)
    organizer = await person(session, 103, role=AccessRole.ORGANIZER)
    admin = await person(session, ADMIN_TELEGRAM_ID)
    company = await company_with_member(session, somchai)
    pledge = await service.start_pledge(session, company, by=somchai, now=NOW)
    with pytest.raises(NotAMember):
        await service.save_answers(session, pledge, answers(), by=outsider, now=NOW)
    with pytest.raises(NotAMember):
        await service.start_pledge(session, company, by=outsider, now=NOW)
    await service.save_answers(session, pledge, answers(), by=somchai, now=NOW)
    await service.submit_pledge(session, pledge, by=somchai, now=NOW)
    for intruder in (somchai, outsider, organizer):
        with pytest.raises(NotAllowed):
            await service.accept_pledge(
                session, pledge, reviewer=intruder, admin_ids=ADMINS, now=NOW
            )
    assert pledge.status == PledgeStatus.SUBMITTED
    assert has_permission(admin, Permission.REVIEW, ADMINS)
    await service.accept_pledge(session, pledge, reviewer=admin, admin_ids=ADMINS, now=NOW)
    assert pledge.status == PledgeStatus.ACCEPTED


def test_the_reviewer_role_reviews_and_does_nothing_else() -> None:
    reviewer = User(telegram_id=5, language="en", access_role=AccessRole.REVIEWER, created_at=NOW)
    organizer = User(telegram_id=6, language="en", access_role=AccessRole.ORGANIZER, created_at=NOW)
    assert has_permission(reviewer, Permission.REVIEW, ADMINS)
    assert not has_permission(reviewer, Permission.ORGANIZE, ADMINS)
    assert not has_permission(reviewer, Permission.MANAGE_ROLES, ADMINS)
    assert not has_permission(organizer, Permission.REVIEW, ADMINS)


async def test_a_new_pledge_supersedes_the_public_one_which_stays_in_history(
    session: AsyncSession,
) -> None:
    somchai, reviewer = await person(session, 101), await person(session, ADMIN_TELEGRAM_ID)
    company = await company_with_member(session, somchai)
    first = await accepted_pledge(session, company, somchai, reviewer)
    second = await service.start_pledge(session, company, by=somchai, now=NOW)
    assert second.id != first.id
    assert second.answers == answers_of(service.content_of(first)), "starts from the public one"
    public, open_pledge = await service.current_pledges(session, company.id)
    assert (public, open_pledge) == (first, second)
    await service.submit_pledge(session, second, by=somchai, now=NOW)
    later = NOW + timedelta(days=1)
    await service.accept_pledge(session, second, reviewer=reviewer, admin_ids=ADMINS, now=later)
    assert (first.status, first.slot, first.superseded_by_id, first.ended_at) == (
        PledgeStatus.SUPERSEDED,
        None,
        second.id,
        later,
    )
    assert [pledge.id for pledge in await service.history(session, company.id)] == [
        first.id,
        second.id,
    ]
    await service.withdraw_pledge(session, second, by=somchai, now=later)
    assert (second.status, second.slot) == (PledgeStatus.WITHDRAWN, None)
    assert (await service.registry_page(session)).total == 0


async def test_the_database_refuses_two_public_pledges_of_one_company(
    session: AsyncSession,
) -> None:
    somchai, reviewer = await person(session, 101), await person(session, ADMIN_TELEGRAM_ID)
    company = await company_with_member(session, somchai)
    await accepted_pledge(session, company, somchai, reviewer)
    session.add(
        Pledge(
            company_id=company.id,
            status=PledgeStatus.ACCEPTED,
            slot=PledgeSlot.PUBLIC,
            answers={},
            statements={},
            created_at=NOW,
            updated_at=NOW,
        )
    )
    with pytest.raises(IntegrityError):
        await session.flush()


# Yearly reporting.


async def _reporting_company(
    session: AsyncSession,
) -> tuple[Company, Pledge, list[User], User]:
    somchai = await person(session, 101, language="th")
    nok = await person(session, 102)
    reviewer = await person(session, 201, role=AccessRole.REVIEWER)
    company = await company_with_member(session, somchai)
    invitation = await service.invite(session, company, by=somchai, now=NOW)
    await service.join(session, invitation.token, nok, now=NOW)
    pledge = await accepted_pledge(session, company, somchai, reviewer)
    return company, pledge, [somchai, nok], reviewer


async def test_periods_open_each_year_due_31_march_in_the_company_country(
    session: AsyncSession,
) -> None:
    company, pledge, _, _ = await _reporting_company(session)
    assert await service.open_reporting_periods(session, now=NOW, fallback_zone="UTC") == 0
    next_year = datetime(2027, 1, 2, tzinfo=UTC)
    assert await service.open_reporting_periods(session, now=next_year, fallback_zone="UTC") == 1
    assert await service.open_reporting_periods(session, now=next_year, fallback_zone="UTC") == 0
    period = await session.scalar(select(ReportingPeriod))
    assert period is not None
    assert (period.year, period.deadline, period.status) == (
        2026,
        date(2027, 3, 31),
        PeriodStatus.OPEN,
    )
    # The end of 31 March in Bangkok (UTC+7).
    assert period.deadline_at == datetime(2027, 3, 31, 17, 0, tzinfo=UTC)


async def test_members_are_reminded_30_7_and_1_days_before_the_deadline(
    session: AsyncSession,
) -> None:
    company, pledge, members, _ = await _reporting_company(session)
    january = datetime(2027, 1, 2, tzinfo=UTC)
    await service.open_reporting_periods(session, now=january, fallback_zone="UTC")
    assert await service.queue_report_reminders(session, now=january) == 6
    assert await service.queue_report_reminders(session, now=january) == 6
    rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.dedupe_key)))
    assert len(rows) == 6, "queuing again changes nothing"
    period = await session.scalar(select(ReportingPeriod))
    assert period is not None
    first = members[0]
    mine = {row.dedupe_key: row for row in rows if row.user_id == first.id}
    prefix = f"reminder:company:{company.id}:user:{first.id}:period:{period.id}:"
    assert {key: row.due_at for key, row in mine.items()} == {
        prefix + "d30": datetime(2027, 3, 1, 17, 0, tzinfo=UTC),
        prefix + "d7": datetime(2027, 3, 24, 17, 0, tzinfo=UTC),
        prefix + "d1": datetime(2027, 3, 30, 17, 0, tzinfo=UTC),
    }
    assert {row.kind for row in rows} == {service.Kind.REPORT_DUE}
    assert not any(row.urgent for row in rows), "they wait for the end of quiet hours"
    # A week before, only the last reminder is still to come.
    await session.execute(OutboxMessage.__table__.delete())
    week_before = datetime(2027, 3, 25, tzinfo=UTC)
    assert await service.queue_report_reminders(session, now=week_before) == 2


async def test_a_missed_deadline_shows_the_company_as_not_reporting(
    session: AsyncSession,
) -> None:
    company, pledge, members, _ = await _reporting_company(session)
    await service.open_reporting_periods(
        session, now=datetime(2027, 1, 2, tzinfo=UTC), fallback_zone="UTC"
    )
    deadline = datetime(2027, 3, 31, 17, 0, tzinfo=UTC)
    assert await service.mark_missed_deadlines(session, now=deadline - timedelta(seconds=1)) == 0
    assert await service.mark_missed_deadlines(session, now=deadline) == 1
    period = await session.scalar(select(ReportingPeriod))
    assert period is not None and period.status == PeriodStatus.NOT_REPORTING
    assert (await service.card(session, company, pledge)).standing == Standing.NOT_REPORTING
    assert await service.queue_report_reminders(session, now=deadline) == 0
    # A late report is still taken, and is not on time.
    report = await service.start_report(session, period, by=members[0], now=deadline)
    await service.record_values(
        session, report, {pledge.commitments[0].id: 5}, by=members[0], now=deadline
    )
    await service.submit_report(session, report, by=members[0], now=deadline)
    assert period.status == PeriodStatus.REPORTED
    totals = await service.partnership_totals(session, reporting_year=2026)
    assert (totals.companies_due, totals.companies_on_time) == (1, 0)


async def test_a_report_is_reviewed_metric_by_metric(session: AsyncSession) -> None:
    company, pledge, members, reviewer = await _reporting_company(session)
    somchai, nok = members
    january = datetime(2027, 1, 2, tzinfo=UTC)
    await service.open_reporting_periods(session, now=january, fallback_zone="UTC")
    await service.queue_report_reminders(session, now=january)
    period = await session.scalar(select(ReportingPeriod))
    assert period is not None
    virgin, recycled, items = pledge.commitments
    report = await service.start_report(session, period, by=somchai, now=january)
    with pytest.raises(InvalidContent) as raised:
        await service.record_values(
            session, report, {virgin.id: 8, recycled.id: 130, 99999: 1}, by=somchai, now=january
        )
    assert _kinds(raised.value.problems) == {
        (f"values.{recycled.id}", ProblemKind.PERCENT_OUT_OF_RANGE),
        ("values.99999", ProblemKind.NOT_OF_THIS_PLEDGE),
    }
    assert report.values == [], "nothing half-saved"
    await service.record_values(
        session,
        report,
        {virgin.id: 8, recycled.id: 12, items.id: 3},
        by=somchai,
        now=january,
        total_tonnes=1100,
    )
    await service.record_narrative(session, report, "th", "เราเปลี่ยนขวดเป็น rPET", by=nok)
    with pytest.raises(InvalidContent) as too_large:
        await service.add_evidence(
            session,
            report,
            kind=EvidenceKind.DOCUMENT,
            file_id="BQAC-50MB",
            content_hash="a" * 64,
            size_bytes=50 * 1024 * 1024,
            by=nok,
            now=january,
        )
    assert _kinds(too_large.value.problems) == {("evidence", ProblemKind.FILE_TOO_LARGE)}
    photo = await service.add_evidence(
        session,
        report,
        kind=EvidenceKind.PHOTO,
        file_id="AgAC-photo",
        content_hash="b" * 64,
        size_bytes=300_000,
        by=nok,
        now=january,
    )
    again = await service.add_evidence(
        session,
        report,
        kind=EvidenceKind.PHOTO,
        file_id="AgAC-photo-resent",
        content_hash="b" * 64,
        size_bytes=300_000,
        by=nok,
        now=january,
    )
    assert again is photo and len(report.evidence) == 1
    outsider = await person(session, 999)
    with pytest.raises(NotAMember):
        await service.record_values(session, report, {virgin.id: 50}, by=outsider, now=january)
    with pytest.raises(WrongStatus):
        await service.judge_metric(
            session,
            report,
            virgin,
            verdict=Decision.VERIFIED,
            reviewer=reviewer,
            admin_ids=ADMINS,
            now=january,
        )
    submitted = january + timedelta(days=10)
    await service.submit_report(session, report, by=somchai, now=submitted)
    pending = await session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
    )
    assert list(pending) == [], "no reminders after the report is in"
    assert (await service.review_queue(session)).reports == [report]

    await service.judge_metric(
        session,
        report,
        virgin,
        verdict=Decision.VERIFIED,
        reviewer=reviewer,
        admin_ids=ADMINS,
        now=submitted,
    )
    with pytest.raises(InvalidContent):
        await service.judge_metric(
            session,
            report,
            recycled,
            verdict=Decision.NOT_ALIGNED,
            reviewer=reviewer,
            admin_ids=ADMINS,
            now=submitted,
        )
    await service.judge_metric(
        session,
        report,
        recycled,
        verdict=Decision.NEEDS_EVIDENCE,
        reviewer=reviewer,
        admin_ids=ADMINS,
        now=submitted,
    )
    reason = "rPET share counts pre-consumer scrap"
    await service.judge_metric(
        session,
        report,
        recycled,
        verdict=Decision.NOT_ALIGNED,
        reviewer=reviewer,
        admin_ids=ADMINS,
        now=submitted,
        reason=reason,
    )
    with pytest.raises(NotAllowed):
        await service.judge_metric(
            session,
            report,
            items,
            verdict=Decision.VERIFIED,
            reviewer=somchai,
            admin_ids=ADMINS,
            now=submitted,
        )
    assert await service.verdicts(session, report.id) == {
        virgin.id: Decision.VERIFIED,
        recycled.id: Decision.NOT_ALIGNED,
    }
    kept = await session.scalars(
        select(ReviewDecision.decision).where(ReviewDecision.report_id == report.id)
    )
    assert list(kept) == [Decision.VERIFIED, Decision.NEEDS_EVIDENCE, Decision.NOT_ALIGNED]
    assert (await service.review_queue(session)).reports == [report], "items still waits"
    await service.judge_metric(
        session,
        report,
        items,
        verdict=Decision.VERIFIED,
        reviewer=reviewer,
        admin_ids=ADMINS,
        now=submitted,
    )
    assert (await service.review_queue(session)).reports == []

    # Only verified figures reach the card: 8% less virgin plastic in 2026 against a line from
    # 0% (2022) to 20% (2030) expecting 10%; every listed item gone three years early.
    shown = await service.card(session, company, pledge)
    figures = {figure.commitment.metric: figure for figure in shown.figures}
    assert (figures[Metric.VIRGIN_REDUCTION].value, figures[Metric.VIRGIN_REDUCTION].progress) == (
        8.0,
        Progress.BEHIND,
    )
    assert figures[Metric.PROBLEMATIC_ITEMS].progress == Progress.ACHIEVED
    assert figures[Metric.RECYCLED_CONTENT].value is None
    assert shown.standing == Standing.BEHIND
    totals = await service.partnership_totals(session, reporting_year=2026)
    assert (totals.companies_due, totals.companies_on_time) == (1, 1)
    assert totals.average_recycled_content == 12.0


# The registry and the partnership's totals.


async def test_the_registry_lists_public_pledges_by_country_and_sector_paged(
    session: AsyncSession,
) -> None:
    reviewer = await person(session, ADMIN_TELEGRAM_ID)
    countries = ["TH", "TH", "VN", "TH", "ID"]
    sectors = ["retail", "consumer_goods", "retail", "retail", "retail"]
    for index, (country, sector) in enumerate(zip(countries, sectors, strict=True)):
        member = await person(session, 300 + index)
        company = await company_with_member(
            session,
            member,
            names={"en": f"Company {chr(69 - index)}"},
            country=country,
            sector=sector,
            brands=[],
        )
        await accepted_pledge(
            session, company, member, reviewer, baseline_tonnes=100.0 * (index + 1)
        )
    drafting = await person(session, 399)
    draft_company = await company_with_member(
        session, drafting, names={"en": "Draft Co"}, brands=[]
    )
    await service.start_pledge(session, draft_company, by=drafting, now=NOW)

    page = await service.registry_page(session, country="TH", sector="retail", page_size=1)
    assert (page.total, page.pages, page.page) == (2, 2, 1)
    assert [entry.company.names["en"] for entry in page.entries] == ["Company B"]
    last = await service.registry_page(session, country="TH", sector="retail", page=9, page_size=1)
    assert [entry.company.names["en"] for entry in last.entries] == ["Company E"]
    everything = await service.registry_page(session)
    assert [entry.company.names["en"] for entry in everything.entries] == [
        "Company A",
        "Company B",
        "Company C",
        "Company D",
        "Company E",
    ]
    assert await service.registry_facets(session) == {
        "country": {"ID": 1, "TH": 3, "VN": 1},
        "sector": {"consumer_goods": 1, "retail": 4},
    }
    totals = await service.partnership_totals(session, reporting_year=2026)
    assert (totals.companies_pledged, totals.tonnes_covered) == (5, 1500.0)
    assert (totals.average_recycled_content, totals.companies_due) == (None, 0)


async def test_totals_are_computed_by_the_database(session: AsyncSession) -> None:
    statements: list[str] = []
    engine = session.bind
    from sqlalchemy import event

    def record(*args: object) -> None:
        statements.append(str(args[2]))

    sync_engine = engine.sync_engine  # type: ignore[union-attr]
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        await service.partnership_totals(session, reporting_year=2026)
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)
    assert len(statements) == 3
    assert all("count(" in sql.lower() or "avg(" in sql.lower() for sql in statements)


# Administrators: merge and transfer.


async def test_merging_folds_a_duplicate_into_the_company(session: AsyncSession) -> None:
    admin = await person(session, ADMIN_TELEGRAM_ID)
    somchai, nok = await person(session, 101), await person(session, 102)
    original = await company_with_member(session, somchai, brands=["Siam Fresh"])
    duplicate = await company_with_member(
        session,
        nok,
        names={"en": "Siam Fresh Foods Co.", "zh": "暹罗鲜食"},
        brands=["SIAM FRESH", "Krua Thai"],
    )
    first = await accepted_pledge(session, original, somchai, admin)
    copy = await accepted_pledge(session, duplicate, nok, admin)
    with pytest.raises(NotAllowed):
        await service.merge_companies(
            session, duplicate, original, by=somchai, admin_ids=ADMINS, now=NOW
        )
    await service.merge_companies(session, duplicate, original, by=admin, admin_ids=ADMINS, now=NOW)
    assert await service.member_ids(session, original.id) == [somchai.id, nok.id]
    assert original.brands == ["Siam Fresh", "Krua Thai"]
    assert original.names == {"en": "Siam Fresh Foods", "zh": "暹罗鲜食", "th": "สยามเฟรชฟู้ดส์"}
    await session.refresh(copy)
    assert (copy.company_id, copy.status, copy.superseded_by_id) == (
        original.id,
        PledgeStatus.SUPERSEDED,
        first.id,
    )
    assert duplicate.merged_into_id == original.id
    assert [entry.company.id for entry in (await service.registry_page(session)).entries] == [
        original.id
    ]


async def test_an_administrator_transfers_a_company_to_a_new_member(session: AsyncSession) -> None:
    admin = await person(session, ADMIN_TELEGRAM_ID)
    somchai, successor = await person(session, 101), await person(session, 102)
    company = await company_with_member(session, somchai)
    with pytest.raises(NotAllowed):
        await service.transfer_company(
            session, company, successor, by=somchai, admin_ids=ADMINS, now=NOW
        )
    await service.transfer_company(session, company, successor, by=admin, admin_ids=ADMINS, now=NOW)
    assert await service.member_ids(session, company.id) == [successor.id]


# /mydata and /deleteme.


async def test_mydata_lists_memberships_and_what_the_person_submitted(
    session: AsyncSession,
) -> None:
    company, pledge, members, reviewer = await _reporting_company(session)
    somchai = members[0]
    mine = await privacy.personal_data(session, somchai)
    assert mine["company_memberships"] == [
        {"company_id": company.id, "company": "สยามเฟรชฟู้ดส์", "joined_at": NOW.isoformat()}
    ]
    assert [entry["pledge_id"] for entry in mine["pledges_written"]] == [pledge.id]
    decided = await privacy.personal_data(session, reviewer)
    assert [entry["decision"] for entry in decided["review_decisions"]] == ["accepted"]


async def test_deleteme_ends_memberships_and_unlinks_and_the_company_stays(
    session: AsyncSession,
) -> None:
    company, pledge, members, reviewer = await _reporting_company(session)
    somchai, nok = members
    january = datetime(2027, 1, 2, tzinfo=UTC)
    await service.open_reporting_periods(session, now=january, fallback_zone="UTC")
    await service.queue_report_reminders(session, now=january)
    await privacy.forget_person(session, somchai, now=january)
    await privacy.forget_person(session, reviewer, now=january)
    assert await service.member_ids(session, company.id) == [nok.id]
    await session.refresh(pledge)
    assert (pledge.created_by, pledge.submitted_by, pledge.status) == (
        None,
        None,
        PledgeStatus.ACCEPTED,
    )
    decisions = await service.decisions_on(session, pledge.id)
    assert [decision.reviewer_id for decision in decisions] == [None]
    open_for_somchai = await session.scalar(
        select(func.count()).where(
            OutboxMessage.user_id == somchai.id, OutboxMessage.status == OutboxStatus.PENDING
        )
    )
    assert open_for_somchai == 0
    assert (
        await session.scalar(
            select(func.count()).select_from(Membership).where(Membership.user_id == somchai.id)
        )
        == 0
    )
    assert (await service.registry_page(session)).total == 1


def test_pledge_outbox_kinds_are_their_own() -> None:
    from broadcasts.service import KIND as BROADCAST
    from events.notices import Kind as EventKind

    events = {value for name, value in vars(EventKind).items() if name.isupper()}
    pledges = {value for name, value in vars(service.Kind).items() if name.isupper()}
    assert pledges and all(kind.startswith("pledge.") for kind in pledges)
    assert not pledges & (events | {BROADCAST})
