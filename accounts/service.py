"""What can happen to a person's account. Callers own the transaction and pass the clock."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.cities import Place, chosen_city, timezone_of
from accounts.gazetteer import gazetteer, has_letters
from accounts.geography import CITY_MAX_LENGTH, derive_timezone
from accounts.models import AccessRole, Consent, ConsentPurpose, StakeholderRole, User

ORGANIZATION_MAX_LENGTH = 200


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    # A city of emoji, digits or punctuation alone.
    NO_LETTERS = "no_letters"


class InvalidText(ValueError):
    def __init__(self, problem: TextProblem, limit: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.limit = limit


def clean_free_text(value: str, limit: int) -> str:
    """Whitespace-normalized text that fits its column, or InvalidText saying why not."""
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidText(TextProblem.EMPTY, limit)
    if len(cleaned) > limit:
        raise InvalidText(TextProblem.TOO_LONG, limit)
    return cleaned


def clean_city(value: str) -> str:
    """A typed city: free text that fits the column and has at least one letter."""
    cleaned = clean_free_text(value, CITY_MAX_LENGTH)
    if not has_letters(cleaned):
        raise InvalidText(TextProblem.NO_LETTERS, CITY_MAX_LENGTH)
    return cleaned


async def find_account(session: AsyncSession, telegram_id: int) -> User | None:
    return await session.scalar(select(User).where(User.telegram_id == telegram_id))


async def find_account_id(session: AsyncSession, telegram_id: int) -> int | None:
    """The account's id alone: one statement, where ``find_account`` also loads the consents."""
    return await session.scalar(select(User.id).where(User.telegram_id == telegram_id))


async def reader_language(
    session: AsyncSession,
    *,
    telegram_id: int,
    username: str | None,
    first_name: str | None,
    language: str,
    now: datetime,
) -> str:
    """The language of the person behind an update, whose account is created on first contact
    and whose Telegram name is kept current. Runs for every update, so it reads three columns
    rather than the whole account."""
    known = (
        await session.execute(
            select(User.id, User.language, User.username, User.first_name).where(
                User.telegram_id == telegram_id
            )
        )
    ).one_or_none()
    if known is None:
        created = await resolve_account(
            session,
            telegram_id=telegram_id,
            username=username,
            first_name=first_name,
            language=language,
            now=now,
        )
        return created.language
    if (known.username, known.first_name) != (username, first_name):
        await session.execute(
            update(User)
            .where(User.id == known.id)
            .values(username=username, first_name=first_name)
            .execution_options(synchronize_session=False)
        )
    return str(known.language)


async def resolve_account(
    session: AsyncSession,
    *,
    telegram_id: int,
    username: str | None,
    first_name: str | None,
    language: str,
    now: datetime,
) -> User:
    """The account of the person behind an update, created on first contact."""
    user = await find_account(session, telegram_id)
    if user is None:
        user = User(
            telegram_id=telegram_id,
            username=username,
            first_name=first_name,
            language=language,
            access_role=AccessRole.PARTICIPANT,
            created_at=now,
        )
        session.add(user)
        await session.flush()
        return user
    if user.username != username:
        user.username = username
    if user.first_name != first_name:
        user.first_name = first_name
    return user


async def find_by_username(session: AsyncSession, username: str) -> User | None:
    handle = username.removeprefix("@").lower()
    return await session.scalar(
        select(User).where(func.lower(User.username) == handle, User.telegram_id.is_not(None))
    )


def set_language(user: User, language: str) -> None:
    user.language = language


def consents_of(user: User) -> dict[ConsentPurpose, bool]:
    granted = {consent.purpose: consent.granted for consent in user.consents}
    return {purpose: granted.get(purpose, False) for purpose in ConsentPurpose}


def set_consent(user: User, purpose: ConsentPurpose, granted: bool, now: datetime) -> None:
    for consent in user.consents:
        if consent.purpose == purpose:
            if consent.granted != granted:
                consent.granted = granted
                consent.changed_at = now
            return
    user.consents.append(Consent(purpose=purpose, granted=granted, changed_at=now))


def choose_consent(user: User, purpose: ConsentPurpose, granted: bool, now: datetime) -> bool:
    """Records what the person chose on a consent button; False when the consent already stood
    that way, i.e. the button they pressed showed an out-of-date state."""
    if consents_of(user)[purpose] == granted:
        return False
    set_consent(user, purpose, granted, now)
    return True


def set_stakeholder_role(user: User, role: StakeholderRole) -> None:
    user.stakeholder_role = role


def set_organization(user: User, organization: str | None) -> None:
    user.organization = (
        None if organization is None else clean_free_text(organization, ORGANIZATION_MAX_LENGTH)
    )


def set_country(user: User, country: str, fallback_zone: str) -> None:
    if country != user.country:
        # The place chosen is one of the old country's.
        user.city_geoname_id = None
    user.country = country
    user.timezone = derive_timezone(country, user.city, fallback_zone)


def set_city(user: User, city: str, fallback_zone: str) -> None:
    """The city as the person typed it, matched to no place yet (see ``choose_city``)."""
    user.city = clean_city(city)
    user.city_geoname_id = None
    user.timezone = derive_timezone(user.country, user.city, fallback_zone)


def choose_city(user: User, geoname_id: int, fallback_zone: str) -> bool:
    """The gazetteer's place the person chose for what they typed, named in their language;
    False when it is not a place of their country (a button older than the profile)."""
    city = chosen_city(geoname_id, user.country)
    if city is None:
        return False
    place = Place(gazetteer().display_name(city, user.language), city.geoname_id)
    user.city, user.city_geoname_id = place.name, place.geoname_id
    user.timezone = timezone_of(user.country, place, fallback_zone)
    return True


def place_of(user: User) -> Place | None:
    return Place(user.city, user.city_geoname_id) if user.city else None


def set_timezone(user: User, zone: str) -> None:
    user.timezone = zone


def complete_onboarding(user: User, now: datetime) -> None:
    if user.onboarded_at is None:
        user.onboarded_at = now


def mark_blocked(user: User, now: datetime) -> None:
    """The person blocked the bot: treat it as opting out of news and invitations."""
    user.blocked_at = now
    set_consent(user, ConsentPurpose.NEWS, False, now)


def mark_unblocked(user: User) -> None:
    user.blocked_at = None


def is_admin(telegram_id: int, admin_ids: frozenset[int]) -> bool:
    return telegram_id in admin_ids


def can_organize(user: User, admin_ids: frozenset[int]) -> bool:
    if user.telegram_id is None:
        return False
    return is_admin(user.telegram_id, admin_ids) or user.access_role == AccessRole.ORGANIZER


class Permission(StrEnum):
    ORGANIZE = "organize"
    MANAGE_ROLES = "manage_roles"
    REVIEW = "review"


def has_permission(user: User, permission: Permission, admin_ids: frozenset[int]) -> bool:
    """The one role check behind every organizer, reviewer and administrator command and
    button."""
    if user.telegram_id is None:
        return False
    if permission == Permission.MANAGE_ROLES:
        return is_admin(user.telegram_id, admin_ids)
    if permission == Permission.REVIEW:
        return is_admin(user.telegram_id, admin_ids) or user.access_role == AccessRole.REVIEWER
    return can_organize(user, admin_ids)


def set_access_role(user: User, role: AccessRole) -> bool:
    """Returns whether anything changed."""
    if user.access_role == role:
        return False
    user.access_role = role
    return True


async def role_holders(session: AsyncSession, admin_ids: frozenset[int]) -> list[User]:
    """Organizers, reviewers and administrators who have an account: their command menus show
    their roles."""
    query = select(User).where(
        User.telegram_id.is_not(None),
        or_(
            User.access_role.in_((AccessRole.ORGANIZER, AccessRole.REVIEWER)),
            User.telegram_id.in_(admin_ids),
        ),
    )
    return list((await session.scalars(query.order_by(User.id))).all())


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_personal_data(user: User, admin_ids: frozenset[int], now: datetime) -> dict[str, Any]:
    """Everything Tideline holds about a person, as a JSON-ready document."""
    return {
        "exported_at": now.isoformat(),
        "account": {
            "telegram_user_id": user.telegram_id,
            "username": user.username,
            "first_name": user.first_name,
            "created_at": _iso(user.created_at),
            "onboarded_at": _iso(user.onboarded_at),
            "blocked_bot_at": _iso(user.blocked_at),
            "access_role": "administrator"
            if user.telegram_id is not None and is_admin(user.telegram_id, admin_ids)
            else str(user.access_role),
        },
        "profile": {
            "language": user.language,
            "stakeholder_role": user.stakeholder_role,
            "organization": user.organization,
            "country": user.country,
            "city": user.city,
            "city_geoname_id": user.city_geoname_id,
            "timezone": user.timezone,
        },
        "consents": [
            {
                "purpose": str(consent.purpose),
                "granted": consent.granted,
                "changed_at": _iso(consent.changed_at),
            }
            for consent in sorted(user.consents, key=lambda consent: consent.purpose)
        ],
    }


def erase_account(user: User, now: datetime) -> None:
    """Remove everything that identifies the person; keep the row for anonymous counts only.

    What stays (stakeholder role and country) is too coarse to point at anyone and is what the
    partnership reports in aggregate.
    """
    user.telegram_id = None
    user.username = None
    user.first_name = None
    user.organization = None
    user.city = None
    user.city_geoname_id = None
    user.timezone = None
    user.access_role = AccessRole.PARTICIPANT
    user.blocked_at = None
    user.consents.clear()
    user.erased_at = now


async def find_person(session: AsyncSession, reference: str) -> User | None:
    """A person named by Telegram user id or by a @username the bot has seen."""
    reference = reference.strip()
    if reference.lstrip("-").isdigit():
        return await find_account(session, int(reference))
    if reference.startswith("@") and len(reference) > 1:
        return await find_by_username(session, reference)
    return None


async def record_block_status(
    session: AsyncSession, telegram_id: int, blocked: bool, now: datetime
) -> None:
    user = await find_account(session, telegram_id)
    if user is None:
        return
    if blocked:
        mark_blocked(user, now)
    else:
        mark_unblocked(user)
