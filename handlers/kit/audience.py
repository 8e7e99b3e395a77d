"""The broadcast audience filters as people see and choose them: the labels of an event relation
and of the company audiences, an event as a choice, a typed country, and the lines that describe
a chosen audience. The broadcast composer and an administrator's partnership-wide survey both
choose their recipients with these filters (``broadcasts.service.AudienceFilters``)."""

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from accounts.geography import COUNTRY_CODES, OTHER_COUNTRY
from accounts.models import StakeholderRole
from broadcasts.models import CompanyAudience, EventRelation
from broadcasts.service import AudienceFilters
from events.models import Event
from events.texts import event_title
from handlers.kit import city_choice
from handlers.kit.context import TidelineContext
from handlers.kit.keyboards import Keyboard
from handlers.kit.profile_fields import STAKEHOLDER_LABELS, country_label
from i18n import Translator, lazy

RELATION_LABELS = {
    EventRelation.REGISTERED: lazy("Registered"),
    EventRelation.ATTENDED: lazy("Attended"),
    EventRelation.MISSED: lazy("Missed it"),
}
COMPANY_AUDIENCE_LABELS = {
    CompanyAudience.ACCEPTED_PLEDGE: lazy("Companies with an accepted pledge"),
    CompanyAudience.NOT_REPORTING: lazy("Companies not reporting"),
}


def event_label(t: Translator, event: Event) -> str:
    day = t.date(event.starts_at, event.timezone, "medium")
    return f"{event_title(event, t.language)} · {day}"


def relation_keyboard(
    context: TidelineContext, action: str, event_id: int, *prefix: object
) -> Keyboard:
    """One button per relation to the event, each carrying ``prefix``, the event and the
    relation it sets."""
    t = context.t
    return [
        [context.button(t._(label), action, *prefix, event_id, relation.value)]
        for relation, label in RELATION_LABELS.items()
    ]


def companies_keyboard(context: TidelineContext, action: str, *prefix: object) -> Keyboard:
    t = context.t
    return [
        [context.button(t._(label), action, *prefix, audience.value)]
        for audience, label in COMPANY_AUDIENCE_LABELS.items()
    ]


def country_named(context: TidelineContext, typed: str) -> str | None:
    """A country typed by ISO code or by name, in the reader's language or in English."""
    wanted = " ".join(typed.split()).casefold()
    readers = (context.t, context.services.catalogs.translator("en"))
    for code in (*COUNTRY_CODES, OTHER_COUNTRY):
        names = {code.casefold(), *(country_label(t, code).casefold() for t in readers)}
        if wanted in names:
            return code
    return None


async def filter_lines(session: AsyncSession, t: Translator, filters: AudienceFilters) -> list[str]:
    """One line per chosen filter ("Country: Thailand"), none when everyone is chosen."""
    lines = []
    if filters.role:
        role = t._(STAKEHOLDER_LABELS[StakeholderRole(filters.role)])
        lines.append(t._("Role: {role}").format(role=escape(role)))
    if filters.country:
        country = country_label(t, filters.country)
        lines.append(t._("Country: {country}").format(country=escape(country)))
    if filters.city:
        city = city_choice.city_name(t, filters.city, filters.city_geoname_id)
        lines.append(t._("City: {city}").format(city=escape(city)))
    if filters.language:
        lines.append(t._("Language: {language}").format(language=t.language_name(filters.language)))
    if filters.event_id and filters.event_relation:
        event = await session.get(Event, filters.event_id)
        title = event_title(event, t.language) if event else "–"
        relation = t._(RELATION_LABELS[filters.event_relation])
        lines.append(
            t._("Event: {event} ({relation})").format(event=escape(title), relation=relation)
        )
    if filters.companies:
        companies = t._(COMPANY_AUDIENCE_LABELS[filters.companies])
        lines.append(t._("Members of: {companies}").format(companies=companies))
    return lines
