"""Events, what organizers write about them per language, registrations and cleanup reports."""

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models import Base
from db.types import UTCDateTime
from questions import Kind


class EventKind(StrEnum):
    ROUNDTABLE = "roundtable"
    CLEANUP = "cleanup"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class RegistrationMode(StrEnum):
    OPEN = "open"
    APPROVAL = "approval"
    INVITE_CODE = "invite_code"


# Registration questions are questions of the one engine (see questions/).
QuestionKind = Kind


class RegistrationStatus(StrEnum):
    # Answering the event's questions; kept so a restart mid-registration loses nothing.
    DRAFT = "draft"
    PENDING = "pending"  # waiting for an organizer's approval; holds no seat
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # a freed seat is held for this person until the offer expires
    CANCELLED = "cancelled"
    REJECTED = "rejected"


SEAT_HOLDING = (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED)
ACTIVE = (*SEAT_HOLDING, RegistrationStatus.PENDING, RegistrationStatus.WAITLISTED)


class CheckInMethod(StrEnum):
    QR = "qr"
    LIST = "list"
    LOCATION = "location"


def new_calendar_uid() -> str:
    """A UID no other event anywhere has: RFC 7986 (5.3) recommends a random UUID.

    A UID made of the event id and a fixed domain (``event-7@tideline``, what events created
    before this column carry) repeats in every deployment and after every database reset, and a
    calendar app would then take a new event for an old entry it still holds. A random UID stored
    with each event is chosen over a per-deployment domain (a setting, the bot's username or an
    installation id): it needs no configuration, cannot repeat after a reset, and a restored
    backup keeps the UIDs people hold. Existing events keep the UID their registrants have.
    """
    return str(uuid4())


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stable key of an imported event, so re-importing the same file updates instead of copying.
    import_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    kind: Mapped[EventKind] = mapped_column(String(16))
    status: Mapped[EventStatus] = mapped_column(String(16), default=EventStatus.DRAFT)
    # The main language: readers get it when neither theirs nor a second language was written.
    fallback_language: Mapped[str] = mapped_column(String(8))
    # The language readers whose own was not written get before the main one; None leaves it
    # to each reader's likely second language (i18n.fallback.LIKELY_SECOND).
    second_language: Mapped[str | None] = mapped_column(String(8))
    venue_name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    country: Mapped[str] = mapped_column(String(8), index=True)
    city: Mapped[str] = mapped_column(String(100))
    # The GeoNames id of the gazetteer's place the organizer chose for the city (accounts.cities).
    city_geoname_id: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    # Seats held by confirmed people and open offers; changed only by guarded UPDATEs so that
    # concurrent registrations can never overbook.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    registration_mode: Mapped[RegistrationMode] = mapped_column(
        String(16), default=RegistrationMode.OPEN
    )
    invite_code: Mapped[str | None] = mapped_column(String(64))
    registration_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancellation_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    offer_hours: Mapped[int] = mapped_column(Integer, default=12)
    reminder_minutes_before: Mapped[int] = mapped_column(Integer, default=120)
    day_before_reminder: Mapped[bool] = mapped_column(Boolean, default=True)
    self_checkin_radius_m: Mapped[int | None] = mapped_column(Integer)
    # Raised on every change a registrant should hear about; calendar files carry it.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # The UID of the event in everyone's calendar; never changes.
    calendar_uid: Mapped[str] = mapped_column(String(255), default=new_calendar_uid)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    texts: Mapped[list["EventText"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )
    questions: Mapped[list["RegistrationQuestion"]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="RegistrationQuestion.position",
    )
    organizers: Mapped[list["EventOrganizer"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", lazy="selectin"
    )


class EventText(Base):
    """Title and description in one language, as the organizer wrote them."""

    __tablename__ = "event_texts"
    __table_args__ = (UniqueConstraint("event_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="texts")


class EventOrganizer(Base):
    __tablename__ = "event_organizers"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    event: Mapped[Event] = relationship(back_populates="organizers")


class RegistrationQuestion(Base):
    """A custom question; ``texts`` maps language → {"prompt": str, "choices": [str, ...]}."""

    __tablename__ = "registration_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[QuestionKind] = mapped_column(String(16))
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)

    event: Mapped[Event] = relationship(back_populates="questions")


class Registration(Base):
    __tablename__ = "registrations"
    # One row per person per event, whatever happens to it: taps repeated or re-sent by
    # Telegram meet this constraint instead of creating a second registration.
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[RegistrationStatus] = mapped_column(String(16))
    # Waitlist order: when the person last joined it.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the registration that counts was made: registering again after a cancellation or a
    # rejection reuses the row (the unique constraint) and restarts this.
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_token: Mapped[str] = mapped_column(String(32), unique=True)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checkin_method: Mapped[CheckInMethod | None] = mapped_column(String(16))
    checked_in_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Raised each time this person withdraws or registers again, so their own calendar file
    # (SEQUENCE = event's sequence + this) always supersedes the one they received before.
    calendar_revision: Mapped[int] = mapped_column(Integer, default=0)


class CleanupReport(Base):
    """One cleanup data card: the quick figures and, optionally, the full item tally."""

    __tablename__ = "cleanup_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    bags: Mapped[int] = mapped_column(Integer, default=0)
    weight_kg: Mapped[float] = mapped_column(Float, default=0.0)
    people: Mapped[int] = mapped_column(Integer, default=0)
    distance_m: Mapped[int] = mapped_column(Integer, default=0)
    # Category key (events.cleanup_card.CATEGORIES) → count.
    items: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    photo_file_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
