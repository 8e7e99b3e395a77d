"""Companies, people and pledges for the pledge tests, written straight to the database."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AccessRole, StakeholderRole, User
from db.engine import create_engine, create_session_factory
from pledges import service
from pledges.models import Company, Pledge
from pledges.service import CompanyDetails

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)
ADMIN_TELEGRAM_ID = 9000
ADMINS = frozenset({ADMIN_TELEGRAM_ID})


async def open_session(database_url: str) -> AsyncIterator[AsyncSession]:
    engine = create_engine(database_url)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


async def person(
    session: AsyncSession,
    telegram_id: int,
    *,
    language: str = "en",
    role: AccessRole = AccessRole.PARTICIPANT,
) -> User:
    user = User(
        telegram_id=telegram_id,
        first_name=f"P{telegram_id}",
        language=language,
        stakeholder_role=StakeholderRole.BUSINESS,
        access_role=role,
        created_at=NOW,
    )
    session.add(user)
    await session.flush()
    return user


def details(**changes: Any) -> CompanyDetails:
    fields: dict[str, Any] = {
        "names": {"en": "Siam Fresh Foods", "th": "สยามเฟรชฟู้ดส์"},
        "main_language": "en",
        "country": "TH",
        "sector": "consumer_goods",
        "size_band": "large",
        "brands": ["Siam Fresh", "Krua Thai"],
    }
    fields.update(changes)
    return CompanyDetails(**fields)


def answers(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "baseline_year": 2022,
        "baseline_tonnes": 1200.0,
        "commitments": [
            {"metric": "virgin_reduction", "target_value": 20, "target_year": 2030},
            {
                "metric": "recycled_content",
                "baseline_value": 5,
                "target_value": 30,
                "target_year": 2027,
            },
            {
                "metric": "problematic_items",
                "items": ["ps_eps", "straws", "other"],
                "other_item": "plastic-lined paper cups",
                "target_year": 2025,
            },
        ],
        "statements": {"en": "We halve our virgin plastic by 2030.", "th": "เราลดพลาสติกใหม่"},
    }
    document.update(changes)
    return document


async def company_with_member(session: AsyncSession, member: User, **changes: Any) -> Company:
    return await service.register_company(session, details(**changes), founder=member, now=NOW)


async def accepted_pledge(
    session: AsyncSession,
    company: Company,
    member: User,
    reviewer: User,
    *,
    now: datetime = NOW,
    **changes: Any,
) -> Pledge:
    pledge = await service.start_pledge(session, company, by=member, now=now)
    await service.save_answers(session, pledge, answers(**changes), by=member, now=now)
    await service.submit_pledge(session, pledge, by=member, now=now)
    await service.accept_pledge(session, pledge, reviewer=reviewer, admin_ids=ADMINS, now=now)
    return pledge
