"""People, companies and pledges for the review and progress-report flows, written through the
pledge domain (as the company screen and the wizard would), then driven through the sandbox."""

from datetime import datetime
from typing import Any

from sqlalchemy import select

from accounts.models import AccessRole, StakeholderRole, User
from delivery.models import OutboxMessage
from demo.runner import BotRunner
from pledges import service
from pledges.models import Company, Pledge, ProgressReport, ReportingPeriod
from tests.conftest import ADMIN_ID
from tests.pledges_setup import answers, details

ADMINS = frozenset({ADMIN_ID})


async def person(
    bot: BotRunner,
    telegram_id: int,
    *,
    language: str = "en",
    role: AccessRole = AccessRole.PARTICIPANT,
    timezone: str = "Asia/Bangkok",
) -> User:
    async with bot.session_factory() as session, session.begin():
        user = User(
            telegram_id=telegram_id,
            first_name=f"P{telegram_id}",
            language=language,
            country="TH",
            city="Chonburi",
            timezone=timezone,
            stakeholder_role=StakeholderRole.BUSINESS,
            access_role=role,
            created_at=bot.clock(),
            onboarded_at=bot.clock(),
        )
        session.add(user)
        await session.flush()
    return user


async def company_with_pledge(
    bot: BotRunner, members: list[User], *, now: datetime | None = None, **changes: Any
) -> tuple[int, int]:
    """A company of ``members`` (the first founds it) with a submitted pledge: (company, pledge)."""
    moment = now or bot.clock()
    async with bot.session_factory() as session, session.begin():
        founder = await session.get(User, members[0].id)
        assert founder is not None
        company = await service.register_company(session, details(), founder=founder, now=moment)
        for other in members[1:]:
            invitation = await service.invite(session, company, by=founder, now=moment)
            joiner = await session.get(User, other.id)
            assert joiner is not None
            await service.join(session, invitation.token, joiner, now=moment)
        pledge = await service.start_pledge(session, company, by=founder, now=moment)
        await service.save_answers(session, pledge, answers(**changes), by=founder, now=moment)
        await service.submit_pledge(session, pledge, by=founder, now=moment)
        return company.id, pledge.id


async def accept(bot: BotRunner, pledge_id: int, *, now: datetime) -> None:
    async with bot.session_factory() as session, session.begin():
        admin = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
        if admin is None:
            admin = User(telegram_id=ADMIN_ID, first_name="Admin", language="en", created_at=now)
            session.add(admin)
            await session.flush()
        pledge = await session.get(Pledge, pledge_id)
        assert pledge is not None
        await service.accept_pledge(session, pledge, reviewer=admin, admin_ids=ADMINS, now=now)


async def pledge(bot: BotRunner, pledge_id: int) -> Pledge:
    async with bot.session_factory() as session:
        found = await session.get(Pledge, pledge_id)
        assert found is not None
        return found


async def company(bot: BotRunner, company_id: int) -> Company:
    async with bot.session_factory() as session:
        found = await session.get(Company, company_id)
        assert found is not None
        return found


async def periods(bot: BotRunner, pledge_id: int) -> list[ReportingPeriod]:
    async with bot.session_factory() as session:
        return list(
            await session.scalars(
                select(ReportingPeriod)
                .where(ReportingPeriod.pledge_id == pledge_id)
                .order_by(ReportingPeriod.year)
            )
        )


async def report_of(bot: BotRunner, period_id: int) -> ProgressReport | None:
    async with bot.session_factory() as session:
        return await session.scalar(
            select(ProgressReport).where(ProgressReport.period_id == period_id)
        )


async def outbox_rows(bot: BotRunner, kind: str) -> list[OutboxMessage]:
    async with bot.session_factory() as session:
        return list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
            )
        )
