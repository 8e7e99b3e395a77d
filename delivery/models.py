"""The outbox: one row for everything the bot must send later, whatever domain asked for it."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.models import Base
from db.types import UTCDateTime


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its due time (or for a retry after a transient error)
    SENDING = "sending"  # claimed by a dispatcher until lease_expires_at
    SENT = "sent"
    FAILED = "failed"  # Telegram refused it for good, or retries ran out; see reason
    BLOCKED = "blocked"  # the recipient blocked the bot
    SKIPPED = "skipped"  # cancelled, or no longer makes sense; see reason


# Rows in these states may still be sent; the others are final.
OPEN_STATUSES = (OutboxStatus.PENDING, OutboxStatus.SENDING)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        # Claiming asks for pending, unheld rows by urgency and due time; reclaiming asks for
        # sending rows by lease: both are range scans of this index.
        Index("ix_outbox_claim", "status", "held", "urgent", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[OutboxStatus] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    # The latest transient error (kept while retrying), and why a row ended failed/blocked/skipped.
    last_error: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the row reached its final status (sent, failed, blocked or skipped).
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
