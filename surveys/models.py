"""Surveys, their questions, people's responses and the ledger of who answered.

What organizers write is kept per language as JSON, as events keep their questions: a survey's
``texts`` map language → {"title", "introduction", "thank_you"}, a question's language →
{"label", "hint", "constraint_message", "required_message"} and its ``options`` are
[{"value", "labels": {language: text}}] in order (a rating's options label its points).
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models import Base
from db.types import UTCDateTime
from questions import Kind

DEFAULT_REMINDER_MAX = 2
DEFAULT_REMINDER_GAP_HOURS = 48
# Mobilize's practice: feedback is asked while the event is fresh, once people are home.
DEFAULT_INVITE_DELAY_HOURS = 1


class SurveyStatus(StrEnum):
    DRAFT = "draft"  # being prepared: nobody can answer it
    OPEN = "open"  # answerable between opens_at and closes_at
    CLOSED = "closed"


class SurveyAudience(StrEnum):
    """Who a post-event survey invites: everyone confirmed for the event, or only those who
    checked in."""

    CONFIRMED = "confirmed"
    CHECKED_IN = "checked_in"


class Survey(Base):
    __tablename__ = "surveys"
    # Importing a form again replaces the survey it made for the same event (or the
    # partnership-wide one): one survey per form id and event, and one partnership-wide.
    __table_args__ = (
        UniqueConstraint("form_id", "event_id"),
        Index(
            "uq_surveys_partnership_form",
            "form_id",
            unique=True,
            sqlite_where="event_id IS NULL",
            postgresql_where="event_id IS NULL",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str | None] = mapped_column(String(64))
    # Post-event when set; partnership-wide (a broadcast-style audience) when not.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SurveyStatus] = mapped_column(String(16), default=SurveyStatus.DRAFT)
    # Anonymous answers are never linked to the person; it cannot be made named later.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    default_language: Mapped[str] = mapped_column(String(8))
    second_language: Mapped[str | None] = mapped_column(String(8))
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience: Mapped[SurveyAudience] = mapped_column(
        String(16), default=SurveyAudience.CONFIRMED, server_default=SurveyAudience.CONFIRMED.value
    )
    reminder_max: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMINDER_MAX)
    reminder_gap_hours: Mapped[int] = mapped_column(Integer, default=DEFAULT_REMINDER_GAP_HOURS)
    # Post-event: the invitations fall due this many hours after the event ends.
    invite_delay_hours: Mapped[int] = mapped_column(
        Integer,
        default=DEFAULT_INVITE_DELAY_HOURS,
        server_default=str(DEFAULT_INVITE_DELAY_HOURS),
    )
    # Partnership-wide: the broadcast filters choosing who is invited when it opens
    # (broadcasts.service.AudienceFilters as a dict; None or {} is everyone consenting to news).
    audience_filters: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey",
        cascade="all, delete-orphan",
        order_by="SurveyQuestion.position",
        lazy="selectin",
    )


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (
        UniqueConstraint("survey_id", "name"),
        UniqueConstraint("survey_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    # Stable: answers, exports and expressions (${name}) refer to it.
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[Kind] = mapped_column(String(16))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    relevant: Mapped[str | None] = mapped_column(Text)
    constraint: Mapped[str | None] = mapped_column(Text)
    # Decimal text, inclusive; exact on both databases (SQLite has no decimal type).
    minimum: Mapped[str | None] = mapped_column(String(40))
    maximum: Mapped[str | None] = mapped_column(String(40))
    max_length: Mapped[int | None] = mapped_column(Integer)
    other: Mapped[bool] = mapped_column(Boolean, default=False)
    texts: Mapped[dict[str, Any]] = mapped_column(JSON)
    options: Mapped[list[Any]] = mapped_column(JSON, default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyResponse(Base):
    """One person's answers. Named: ``user_id`` says whose, one per person (the constraint).
    Anonymous: no user, no times; the ledger (``SurveyParticipant``) keeps one per person."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("survey_id", "user_id"),)

    # Random, not counting up: an anonymous response's id must not say when it was started,
    # which the order of the ledger's rows could be matched against.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The language the person answered in, for results broken down by language.
    language: Mapped[str] = mapped_column(String(8))
    # Position of the question the person is at; past the last one when all are seen.
    position: Mapped[int] = mapped_column(Integer, default=0)
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    answers: Mapped[list["SurveyAnswer"]] = relationship(
        back_populates="response", cascade="all, delete-orphan", lazy="selectin"
    )


class SurveyAnswer(Base):
    __tablename__ = "survey_answers"

    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # The stored value (questions.engine): text, a number, an option's value, values joined
    # by spaces for a multiple choice.
    value: Mapped[str] = mapped_column(Text)
    # What the person said for "other, please say".
    other_text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class SurveyParticipant(Base):
    """Who answered a survey (named or anonymous): reminders stop and a second response is
    refused. For an anonymous survey ``response_id`` points at the response only while the
    person is answering it, so they can continue; submitting cuts the link for good."""

    __tablename__ = "survey_participants"

    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    response_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="SET NULL")
    )
    submitted: Mapped[bool] = mapped_column(Boolean, default=False)
