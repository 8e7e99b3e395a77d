"""People: their accounts, stakeholder roles and consent per purpose."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.models import Base
from db.types import UTCDateTime


class StakeholderRole(StrEnum):
    COMMUNITY = "community"
    BUSINESS = "business"
    GOVERNMENT = "government"
    RESEARCH = "research"
    NGO = "ngo"
    FINANCE = "finance"
    INTERNATIONAL = "international"
    MEDIA = "media"


class AccessRole(StrEnum):
    PARTICIPANT = "participant"
    ORGANIZER = "organizer"
    # Reviews business pledges and their yearly reports (pledges/).
    REVIEWER = "reviewer"


class ConsentPurpose(StrEnum):
    EVENT_LOGISTICS = "event_logistics"
    PHOTOS_LOCATION = "photos_location"
    PARTNER_SHARING = "partner_sharing"
    NEWS = "news"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Null once the person erased their data: the row then only feeds anonymous counts.
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    first_name: Mapped[str | None] = mapped_column(String(128))
    language: Mapped[str] = mapped_column(String(8))
    stakeholder_role: Mapped[StakeholderRole | None] = mapped_column(String(16))
    organization: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(8))
    city: Mapped[str | None] = mapped_column(String(100))
    # The GeoNames id of the gazetteer's place the person chose for their city (accounts.cities).
    city_geoname_id: Mapped[int | None] = mapped_column(Integer)
    timezone: Mapped[str | None] = mapped_column(String(64))
    access_role: Mapped[AccessRole] = mapped_column(String(16), default=AccessRole.PARTICIPANT)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    onboarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    consents: Mapped[list["Consent"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )


class Consent(Base):
    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[ConsentPurpose] = mapped_column(String(32))
    granted: Mapped[bool]
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="consents")
