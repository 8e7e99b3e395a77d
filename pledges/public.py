"""What the public registry shows beyond pledges.service's card, and who a roundtable invitation
reaches: the verified values of each commitment year by year (the progress chart) and the
members of companies with a public pledge, or of those not reporting."""

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from pledges import service
from pledges.models import (
    Company,
    Decision,
    Membership,
    PeriodStatus,
    Pledge,
    PledgeSlot,
    ProgressReport,
    ReportingPeriod,
    ReportValue,
)


async def public_pledge(session: AsyncSession, company_id: int) -> tuple[Company, Pledge] | None:
    """The company and its accepted pledge, or None: unknown, merged away, or nothing public
    (a draft, a pledge under review or withdrawn is nobody's business but the company's)."""
    row = (
        await session.execute(
            select(Company, Pledge)
            .join(Pledge, Pledge.company_id == Company.id)
            .where(
                Company.id == company_id,
                Company.merged_into_id.is_(None),
                Pledge.slot == PledgeSlot.PUBLIC,
            )
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def verified_history(
    session: AsyncSession, pledge: Pledge
) -> dict[int, list[tuple[int, float]]]:
    """Per commitment id, the (year, value) of every report whose value for it stands verified,
    oldest first."""
    rows = await session.execute(
        select(
            ReportingPeriod.year, ProgressReport.id, ReportValue.commitment_id, ReportValue.value
        )
        .join(ProgressReport, ProgressReport.period_id == ReportingPeriod.id)
        .join(ReportValue, ReportValue.report_id == ProgressReport.id)
        .where(ReportingPeriod.pledge_id == pledge.id, ProgressReport.submitted_at.is_not(None))
        .order_by(ReportingPeriod.year)
    )
    history: dict[int, list[tuple[int, float]]] = {}
    standing: dict[int, dict[int, Decision]] = {}
    for year, report_id, commitment_id, value in rows:
        if report_id not in standing:
            standing[report_id] = await service.verdicts(session, report_id)
        if standing[report_id].get(commitment_id) == Decision.VERIFIED:
            history.setdefault(commitment_id, []).append((year, value))
    return history


def _not_reporting() -> object:
    """The pledge's latest period whose deadline passed had no report (as on its card)."""
    later = aliased(ReportingPeriod)
    return exists().where(
        ReportingPeriod.pledge_id == Pledge.id,
        ReportingPeriod.status == PeriodStatus.NOT_REPORTING,
        ~exists().where(
            later.pledge_id == ReportingPeriod.pledge_id,
            later.status != PeriodStatus.OPEN,
            later.year > ReportingPeriod.year,
        ),
    )


def members_of_public_pledgers(*, not_reporting: bool) -> Select[int]:
    """User ids of the members of companies with an accepted pledge (only those not reporting,
    when asked)."""
    query = (
        select(Membership.user_id)
        .join(Company, Company.id == Membership.company_id)
        .join(Pledge, Pledge.company_id == Company.id)
        .where(Pledge.slot == PledgeSlot.PUBLIC, Company.merged_into_id.is_(None))
    )
    if not_reporting:
        query = query.where(_not_reporting())  # type: ignore[arg-type]
    return query
