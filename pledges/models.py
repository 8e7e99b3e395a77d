"""Business pledges: companies and their members, pledges with their commitments, reviews, yearly
reporting periods and progress reports with evidence.

A company is not a person: it outlives its members, and nothing in these tables points at a person
once they left or erased their data (the foreign keys to users are nulled or the rows deleted)."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
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

COMPANY_KEY_MAX_LENGTH = 100
COMPANY_NAME_MAX_LENGTH = 200
BRAND_MAX_LENGTH = 80
TOKEN_MAX_LENGTH = 61  # Telegram's 64-character start payload, less the "pl_" prefix


class Sector(StrEnum):
    PACKAGING_PRODUCER = "packaging_producer"
    CONSUMER_GOODS = "consumer_goods"
    RETAIL = "retail"
    FOOD_SERVICE = "food_service"
    HOSPITALITY_TOURISM = "hospitality_tourism"
    WASTE_RECYCLING = "waste_recycling"
    FINANCE = "finance"
    OTHER = "other"


class SizeBand(StrEnum):
    """Employees, the bands the pacts' signatory lists use."""

    MICRO = "micro"  # fewer than 10
    SMALL = "small"  # 10-49
    MEDIUM = "medium"  # 50-249
    LARGE = "large"  # 250 or more


class PledgeStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    ACCEPTED = "accepted"  # public
    WITHDRAWN = "withdrawn"
    SUPERSEDED = "superseded"  # a later pledge of the company was accepted; kept as history


class PledgeSlot(StrEnum):
    """At most one pledge per company in each slot, enforced by a unique constraint: the public
    (accepted) one, and the one being written or reviewed. History has no slot (NULL)."""

    PUBLIC = "public"
    OPEN = "open"


class Metric(StrEnum):
    VIRGIN_REDUCTION = "virgin_reduction"  # % less virgin plastic than in the baseline year
    REUSABLE_RECYCLABLE_COMPOSTABLE = "reusable_recyclable_compostable"  # % of packaging
    RECYCLED_CONTENT = "recycled_content"  # % post-consumer recycled content
    PROBLEMATIC_ITEMS = "problematic_items"  # how many of the listed items are eliminated
    REUSE_MODELS = "reuse_models"  # how many reuse models are introduced
    FREE = "free"  # the company's own commitment, in its own unit


PERCENT_METRICS = frozenset(
    {
        Metric.VIRGIN_REDUCTION,
        Metric.REUSABLE_RECYCLABLE_COMPOSTABLE,
        Metric.RECYCLED_CONTENT,
    }
)


class ProblematicItem(StrEnum):
    PVC = "pvc"
    PS_EPS = "ps_eps"
    OXO_DEGRADABLE = "oxo_degradable"
    STRAWS = "straws"
    STIRRERS = "stirrers"
    CUTLERY = "cutlery"
    CARRIER_BAGS = "carrier_bags"
    MULTILAYER_SACHETS = "multilayer_sachets"
    SHRINK_SLEEVES = "shrink_sleeves"
    OTHER = "other"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    CHANGES_REQUESTED = "changes_requested"
    IMPORTED = "imported"  # accepted by the pact whose spreadsheet was imported
    # Verdicts on one metric of a progress report:
    VERIFIED = "verified"
    NOT_ALIGNED = "not_aligned"
    NEEDS_EVIDENCE = "needs_evidence"


VERDICTS = frozenset({Decision.VERIFIED, Decision.NOT_ALIGNED, Decision.NEEDS_EVIDENCE})


class PeriodStatus(StrEnum):
    OPEN = "open"
    REPORTED = "reported"
    NOT_REPORTING = "not_reporting"  # the deadline passed without a submitted report


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class Company(Base):
    __tablename__ = "companies"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The stable key of an imported company (the pact's own id); chat-registered ones have none.
    key: Mapped[str | None] = mapped_column(String(COMPANY_KEY_MAX_LENGTH), unique=True)
    # {language: name}; main_language's is always there.
    names: Mapped[dict[str, str]] = mapped_column(JSON)
    main_language: Mapped[str] = mapped_column(String(8))
    # The main name casefolded, for ordering the registry.
    sort_name: Mapped[str] = mapped_column(String(COMPANY_NAME_MAX_LENGTH), index=True)
    country: Mapped[str] = mapped_column(String(8), index=True)
    sector: Mapped[Sector] = mapped_column(String(32), index=True)
    size_band: Mapped[SizeBand] = mapped_column(String(16))
    brands: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Whether counts of its brands found at cleanups may be shown publicly.
    public_brand_aggregates: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="company", cascade="all, delete-orphan"
    )


class Membership(Base):
    __tablename__ = "company_members"
    __table_args__ = (UniqueConstraint("company_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)

    company: Mapped[Company] = relationship(back_populates="memberships")


class Invitation(Base):
    __tablename__ = "company_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(TOKEN_MAX_LENGTH), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Pledge(Base):
    __tablename__ = "pledges"
    __table_args__ = (UniqueConstraint("company_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[PledgeStatus] = mapped_column(String(24), index=True)
    slot: Mapped[PledgeSlot | None] = mapped_column(String(8))
    # What the wizard collected so far, kept as typed (restart-safe); see pledges.content.
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline_tonnes: Mapped[float | None] = mapped_column(Float)
    # {language: public statement}
    statements: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    review_note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # withdrawn or superseded
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("pledges.id", ondelete="SET NULL")
    )

    commitments: Mapped[list["Commitment"]] = relationship(
        back_populates="pledge",
        cascade="all, delete-orphan",
        order_by="Commitment.position",
        lazy="selectin",
    )


class Commitment(Base):
    __tablename__ = "pledge_commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    metric: Mapped[Metric] = mapped_column(String(40))
    # Where the metric stood in the baseline year (0 for a reduction, items or reuse models).
    baseline_value: Mapped[float] = mapped_column(Float)
    target_value: Mapped[float] = mapped_column(Float)
    target_year: Mapped[int] = mapped_column(Integer)
    # Problematic items: ProblematicItem values, with other_item naming "other".
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    other_item: Mapped[str | None] = mapped_column(String(200))
    # Reuse models and free commitments: what they are, {language: text}; free ones' unit.
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    unit: Mapped[str | None] = mapped_column(String(40))

    pledge: Mapped[Pledge] = relationship(back_populates="commitments")


class ReviewDecision(Base):
    """Every decision a reviewer made, never updated: on a pledge, or on one metric of a
    report (the latest verdict per report and commitment is the one that stands)."""

    __tablename__ = "pledge_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    commitment_id: Mapped[int | None] = mapped_column(
        ForeignKey("pledge_commitments.id", ondelete="CASCADE")
    )
    decision: Mapped[Decision] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(Text)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReportingPeriod(Base):
    __tablename__ = "reporting_periods"
    __table_args__ = (UniqueConstraint("pledge_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledges.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)  # the year reported on
    deadline: Mapped[date] = mapped_column(Date)  # the last day, in the company's country
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)  # that day's end
    status: Mapped[PeriodStatus] = mapped_column(String(16), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProgressReport(Base):
    __tablename__ = "progress_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_periods.id", ondelete="CASCADE"), unique=True
    )
    total_tonnes: Mapped[float | None] = mapped_column(Float)
    # {language: short narrative}
    narratives: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    values: Mapped[list["ReportValue"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", lazy="selectin"
    )
    evidence: Mapped[list["Evidence"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", lazy="selectin"
    )


class ReportValue(Base):
    __tablename__ = "report_values"
    __table_args__ = (UniqueConstraint("report_id", "commitment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("progress_reports.id", ondelete="CASCADE"))
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("pledge_commitments.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[float] = mapped_column(Float)

    report: Mapped[ProgressReport] = relationship(back_populates="values")


class Evidence(Base):
    """A document or photo sent in the chat: only its Telegram file id is kept (shown to the
    company and reviewers only), with a hash of its content to spot the same file sent twice."""

    __tablename__ = "report_evidence"
    __table_args__ = (UniqueConstraint("report_id", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_reports.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EvidenceKind] = mapped_column(String(16))
    file_id: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64))  # SHA-256, hex
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)

    report: Mapped[ProgressReport] = relationship(back_populates="evidence")


class BrandCount(Base):
    """A cleanup data card's brand audit: how many of the items counted carried one brand.
    Brands are matched to companies through ``brand_key`` when read, so a company that
    registers a brand later (or is merged) finds the items already counted. Where and when
    the cleanup was are copied here, so the figures by country and year need no join."""

    __tablename__ = "cleanup_brand_counts"
    __table_args__ = (UniqueConstraint("report_id", "brand_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("cleanup_reports.id", ondelete="CASCADE"), index=True
    )
    brand: Mapped[str] = mapped_column(String(BRAND_MAX_LENGTH))  # as shown to the reporter
    brand_key: Mapped[str] = mapped_column(String(BRAND_MAX_LENGTH), index=True)
    count: Mapped[int] = mapped_column(Integer)
    country: Mapped[str] = mapped_column(String(8))
    year: Mapped[int] = mapped_column(Integer)  # of the cleanup's start, where it took place
