"""A person's event data for /mydata, and what /deleteme does to it: registrations are withdrawn
(a held seat passes to the waitlist), answers and photos go, and only anonymous counts stay."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import User
from events import service
from events.checkin_code import new_checkin_token
from events.models import (
    ACTIVE,
    CleanupReport,
    Event,
    EventOrganizer,
    EventStatus,
    Registration,
)
from events.models import RegistrationStatus as Status
from events.texts import event_title, question_text
from pledges.models import BrandCount

# /deleteme warns about seats held for events this close: giving those up is easy to regret.
SEATS_SOON = timedelta(days=7)


async def seats_held_soon(session: AsyncSession, user: User, *, now: datetime) -> list[Event]:
    """Events starting within SEATS_SOON for which the person holds a seat (confirmed, or
    offered and not yet taken up), soonest first."""
    query = (
        select(Event)
        .join(Registration, Registration.event_id == Event.id)
        .where(
            Registration.user_id == user.id,
            Registration.status.in_((Status.CONFIRMED, Status.OFFERED)),
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at > now,
            Event.starts_at <= now + SEATS_SOON,
        )
        .order_by(Event.starts_at, Event.id)
    )
    return list(await session.scalars(query))


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def personal_data(session: AsyncSession, user: User) -> dict[str, Any]:
    """Registrations (with the answers given), cleanup data cards and events organized."""
    registrations = await session.execute(
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.user_id == user.id)
        .order_by(Event.starts_at)
    )
    reports = list(
        await session.scalars(select(CleanupReport).where(CleanupReport.reporter_id == user.id))
    )
    # The brand audit of each data card: brand (as shown to the reporter) → items.
    brands: dict[int, dict[str, int]] = {}
    for report_id, brand, count in await session.execute(
        select(BrandCount.report_id, BrandCount.brand, BrandCount.count)
        .where(BrandCount.report_id.in_([report.id for report in reports]))
        .order_by(BrandCount.id)
    ):
        brands.setdefault(report_id, {})[brand] = count
    organized = await session.scalars(
        select(EventOrganizer.event_id).where(EventOrganizer.user_id == user.id)
    )
    return {
        "registrations": [
            _registration(registration, event, user.language or event.fallback_language)
            for registration, event in registrations
        ],
        "cleanup_data_cards": [_report(report, brands.get(report.id, {})) for report in reports],
        "events_organized": sorted(organized),
    }


def _registration(registration: Registration, event: Event, reader: str) -> dict[str, Any]:
    """In the person's language, as the bot showed the event and its questions to them."""
    title = event_title(event, reader)
    given = dict(registration.answers or {})
    return {
        "event_id": event.id,
        "event": title,
        # A cancelled event keeps its registrations as they were: both statuses tell the story.
        "event_status": str(event.status),
        "starts_at": _iso(event.starts_at),
        "status": str(registration.status),
        "registered_at": _iso(registration.created_at),
        "invite_code": given.pop(service.INVITE_CODE_ANSWER, None),
        "answers": _answers(event, given, reader),
        "attended_at": _iso(registration.attended_at),
        "check_in_method": registration.checkin_method,
    }


def _answers(event: Event, given: dict[str, str], reader: str) -> dict[str, dict[str, str | None]]:
    """By question id, in the event's order: two questions may well share a prompt. Answers to
    a question the organizers removed since keep their value without a prompt."""
    prompts: dict[str, str | None] = {
        str(question.id): str(question_text(event, question, reader).text.get("prompt", ""))
        for question in event.questions
    }
    order = [key for key in prompts if key in given] + [key for key in given if key not in prompts]
    return {key: {"prompt": prompts.get(key), "answer": given[key]} for key in order}


def _report(report: CleanupReport, brands: dict[str, int]) -> dict[str, Any]:
    return {
        "event_id": report.event_id,
        "bags": report.bags,
        "weight_kg": report.weight_kg,
        "people": report.people,
        "distance_m": report.distance_m,
        "items": report.items,
        "brands": brands,
        "photos": len(report.photo_file_ids or []),
        "submitted_at": _iso(report.submitted_at),
        "reviewed_at": _iso(report.reviewed_at),
    }


async def forget_person(session: AsyncSession, user: User, *, now: datetime) -> None:
    """Runs in the same transaction as accounts.service.erase_account."""
    registrations = await session.scalars(
        select(Registration).where(Registration.user_id == user.id)
    )
    for registration in registrations:
        if registration.status in (*ACTIVE, Status.DRAFT):
            await service.withdraw_for_erasure(session, registration, now=now)
        registration.answers = {}
        # A code someone kept a picture of no longer checks anyone in.
        registration.checkin_token = new_checkin_token()
    reports = await session.scalars(
        select(CleanupReport).where(CleanupReport.reporter_id == user.id)
    )
    for report in reports:
        report.photo_file_ids = []
    await session.execute(delete(EventOrganizer).where(EventOrganizer.user_id == user.id))
