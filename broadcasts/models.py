"""Broadcasts: an organizer's invitation or news, its text per language and whom it goes to."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models import Base
from db.types import UTCDateTime


class BroadcastStatus(StrEnum):
    DRAFT = "draft"  # being composed; nothing is queued
    SCHEDULED = "scheduled"  # queued, waiting for its time
    SENDING = "sending"
    PAUSED = "paused"  # queued sends are held until resumed
    CANCELLED = "cancelled"
    DONE = "done"


# Broadcasts whose sends may still go out: the ones a progress message follows.
ACTIVE_STATUSES = (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING, BroadcastStatus.PAUSED)
FINAL_STATUSES = (BroadcastStatus.CANCELLED, BroadcastStatus.DONE)


class EventRelation(StrEnum):
    """How the audience filter ties people to an event."""

    REGISTERED = "registered"
    ATTENDED = "attended"
    MISSED = "missed"  # confirmed but never checked in, and the event is over


class CompanyAudience(StrEnum):
    """Roundtable audiences: the members of companies in the pledge registry."""

    ACCEPTED_PLEDGE = "accepted"  # companies with an accepted (public) pledge
    NOT_REPORTING = "not_reporting"  # of those, the ones whose latest report is missing


class Broadcast(Base):
    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[BroadcastStatus] = mapped_column(String(16), default=BroadcastStatus.DRAFT)
    # While composing: the language of the text the organizer is about to type.
    composing_language: Mapped[str | None] = mapped_column(String(8))
    # Recipients whose language has no text read this one; None until the organizer picks it.
    fallback_language: Mapped[str | None] = mapped_column(String(8))
    # Read before the fallback by people whose language was not written; None leaves it to
    # each reader's likely second language (i18n.fallback.LIKELY_SECOND).
    second_language: Mapped[str | None] = mapped_column(String(8))
    # An event the message invites to: recipients get a Register button (a deep link).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    # Audience filters, all optional and combined with AND; consent to news is always required.
    audience_role: Mapped[str | None] = mapped_column(String(16))
    audience_country: Mapped[str | None] = mapped_column(String(8))
    audience_city: Mapped[str | None] = mapped_column(String(100))
    audience_city_geoname_id: Mapped[int | None] = mapped_column(Integer)
    audience_language: Mapped[str | None] = mapped_column(String(8))
    audience_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="SET NULL")
    )
    audience_event_relation: Mapped[EventRelation | None] = mapped_column(String(16))
    audience_companies: Mapped[CompanyAudience | None] = mapped_column(String(16))
    # The Register link is fixed when sending starts, so rendering needs no bot lookup.
    register_url: Mapped[str | None] = mapped_column(String(200))
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipient_count: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    # The one message in the organizer's chat that shows live progress.
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set by whichever progress watcher sends the end report, so it is sent once.
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    texts: Mapped[list["BroadcastText"]] = relationship(
        back_populates="broadcast",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="BroadcastText.id",
    )


class BroadcastText(Base):
    """The message in one language, as Telegram HTML."""

    __tablename__ = "broadcast_texts"
    __table_args__ = (UniqueConstraint("broadcast_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int] = mapped_column(ForeignKey("broadcasts.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    html: Mapped[str] = mapped_column(Text)

    broadcast: Mapped[Broadcast] = relationship(back_populates="texts")
