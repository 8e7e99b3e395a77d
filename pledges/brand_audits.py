"""Brand audits of cleanups (Break Free From Plastic style): on a data card, the brand printed on
items counted and how many; matched to companies through their brand lists by ``brand_key``
(case, accents, spacing and punctuation aside), whenever the figures are read.

Members and reviewers see the items of a company's brands by country and year; everyone sees
them by brand only for a company that agreed (``Company.public_brand_aggregates``)."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pledges.brands import brand_key
from pledges.content import clean_text
from pledges.models import BRAND_MAX_LENGTH, BrandCount, Company

SUGGESTIONS_MAX = 8
BRANDS_PER_CARD_MAX = 30


class BrandProblem(ValueError):
    """A typed brand that cannot be used: empty (no letters or digits) or too long."""

    def __init__(self, too_long: bool) -> None:
        super().__init__("too long" if too_long else "empty")
        self.too_long = too_long


@dataclass(frozen=True)
class Suggestion:
    company_id: int
    index: int  # in the company's brand list
    brand: str


async def suggestions(session: AsyncSession) -> list[Suggestion]:
    """Registered companies' brands to offer as buttons, by company name."""
    companies = await session.scalars(
        select(Company).where(Company.merged_into_id.is_(None)).order_by(Company.sort_name)
    )
    offered: list[Suggestion] = []
    for company in companies:
        for index, brand in enumerate(company.brands):
            if len(offered) == SUGGESTIONS_MAX:
                return offered
            offered.append(Suggestion(company.id, index, brand))
    return offered


async def suggested_brand(session: AsyncSession, company_id: int, index: int) -> str | None:
    """The brand a suggestion button names; None for a company gone or a brand removed."""
    company = await session.get(Company, company_id)
    if company is None or company.merged_into_id is not None:
        return None
    if not 0 <= index < len(company.brands):
        return None
    return company.brands[index]


async def known_spelling(session: AsyncSession, typed: str) -> str:
    """The brand as typed, checked; spelled as a registered company spells it when it is one
    of theirs (so "siam frésh" counts as "Siam Fresh")."""
    cleaned = clean_text(typed)
    if len(cleaned) > BRAND_MAX_LENGTH:
        raise BrandProblem(too_long=True)
    key = brand_key(cleaned)
    if not key:
        raise BrandProblem(too_long=False)
    companies = await session.scalars(select(Company).where(Company.merged_into_id.is_(None)))
    for company in companies:
        for brand in company.brands:
            if brand_key(brand) == key:
                return brand
    return cleaned


def add_brand(brands: dict[str, int], brand: str, count: int) -> int:
    """Add to a card's brand counts (keyed by the brand as shown); the same brand typed another
    way adds to the first spelling. Returns the brand's new count."""
    key = brand_key(brand)
    shown = next((name for name in brands if brand_key(name) == key), brand)
    if shown not in brands and len(brands) >= BRANDS_PER_CARD_MAX:
        raise OverflowError(BRANDS_PER_CARD_MAX)
    brands[shown] = brands.get(shown, 0) + count
    return brands[shown]


async def record(
    session: AsyncSession,
    report_id: int,
    brands: Mapping[str, int],
    *,
    country: str,
    starts_at: datetime,
    timezone: str,
) -> None:
    """The brand counts of a submitted data card; sending the card again replaces them."""
    await session.execute(delete(BrandCount).where(BrandCount.report_id == report_id))
    year = starts_at.astimezone(ZoneInfo(timezone)).year
    merged: dict[str, tuple[str, int]] = {}
    for brand, count in brands.items():
        key = brand_key(brand)
        if key and count > 0:
            shown, before = merged.get(key, (brand, 0))
            merged[key] = (shown, before + count)
    for key, (shown, count) in merged.items():
        session.add(
            BrandCount(
                report_id=report_id,
                brand=shown,
                brand_key=key,
                count=count,
                country=country,
                year=year,
            )
        )
    await session.flush()


def _keys(company: Company) -> list[str]:
    return [key for key in (brand_key(brand) for brand in company.brands) if key]


@dataclass(frozen=True)
class Found:
    country: str
    year: int
    items: int


async def found_by_country_and_year(session: AsyncSession, company: Company) -> list[Found]:
    """Items of the company's brands counted at cleanups, newest year first."""
    keys = _keys(company)
    if not keys:
        return []
    rows = await session.execute(
        select(BrandCount.country, BrandCount.year, func.sum(BrandCount.count))
        .where(BrandCount.brand_key.in_(keys))
        .group_by(BrandCount.country, BrandCount.year)
        .order_by(BrandCount.year.desc(), BrandCount.country)
    )
    return [Found(country, int(year), int(items)) for country, year, items in rows]


async def found_by_brand(session: AsyncSession, company: Company) -> list[tuple[str, int]]:
    """Items counted per brand of the company (spelled as the company does), most first;
    brands never counted are left out."""
    keys = _keys(company)
    if not keys:
        return []
    rows = await session.execute(
        select(BrandCount.brand_key, func.sum(BrandCount.count))
        .where(BrandCount.brand_key.in_(keys))
        .group_by(BrandCount.brand_key)
    )
    totals = {key: int(items) for key, items in rows}
    named = [(brand, totals.get(brand_key(brand), 0)) for brand in company.brands]
    return sorted(((brand, items) for brand, items in named if items), key=lambda entry: -entry[1])


async def items_found_in(session: AsyncSession, company: Company, year: int) -> int:
    """Items of the company's brands counted at cleanups of one year, for its yearly reminder."""
    keys = _keys(company)
    if not keys:
        return 0
    total = await session.scalar(
        select(func.coalesce(func.sum(BrandCount.count), 0)).where(
            BrandCount.brand_key.in_(keys), BrandCount.year == year
        )
    )
    return int(total or 0)
