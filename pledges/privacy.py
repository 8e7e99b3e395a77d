"""A person's pledge data for /mydata, and what /deleteme does to it.

A company is not a person: erasure ends the person's memberships and removes their name from
what they wrote for a company (pledges, reports, evidence, invitations), and the company, its
public pledge and its reports stay. Review decisions they made as a reviewer stay too, without
the link to them."""

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from delivery import outbox
from i18n.fallback import pick
from pledges import service
from pledges.models import (
    Company,
    Evidence,
    Membership,
    Pledge,
    ProgressReport,
    ReportingPeriod,
    ReviewDecision,
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _name(company: Company, reader: str) -> str:
    return str(pick(company.names, reader, company.main_language).text)


async def personal_data(session: AsyncSession, user: User) -> dict[str, Any]:
    """Memberships, what the person submitted, and their decisions as a reviewer."""
    memberships = await session.execute(
        select(Membership, Company)
        .join(Company, Company.id == Membership.company_id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.joined_at)
    )
    pledges = await session.execute(
        select(Pledge, Company)
        .join(Company, Company.id == Pledge.company_id)
        .where((Pledge.created_by == user.id) | (Pledge.submitted_by == user.id))
        .order_by(Pledge.created_at)
    )
    reports = await session.execute(
        select(ProgressReport, ReportingPeriod, Pledge.company_id)
        .join(ReportingPeriod, ReportingPeriod.id == ProgressReport.period_id)
        .join(Pledge, Pledge.id == ReportingPeriod.pledge_id)
        .where(ProgressReport.submitted_by == user.id)
        .order_by(ReportingPeriod.year)
    )
    evidence = await session.scalars(select(Evidence).where(Evidence.uploaded_by == user.id))
    decisions = await session.scalars(
        select(ReviewDecision)
        .where(ReviewDecision.reviewer_id == user.id)
        .order_by(ReviewDecision.decided_at)
    )
    return {
        "company_memberships": [
            {
                "company_id": company.id,
                "company": _name(company, user.language),
                "joined_at": _iso(membership.joined_at),
            }
            for membership, company in memberships
        ],
        "pledges_written": [
            {
                "pledge_id": pledge.id,
                "company": _name(company, user.language),
                "status": str(pledge.status),
                "started_by_you": pledge.created_by == user.id,
                "submitted_by_you": pledge.submitted_by == user.id,
                "submitted_at": _iso(pledge.submitted_at),
            }
            for pledge, company in pledges
        ],
        "progress_reports_submitted": [
            {
                "company_id": company_id,
                "year": period.year,
                "submitted_at": _iso(report.submitted_at),
            }
            for report, period, company_id in reports
        ],
        "evidence_sent": [
            {"kind": str(item.kind), "sent_at": _iso(item.uploaded_at)} for item in evidence
        ],
        "review_decisions": [
            {
                "pledge_id": decision.pledge_id,
                "report_id": decision.report_id,
                "decision": str(decision.decision),
                "note": decision.note,
                "decided_at": _iso(decision.decided_at),
            }
            for decision in decisions
        ],
    }


async def forget_person(session: AsyncSession, user: User, *, now: datetime) -> None:
    """Runs in the same transaction as accounts.service.erase_account."""
    company_ids = list(
        await session.scalars(select(Membership.company_id).where(Membership.user_id == user.id))
    )
    await session.execute(delete(Membership).where(Membership.user_id == user.id))
    await service.unlink_person(session, user.id, company_id=None)
    await session.execute(
        update(ReviewDecision)
        .where(ReviewDecision.reviewer_id == user.id)
        .values(reviewer_id=None)
        .execution_options(synchronize_session=False)
    )
    for company_id in company_ids:
        await outbox.cancel(
            session,
            key_prefix=service.reminder_prefix(company_id, user.id),
            reason="recipient erased their data",
            now=now,
        )
