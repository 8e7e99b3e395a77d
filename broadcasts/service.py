"""Broadcasts from compose to completion report. Callers own the transaction and pass the clock.

A broadcast is composed as a draft (texts per language, a fallback language, an optional event
and audience filters). Sending it puts one outbox row per recipient, due at the chosen time;
from then on the outbox delivers, and pause, resume and cancel act on those rows by key prefix.
"""

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.cities import Place, chosen_city, same_city
from accounts.gazetteer import gazetteer
from accounts.models import Consent, ConsentPurpose, StakeholderRole, User
from accounts.service import clean_city, consents_of
from broadcasts.models import (
    ACTIVE_STATUSES,
    FINAL_STATUSES,
    Broadcast,
    BroadcastStatus,
    BroadcastText,
    CompanyAudience,
    EventRelation,
)
from delivery import outbox
from delivery.models import OutboxStatus
from events.models import ACTIVE, Event, EventStatus, Registration, RegistrationStatus
from i18n.fallback import Picked, pick
from pledges.public import members_of_public_pledgers

KIND = "broadcast"
# Telegram's limit on a message's visible text, in UTF-16 code units as Telegram counts them.
MESSAGE_LIMIT = 4096
EVENT_CHOICES = 8


class BroadcastError(ValueError):
    """An action that does not fit the broadcast's current state."""


# -- composing ---------------------------------------------------------------------------------


async def start_draft(session: AsyncSession, organizer: User, now: datetime) -> Broadcast:
    """A fresh draft; drafts the organizer abandoned earlier are discarded."""
    await session.execute(
        delete(Broadcast).where(
            Broadcast.created_by == organizer.id, Broadcast.status == BroadcastStatus.DRAFT
        )
    )
    draft = Broadcast(
        status=BroadcastStatus.DRAFT, created_by=organizer.id, created_at=now, updated_at=now
    )
    session.add(draft)
    await session.flush()
    return draft


async def current_draft(session: AsyncSession, organizer: User) -> Broadcast | None:
    return await session.scalar(
        select(Broadcast)
        .where(Broadcast.created_by == organizer.id, Broadcast.status == BroadcastStatus.DRAFT)
        .order_by(Broadcast.id.desc())
        .limit(1)
    )


async def discard_draft(session: AsyncSession, organizer: User) -> None:
    draft = await current_draft(session, organizer)
    if draft is not None:
        await session.delete(draft)


async def find_broadcast(session: AsyncSession, broadcast_id: int) -> Broadcast | None:
    return await session.get(Broadcast, broadcast_id)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def text_room(footer_length: int) -> int:
    """How long an organizer's text may be so that the longest reader's footer still fits."""
    return MESSAGE_LIMIT - footer_length


def written_languages(broadcast: Broadcast) -> list[str]:
    return [text.language for text in broadcast.texts]


def begin_text(broadcast: Broadcast, language: str, now: datetime) -> None:
    broadcast.composing_language = language
    broadcast.updated_at = now


def save_text(broadcast: Broadcast, html: str, now: datetime) -> str:
    """Store the text for the language being composed (replacing an earlier one)."""
    language = broadcast.composing_language
    if language is None:
        raise BroadcastError("no language chosen for this text")
    existing = next((text for text in broadcast.texts if text.language == language), None)
    if existing is None:
        broadcast.texts.append(BroadcastText(language=language, html=html))
    else:
        existing.html = html
    broadcast.composing_language = None
    if len(broadcast.texts) == 1 or broadcast.fallback_language not in written_languages(broadcast):
        broadcast.fallback_language = broadcast.texts[0].language
    broadcast.updated_at = now
    return language


def set_fallback(broadcast: Broadcast, language: str, now: datetime) -> None:
    if language not in written_languages(broadcast):
        raise BroadcastError("the fallback must be one of the written languages")
    broadcast.fallback_language = language
    broadcast.updated_at = now


def link_event(broadcast: Broadcast, event_id: int | None, now: datetime) -> None:
    broadcast.event_id = event_id
    broadcast.updated_at = now


def text_for(broadcast: Broadcast, reader: str) -> Picked[BroadcastText]:
    """The text a reader of ``reader`` gets, along the chain of i18n.fallback: theirs, the
    broadcast's second language or their likely one, then the fallback, then any."""
    texts = {text.language: text for text in broadcast.texts}
    if not texts:
        raise BroadcastError("the broadcast has no text")
    main = broadcast.fallback_language or broadcast.texts[0].language
    return pick(texts, reader, main, second=broadcast.second_language)


# -- events ------------------------------------------------------------------------------------


async def upcoming_events(session: AsyncSession, now: datetime) -> list[Event]:
    """Published events that have not started: what an invitation can link to."""
    result = await session.scalars(
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
        .order_by(Event.starts_at)
        .limit(EVENT_CHOICES)
    )
    return list(result)


async def audience_events(session: AsyncSession) -> list[Event]:
    """Recent and coming events whose registrants an audience can be drawn from."""
    result = await session.scalars(
        select(Event)
        .where(Event.status.in_((EventStatus.PUBLISHED, EventStatus.COMPLETED)))
        .order_by(Event.starts_at.desc())
        .limit(EVENT_CHOICES)
    )
    return list(result)


# -- audience ----------------------------------------------------------------------------------


def clear_filters(broadcast: Broadcast, now: datetime) -> None:
    broadcast.audience_role = None
    broadcast.audience_country = None
    broadcast.audience_city = None
    broadcast.audience_city_geoname_id = None
    broadcast.audience_language = None
    broadcast.audience_event_id = None
    broadcast.audience_event_relation = None
    broadcast.audience_companies = None
    broadcast.updated_at = now


def filter_role(broadcast: Broadcast, role: StakeholderRole, now: datetime) -> None:
    broadcast.audience_role = role
    broadcast.updated_at = now


def filter_country(broadcast: Broadcast, country: str, now: datetime) -> None:
    if country != broadcast.audience_country:
        # The place chosen is one of the old country's; the typed name still narrows.
        broadcast.audience_city_geoname_id = None
    broadcast.audience_country = country
    broadcast.updated_at = now


def filter_city(broadcast: Broadcast, city: str, now: datetime) -> None:
    """The city as typed; ``choose_city`` then narrows it to one gazetteer place."""
    broadcast.audience_city = clean_city(city)
    broadcast.audience_city_geoname_id = None
    broadcast.updated_at = now


def choose_city(broadcast: Broadcast, geoname_id: int, language: str, now: datetime) -> bool:
    """False when the place is not one of the audience's country (an older button)."""
    city = chosen_city(geoname_id, broadcast.audience_country)
    if city is None:
        return False
    broadcast.audience_city = gazetteer().display_name(city, language)
    broadcast.audience_city_geoname_id = city.geoname_id
    broadcast.updated_at = now
    return True


def filter_language(broadcast: Broadcast, language: str, now: datetime) -> None:
    broadcast.audience_language = language
    broadcast.updated_at = now


def filter_event(
    broadcast: Broadcast, event_id: int, relation: EventRelation, now: datetime
) -> None:
    broadcast.audience_event_id = event_id
    broadcast.audience_event_relation = relation
    broadcast.updated_at = now


def filter_companies(broadcast: Broadcast, audience: CompanyAudience, now: datetime) -> None:
    """Roundtable invitations: the members of companies in the pledge registry."""
    broadcast.audience_companies = audience
    broadcast.updated_at = now


def _news_consent() -> object:
    return exists().where(
        Consent.user_id == User.id,
        Consent.purpose == ConsentPurpose.NEWS,
        Consent.granted.is_(True),
    )


def _event_relation(event_id: int, relation: EventRelation, now: datetime) -> object:
    registration = exists().where(
        Registration.user_id == User.id, Registration.event_id == event_id
    )
    if relation == EventRelation.REGISTERED:
        return registration.where(Registration.status.in_(ACTIVE))
    if relation == EventRelation.ATTENDED:
        return registration.where(Registration.attended_at.is_not(None))
    return registration.where(
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.attended_at.is_(None),
        Registration.event_id.in_(select(Event.id).where(Event.ends_at <= now)),
    )


@dataclass(frozen=True)
class AudienceFilters:
    """The audience filters on their own, all optional and combined with AND, so other
    features (partnership-wide surveys) choose recipients exactly as broadcasts do."""

    role: str | None = None
    country: str | None = None
    city: str | None = None
    city_geoname_id: int | None = None
    language: str | None = None
    event_id: int | None = None
    event_relation: EventRelation | None = None
    companies: CompanyAudience | None = None

    @classmethod
    def of(cls, broadcast: Broadcast) -> "AudienceFilters":
        return cls(
            role=broadcast.audience_role,
            country=broadcast.audience_country,
            city=broadcast.audience_city,
            city_geoname_id=broadcast.audience_city_geoname_id,
            language=broadcast.audience_language,
            event_id=broadcast.audience_event_id,
            event_relation=broadcast.audience_event_relation,
            companies=broadcast.audience_companies,
        )

    @classmethod
    def from_dict(cls, stored: dict[str, Any] | None) -> "AudienceFilters":
        stored = stored or {}
        relation, companies = stored.get("event_relation"), stored.get("companies")
        return cls(
            role=stored.get("role"),
            country=stored.get("country"),
            city=stored.get("city"),
            city_geoname_id=stored.get("city_geoname_id"),
            language=stored.get("language"),
            event_id=stored.get("event_id"),
            event_relation=EventRelation(relation) if relation else None,
            companies=CompanyAudience(companies) if companies else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {name: value for name, value in asdict(self).items() if value is not None}

    def with_country(self, country: str | None) -> "AudienceFilters":
        """Another country drops the place chosen in the old one; the typed name still narrows
        (as ``filter_country`` does for a broadcast)."""
        place = self.city_geoname_id if country == self.country else None
        return replace(self, country=country, city_geoname_id=place)

    def with_city(self, typed: str | None) -> "AudienceFilters":
        """The city as typed (``InvalidText`` when it cannot be one), None for any city;
        ``with_place`` then narrows it to one gazetteer place."""
        city = clean_city(typed) if typed is not None else None
        return replace(self, city=city, city_geoname_id=None)

    def with_place(self, geoname_id: int, language: str) -> "AudienceFilters | None":
        """None when the place is not one of the audience's country (an older button)."""
        city = chosen_city(geoname_id, self.country)
        if city is None:
            return None
        name = gazetteer().display_name(city, language)
        return replace(self, city=name, city_geoname_id=city.geoname_id)


def audience_query(broadcast: Broadcast, now: datetime) -> Select[int]:
    """Ids of everyone the broadcast goes to: consenting, reachable people matching every filter."""
    return recipients_query(AudienceFilters.of(broadcast), now)


def recipients_query(filters: AudienceFilters, now: datetime) -> Select[int]:
    """Ids of everyone consenting to news and reachable who matches every filter."""
    query = select(User.id).where(
        User.telegram_id.is_not(None),
        User.erased_at.is_(None),
        User.blocked_at.is_(None),
        _news_consent(),  # type: ignore[arg-type]
    )
    if filters.role:
        query = query.where(User.stakeholder_role == filters.role)
    if filters.country:
        query = query.where(User.country == filters.country)
    if filters.city:
        place = Place(filters.city, filters.city_geoname_id)
        query = query.where(same_city(User.city, User.city_geoname_id, place))
    if filters.language:
        query = query.where(User.language == filters.language)
    if filters.event_id and filters.event_relation:
        query = query.where(
            _event_relation(  # type: ignore[arg-type]
                filters.event_id, filters.event_relation, now
            )
        )
    if filters.companies:
        not_reporting = filters.companies == CompanyAudience.NOT_REPORTING
        query = query.where(User.id.in_(members_of_public_pledgers(not_reporting=not_reporting)))
    return query.order_by(User.id)


async def audience_size(session: AsyncSession, broadcast: Broadcast, now: datetime) -> int:
    count = await session.scalar(
        select(func.count()).select_from(audience_query(broadcast, now).subquery())
    )
    return count or 0


def may_receive(user: User) -> bool:
    """Checked again at send time: people may opt out between queueing and delivery."""
    return (
        user.telegram_id is not None
        and user.erased_at is None
        and user.blocked_at is None
        and consents_of(user)[ConsentPurpose.NEWS]
    )


# -- sending -----------------------------------------------------------------------------------


def key_prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"


def dedupe_key(broadcast_id: int, user_id: int) -> str:
    return f"{key_prefix(broadcast_id)}user:{user_id}"


def is_ready(broadcast: Broadcast) -> bool:
    return bool(broadcast.texts) and broadcast.fallback_language in written_languages(broadcast)


async def send(
    session: AsyncSession,
    broadcast: Broadcast,
    *,
    send_at: datetime,
    register_url: str | None,
    now: datetime,
) -> int:
    """Queue the broadcast for everyone in its audience, due at ``send_at``; returns how many."""
    if broadcast.status != BroadcastStatus.DRAFT:
        raise BroadcastError("only a draft can be sent")
    if not is_ready(broadcast):
        raise BroadcastError("the broadcast needs a text and a fallback language")
    due_at = max(send_at, now)
    recipients = list(await session.scalars(audience_query(broadcast, now)))
    await outbox.enqueue_many(
        session,
        (
            outbox.OutboxItem(
                user_id=user_id,
                kind=KIND,
                dedupe_key=dedupe_key(broadcast.id, user_id),
                due_at=due_at,
                payload={"broadcast_id": broadcast.id},
            )
            for user_id in recipients
        ),
        now=now,
    )
    broadcast.register_url = register_url
    broadcast.scheduled_at = due_at
    broadcast.recipient_count = len(recipients)
    broadcast.status = BroadcastStatus.SENDING if due_at <= now else BroadcastStatus.SCHEDULED
    broadcast.composing_language = None
    broadcast.updated_at = now
    return len(recipients)


def set_progress_message(broadcast: Broadcast, chat_id: int, message_id: int) -> None:
    broadcast.progress_chat_id = chat_id
    broadcast.progress_message_id = message_id


async def pause(session: AsyncSession, broadcast: Broadcast, now: datetime) -> bool:
    if broadcast.status not in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING):
        return False
    await outbox.hold(session, key_prefix=key_prefix(broadcast.id))
    broadcast.status = BroadcastStatus.PAUSED
    broadcast.updated_at = now
    return True


async def resume(session: AsyncSession, broadcast: Broadcast, now: datetime) -> bool:
    if broadcast.status != BroadcastStatus.PAUSED:
        return False
    await outbox.release(session, key_prefix=key_prefix(broadcast.id))
    waiting = broadcast.scheduled_at is not None and broadcast.scheduled_at > now
    broadcast.status = BroadcastStatus.SCHEDULED if waiting else BroadcastStatus.SENDING
    broadcast.updated_at = now
    return True


async def cancel(session: AsyncSession, broadcast: Broadcast, now: datetime) -> bool:
    if broadcast.status not in ACTIVE_STATUSES:
        return False
    await outbox.cancel(
        session, key_prefix=key_prefix(broadcast.id), reason="broadcast cancelled", now=now
    )
    broadcast.status = BroadcastStatus.CANCELLED
    broadcast.finished_at = now
    broadcast.updated_at = now
    return True


# -- progress and report -----------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    status: BroadcastStatus
    total: int
    sent: int
    failed: int
    blocked: int
    skipped: int
    pending: int

    @property
    def finished(self) -> int:
        return self.sent + self.failed + self.blocked + self.skipped

    @property
    def fraction(self) -> float:
        return self.finished / self.total if self.total else 1.0

    def eta_seconds(self, rate_per_second: float) -> int:
        return round(self.pending / rate_per_second) if self.pending else 0


async def progress(session: AsyncSession, broadcast: Broadcast, now: datetime) -> Progress:
    """Counts of the broadcast's sends, moving it to sending or done when the time has come."""
    counts = await outbox.counts(session, key_prefix=key_prefix(broadcast.id))
    pending = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
    due = broadcast.scheduled_at is None or broadcast.scheduled_at <= now
    if broadcast.status == BroadcastStatus.SCHEDULED and due:
        broadcast.status = BroadcastStatus.SENDING
        broadcast.updated_at = now
    if broadcast.status == BroadcastStatus.SENDING and pending == 0:
        broadcast.status = BroadcastStatus.DONE
        broadcast.finished_at = now
        broadcast.updated_at = now
    return Progress(
        status=broadcast.status,
        total=sum(counts.values()),
        sent=counts.get(OutboxStatus.SENT, 0),
        failed=counts.get(OutboxStatus.FAILED, 0),
        blocked=counts.get(OutboxStatus.BLOCKED, 0),
        skipped=counts.get(OutboxStatus.SKIPPED, 0),
        pending=pending,
    )


async def claim_report(session: AsyncSession, broadcast_id: int, now: datetime) -> bool:
    """True for exactly one caller once the broadcast has ended: the one to send the report."""
    result = await session.execute(
        update(Broadcast)
        .where(
            Broadcast.id == broadcast_id,
            Broadcast.status.in_(FINAL_STATUSES),
            Broadcast.reported_at.is_(None),
        )
        .values(reported_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def active_broadcasts(session: AsyncSession) -> list[Broadcast]:
    result = await session.scalars(
        select(Broadcast).where(Broadcast.status.in_(ACTIVE_STATUSES)).order_by(Broadcast.id)
    )
    return list(result)


# Skipped sends (cancelled, or the person opted out meanwhile) are counted, not listed.
UNREACHED_STATUSES = (OutboxStatus.FAILED, OutboxStatus.BLOCKED)


@dataclass(frozen=True)
class Unreached:
    """One recipient the broadcast did not reach; only what organizers may see."""

    telegram_id: int | None
    first_name: str
    outcome: str
    reason: str


async def unreached(session: AsyncSession, broadcast: Broadcast) -> list[Unreached]:
    rows = [
        row
        for row in await outbox.failures(session, key_prefix=key_prefix(broadcast.id))
        if row.status in UNREACHED_STATUSES
    ]
    users = {
        user.id: user
        for user in await session.scalars(
            select(User).where(User.id.in_({row.user_id for row in rows}))
        )
    }
    report = []
    for row in rows:
        user = users.get(row.user_id)
        report.append(
            Unreached(
                telegram_id=user.telegram_id if user else None,
                first_name=(user.first_name or "") if user else "",
                outcome=str(row.status),
                reason=row.reason or "",
            )
        )
    return report


def unreached_csv(rows: Sequence[Unreached]) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read every script correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["telegram_user_id", "first_name", "outcome", "reason"])
    for row in rows:
        telegram_id = "" if row.telegram_id is None else str(row.telegram_id)
        writer.writerow([telegram_id, _inert(row.first_name), row.outcome, _inert(row.reason)])
    return buffer.getvalue().encode("utf-8-sig")


def _inert(cell: str) -> str:
    """A name like "=HYPERLINK(...)" must stay text when the file is opened in a spreadsheet."""
    return "'" + cell if cell.startswith(("=", "+", "-", "@")) else cell


LOCAL_TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


def parse_local_time(text: str, zone: str) -> datetime | None:
    """ "2026-12-01 09:30" read in ``zone``, as UTC; None if it is not written that way."""
    cleaned = " ".join(text.split())
    for pattern in LOCAL_TIME_FORMATS:
        try:
            local = datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
        return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return None
