"""The organizer's survey screen for one event: start from a ready template (four taps: Survey,
the template, anonymous or named, Open), or send an XLSForm ``.xlsx`` file; see which languages
the survey lacks and, for an anonymous one, that it cannot be made named later; open and close
it; choose when invitations go out and the reminders; Results (results.py). A partnership-wide
survey (no event), made from an XLSForm file an administrator sends after tapping "New
partnership-wide survey" in /surveys, has an administrator's screen instead: its audience chosen
with the broadcast filters (role, country, city, language, event, companies), opening it invites
them at once. Every button names the event or survey and checks on the server that the person
organizes that event (or is an administrator), and a filter button that the survey is still a
partnership-wide draft. The diagram is setup.mmd.
"""

import functools
from collections.abc import Awaitable, Callable
from dataclasses import replace
from enum import StrEnum
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.cities import candidates
from accounts.geography import COUNTRY_CODES, OTHER_COUNTRY
from accounts.models import StakeholderRole, User
from accounts.service import InvalidText
from broadcasts.models import CompanyAudience, EventRelation
from broadcasts.service import AudienceFilters, audience_events
from db.conversations import load_state, save_state
from events.models import Event, EventKind, EventStatus
from events.service import find_event, is_organizer_of
from events.texts import event_title
from handlers.kit import actions as shared
from handlers.kit import audience, city_choice
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.person_state import person_key
from handlers.kit.profile_fields import STAKEHOLDER_LABELS, country_keyboard
from handlers.kit.reprompts import expect_text, text_problem_message
from handlers.surveys.actions import NEW_PARTNERSHIP_SURVEY, OPEN_PARTNERSHIP_SURVEY, RESULTS
from i18n import LANGUAGES, Translator
from surveys.definitions import (
    DefinitionRefused,
    StatusRefused,
    close_survey,
    missing_languages,
    open_survey,
    save_form,
)
from surveys.forms import Form
from surveys.invitations import (
    INVITE_DELAY_CHOICES,
    REMINDER_GAP_CHOICES,
    REMINDER_MAX_CHOICES,
    audience_count,
    audience_filters,
    invite_audience,
    invited_at,
    set_audience_filters,
    stop_survey_sends,
)
from surveys.models import Survey, SurveyAudience, SurveyStatus
from surveys.templates import AFTER_CLEANUP, AFTER_ROUNDTABLE
from surveys.xlsform import (
    MAX_FILE_BYTES,
    FormProblem,
    InvalidForm,
    ProblemKind,
    read_form,
    read_form_file,
)

TEMPLATE = "sv.setup.tpl"  # event id, template
ANONYMITY = "sv.setup.anon"  # survey id, "anonymous" | "named"
OPEN = "sv.setup.open"  # survey id
CLOSE = "sv.setup.close"  # survey id
SEND_FILE = "sv.setup.file"  # event id
AUDIENCE = "sv.setup.aud"  # survey id, SurveyAudience
DELAY = "sv.setup.delay"  # survey id, hours after the event ends
REMINDERS = "sv.setup.rem"  # survey id, most reminders
GAP = "sv.setup.gap"  # survey id, fewest hours between sends
FILTER_ROLE = "sv.setup.frole"  # survey id, StakeholderRole | ANY
FILTER_LANGUAGE = "sv.setup.flang"  # survey id, language code | ANY
# The filters chosen on a screen of their own, opened from the partnership-wide survey's screen.
NARROW = "sv.setup.narrow"  # survey id, Narrow
FILTER_COUNTRY = "sv.setup.fctry"  # survey id, country code | ANY
FILTER_CITY = "sv.setup.fcity"  # survey id, GeoNames id | city_choice.KEEP | ANY
AUDIENCE_EVENT = "sv.setup.fevent"  # survey id, event id: which of its people?
FILTER_EVENT = "sv.setup.frel"  # survey id, event id, EventRelation | 0, ANY
FILTER_COMPANIES = "sv.setup.fcomp"  # survey id, CompanyAudience | ANY
ANY = "any"

# What a form file sent now is for: an event's id, or PARTNERSHIP_WIDE for a new
# partnership-wide survey (the name predates those; kept so a file asked for before an upgrade
# is still taken). Stored under the same key as the person's conversations, so /deleteme
# forgets it too.
FORM_FILE_FOR = "survey_setup.event"
PARTNERSHIP_WIDE = "partnership"
# Which partnership-wide survey a typed city is for.
CITY_FOR_SURVEY = "survey_setup.city"


class Awaiting(StrEnum):
    """What the survey screen waits for."""

    FORM_FILE = "form_file"
    CITY = "city"  # the city a partnership-wide survey's audience lives in


class Narrow(StrEnum):
    """The filters of a partnership-wide survey that have a screen of their own."""

    COUNTRY = "country"
    CITY = "city"
    EVENT = "event"
    COMPANIES = "companies"


class Template(StrEnum):
    ROUNDTABLE = "roundtable"
    CLEANUP = "cleanup"


TEMPLATE_FILES = {Template.ROUNDTABLE: AFTER_ROUNDTABLE, Template.CLEANUP: AFTER_CLEANUP}


@functools.cache
def template_form(template: Template) -> Form:
    """The template read once per process: the files ship with the code and never change."""
    return read_form_file(TEMPLATE_FILES[template])


class Refused(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _int_args(update: Update) -> list[int]:
    return [int(arg) for arg in button_args(update) if arg.isdigit()]


async def _organized_event(
    session: AsyncSession, context: TidelineContext, account: User, event_id: int
) -> Event:
    t = context.t
    event = await find_event(session, event_id)
    if event is None:
        raise Refused(t._("That event no longer exists."))
    if not is_organizer_of(event, account, context.services.settings.ADMIN_IDS):
        raise Refused(t._("Only the organizers of this event can do that."))
    return event


async def _organized_survey(
    session: AsyncSession, context: TidelineContext, account: User, survey_id: int
) -> tuple[Survey, Event | None]:
    """The survey and its event, if this person organizes the event; a partnership-wide
    survey (no event) only for administrators."""
    survey = await session.get(Survey, survey_id)
    if survey is None:
        raise Refused(context.t._("That survey no longer exists."))
    if survey.event_id is None:
        if account.telegram_id not in context.services.settings.ADMIN_IDS:
            raise Refused(context.t._("Only administrators can do that."))
        return survey, None
    return survey, await _organized_event(session, context, account, survey.event_id)


def _mark(chosen: bool, label: str) -> str:
    return f"✓ {label}" if chosen else label


def _sending_rows(context: TidelineContext, survey: Survey, event: Event | None) -> Keyboard:
    """The invitation delay (post-event only) and the reminders' maximum and gap, each button
    carrying the value it sets."""
    t = context.t

    def row(
        action: str, choices: tuple[int, ...], current: int, label: Callable[[int], str]
    ) -> list[InlineKeyboardButton]:
        return [
            context.button(_mark(current == value, label(value)), action, survey.id, value)
            for value in choices
        ]

    def delay(hours: int) -> str:
        if hours == 24:
            return t._("Next day")
        return t.ngettext("{count} hour after", "{count} hours after", hours).format(
            count=t.number(hours)
        )

    def reminders(count: int) -> str:
        if count == 0:
            return t._("No reminders")
        return t.ngettext("{count} reminder", "{count} reminders", count).format(
            count=t.number(count)
        )

    def gap(hours: int) -> str:
        return t._("{count} h apart").format(count=t.number(hours))

    keyboard: Keyboard = []
    if event is not None:
        keyboard.append(row(DELAY, INVITE_DELAY_CHOICES, survey.invite_delay_hours, delay))
    keyboard.append(row(REMINDERS, REMINDER_MAX_CHOICES, survey.reminder_max, reminders))
    if survey.reminder_max:
        keyboard.append(row(GAP, REMINDER_GAP_CHOICES, survey.reminder_gap_hours, gap))
    return keyboard


def _reminders_line(t: Translator, survey: Survey) -> str:
    if not survey.reminder_max:
        return t._("🔔 No reminders.")
    return t.ngettext(
        "🔔 Up to {count} reminder to those who have not answered, at least {gap} h apart.",
        "🔔 Up to {count} reminders to those who have not answered, at least {gap} h apart.",
        survey.reminder_max,
    ).format(count=t.number(survey.reminder_max), gap=t.number(survey.reminder_gap_hours))


async def _event_survey(session: AsyncSession, event: Event) -> Survey | None:
    """The survey the screen is about: the open one, else the newest."""
    surveys = list(
        await session.scalars(
            select(Survey).where(Survey.event_id == event.id).order_by(Survey.id.desc())
        )
    )
    for survey in surveys:
        if survey.status == SurveyStatus.OPEN:
            return survey
    return surveys[0] if surveys else None


def _title(survey: Survey, language: str) -> str:
    texts = survey.texts.get(language) or survey.texts.get(survey.default_language) or {}
    return str(texts.get("title") or survey.form_id)


def anonymous_warning(t: Translator) -> str:
    return t._(
        "⚠️ Anonymous: answers are stored without any link to the person who gave them. "
        "Once the survey is open, it cannot be made named later."
    )


def _languages_line(t: Translator, survey: Survey) -> str:
    missing = missing_languages(survey, tuple(LANGUAGES))
    if not missing:
        return t._("🌐 Written in all 12 languages.")
    names = ", ".join(t.language_name(code) for code in missing)
    return t._(
        "🌐 Not written in: {languages}. People who read them get {default} instead."
    ).format(languages=names, default=t.language_name(survey.default_language))


def _template_buttons(context: TidelineContext, event: Event) -> Keyboard:
    t = context.t
    order = (
        [Template.CLEANUP, Template.ROUNDTABLE]
        if event.kind == EventKind.CLEANUP
        else [Template.ROUNDTABLE, Template.CLEANUP]
    )
    labels = {
        Template.ROUNDTABLE: t._("Template: after a roundtable"),
        Template.CLEANUP: t._("Template: after a cleanup"),
    }
    return [[context.button(labels[name], TEMPLATE, event.id, name.value)] for name in order]


def _audience_button(context: TidelineContext, survey: Survey) -> InlineKeyboardButton:
    t = context.t
    if survey.audience == SurveyAudience.CHECKED_IN:
        label, other = t._("Invite everyone confirmed"), SurveyAudience.CONFIRMED
    else:
        label, other = t._("Invite only those who checked in"), SurveyAudience.CHECKED_IN
    return context.button(label, AUDIENCE, survey.id, other.value)


async def _screen(
    context: TidelineContext, event: Event, survey: Survey | None, notice: str | None = None
) -> tuple[str, Keyboard]:
    t = context.t
    lines = [notice, ""] if notice else []
    lines.append(
        t._("<b>Survey after {title}</b>").format(title=escape(event_title(event, t.language)))
    )
    file_button = [context.button(t._("Send an XLSForm file"), SEND_FILE, event.id)]
    if survey is None:
        lines.append(
            t._(
                "This event has no survey yet. Start from a ready template, written in all 12 "
                "languages, or send your own form as an XLSForm .xlsx file."
            )
        )
        return "\n".join(lines), [*_template_buttons(context, event), file_button]
    count = len(survey.questions)
    lines.append(
        t.ngettext("“{title}”, {count} question.", "“{title}”, {count} questions.", count).format(
            title=escape(_title(survey, t.language)), count=t.number(count)
        )
    )
    lines.append(t._("🔒 Anonymous") if survey.anonymous else t._("👤 Named"))
    lines.append(_languages_line(t, survey))
    lines.append(
        t._("👥 Invited: only those who checked in")
        if survey.audience == SurveyAudience.CHECKED_IN
        else t._("👥 Invited: everyone confirmed")
    )
    when = t.moment_with_zone(invited_at(event, survey), event.timezone)
    # Opened after that moment, a survey is invited by the next sweep: never name a past time.
    late = invited_at(event, survey) <= context.now()
    if not late:
        lines.append(
            t.ngettext(
                "⏰ Invitations on {moment}, {count} hour after the event ends.",
                "⏰ Invitations on {moment}, {count} hours after the event ends.",
                survey.invite_delay_hours,
            ).format(moment=when, count=t.number(survey.invite_delay_hours))
        )
    lines.append(_reminders_line(t, survey))
    keyboard: Keyboard = []
    if survey.status == SurveyStatus.DRAFT:
        lines.append(t._("Status: draft – nobody can answer it yet."))
        if survey.anonymous:
            lines += ["", anonymous_warning(t)]
        if late:
            plan = t.ngettext(
                "Once it is open, the invitations go out at once (the event ended more than an "
                "hour ago), followed by up to {count} reminder.",
                "Once it is open, the invitations go out at once (the event ended more than an "
                "hour ago), followed by up to {count} reminders.",
                survey.reminder_max,
            )
            lines.append(plan.format(count=t.number(survey.reminder_max)))
        keyboard.append([context.button(t._("✅ Open the survey"), OPEN, survey.id)])
        other = (
            context.button(t._("Make it named"), ANONYMITY, survey.id, "named")
            if survey.anonymous
            else context.button(t._("Make it anonymous"), ANONYMITY, survey.id, "anonymous")
        )
        keyboard.append([other])
        keyboard.append([_audience_button(context, survey)])
        keyboard += _sending_rows(context, survey, event)
        keyboard += [file_button]
    elif survey.status == SurveyStatus.OPEN:
        lines.append(
            t._(
                "Status: open. The event ended more than an hour ago, so the invitations have "
                "gone out (or go out within a minute)."
            )
            if late
            else t._("Status: open.")
        )
        keyboard.append([context.button(t._("Results"), RESULTS, survey.id)])
        keyboard.append([context.button(t._("Close the survey"), CLOSE, survey.id)])
    else:
        lines.append(t._("Status: closed."))
        keyboard.append([context.button(t._("Results"), RESULTS, survey.id)])
    return "\n".join(lines), keyboard


async def _filters_line(session: AsyncSession, t: Translator, survey: Survey) -> str:
    """The chosen filters as the broadcast composer names them, HTML already escaped."""
    parts = await audience.filter_lines(session, t, audience_filters(survey))
    return " · ".join(parts) if parts else t._("everyone")


async def _partnership_screen(
    session: AsyncSession, context: TidelineContext, survey: Survey, notice: str | None = None
) -> tuple[str, Keyboard]:
    """An administrator's screen for a partnership-wide survey: its audience chosen with the
    broadcast filters (role, language on the screen; country, city, event and companies each on
    a screen of its own; consent to news always required), reminders, Open."""
    t = context.t
    lines = [notice, ""] if notice else []
    lines.append(
        t._("<b>Partnership-wide survey “{title}”</b>").format(
            title=escape(_title(survey, t.language))
        )
    )
    lines.append(t._("🔒 Anonymous") if survey.anonymous else t._("👤 Named"))
    lines.append(_languages_line(t, survey))
    lines.append(
        t._("👥 Audience: {filters}").format(filters=await _filters_line(session, t, survey))
    )
    lines.append(_reminders_line(t, survey))
    keyboard: Keyboard = []
    if survey.status == SurveyStatus.DRAFT:
        count = await audience_count(session, survey, now=context.now())
        lines.append(
            t.ngettext(
                "Opening it invites {count} person who agreed to news, at once.",
                "Opening it invites {count} people who agreed to news, at once.",
                count,
            ).format(count=t.number(count))
        )
        if survey.anonymous:
            lines += ["", anonymous_warning(t)]
        filters = audience_filters(survey)
        keyboard.append([context.button(t._("✅ Open the survey"), OPEN, survey.id)])
        keyboard.append(
            [
                context.button(t._("Make it named"), ANONYMITY, survey.id, "named")
                if survey.anonymous
                else context.button(t._("Make it anonymous"), ANONYMITY, survey.id, "anonymous")
            ]
        )
        role_buttons = [
            context.button(
                _mark(filters.role is None, t._("Any role")), FILTER_ROLE, survey.id, ANY
            )
        ] + [
            context.button(
                _mark(filters.role == role, t._(label)), FILTER_ROLE, survey.id, role.value
            )
            for role, label in STAKEHOLDER_LABELS.items()
        ]
        language_buttons = [
            context.button(
                _mark(filters.language is None, t._("Any language")),
                FILTER_LANGUAGE,
                survey.id,
                ANY,
            )
        ] + [
            context.button(
                _mark(filters.language == code, language.native_name),
                FILTER_LANGUAGE,
                survey.id,
                code,
            )
            for code, language in LANGUAGES.items()
        ]
        keyboard += rows(role_buttons, 3) + rows(language_buttons, 4)

        def narrow(chosen: bool, label: str, which: Narrow) -> InlineKeyboardButton:
            return context.button(_mark(chosen, label), NARROW, survey.id, which.value)

        keyboard.append(
            [
                narrow(filters.country is not None, t._("Country"), Narrow.COUNTRY),
                narrow(filters.city is not None, t._("City"), Narrow.CITY),
            ]
        )
        keyboard.append(
            [
                narrow(filters.event_relation is not None, t._("Event"), Narrow.EVENT),
                narrow(filters.companies is not None, t._("Companies"), Narrow.COMPANIES),
            ]
        )
        keyboard += _sending_rows(context, survey, None)
    elif survey.status == SurveyStatus.OPEN:
        lines.append(t._("Status: open."))
        keyboard.append([context.button(t._("Results"), RESULTS, survey.id)])
        keyboard.append([context.button(t._("Close the survey"), CLOSE, survey.id)])
    else:
        lines.append(t._("Status: closed."))
        keyboard.append([context.button(t._("Results"), RESULTS, survey.id)])
    return "\n".join(lines), keyboard


async def _survey_screen(
    session: AsyncSession,
    context: TidelineContext,
    survey: Survey,
    event: Event | None,
    notice: str | None = None,
) -> tuple[str, Keyboard]:
    if event is None:
        return await _partnership_screen(session, context, survey, notice)
    return await _screen(context, event, survey, notice)


async def _refuse(update: Update, context: TidelineContext, refusal: Refused) -> None:
    await context.unit.discard_changes()
    if update.callback_query is not None:
        await context.answer_query(update, refusal.text, show_alert=True)
    else:
        await answer(update, context, refusal.text)


async def show_survey_screen(update: Update, context: TidelineContext) -> Any:
    (event_id,) = _int_args(update)
    session = await context.session()
    account = await account_of(session, update)
    try:
        event = await _organized_event(session, context, account, event_id)
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    text, keyboard = await _screen(context, event, await _event_survey(session, event))
    await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


async def choose_template(update: Update, context: TidelineContext) -> Any:
    event_id, raw = int(button_args(update)[0]), button_args(update)[1]
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    try:
        event = await _organized_event(session, context, account, event_id)
        if event.status == EventStatus.CANCELLED:
            raise Refused(t._("This event has been cancelled, so it can no longer be changed."))
        current = await _event_survey(session, event)
        if current is not None and current.status == SurveyStatus.OPEN:
            raise Refused(t._("The survey is already open."))
        form = template_form(Template(raw))
        try:
            saved = await save_form(
                session, form, event_id=event.id, now=context.now(), created_by=account.id
            )
        except DefinitionRefused:
            raise Refused(
                t._("This survey already has answers or is closed, so it stays as it is.")
            ) from None
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    survey = saved.survey
    text = "\n\n".join(
        [
            t._("Should the answers be anonymous or named?"),
            t._("👤 Named: you see who answered what; people can change their answers."),
            t._("🔒 Anonymous: nobody, not even you, sees who answered what."),
            anonymous_warning(t),
        ]
    )
    keyboard = [
        [
            context.button(t._("👤 Named"), ANONYMITY, survey.id, "named"),
            context.button(t._("🔒 Anonymous"), ANONYMITY, survey.id, "anonymous"),
        ]
    ]
    await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


# What a step does to the survey the button names, once it is one the person organizes: changes
# it (raising Refused to refuse, which changes nothing), and says what to put above its screen.
SurveyChange = Callable[[AsyncSession, Survey, Event | None], Awaitable[str | None]]


async def _survey_step(update: Update, context: TidelineContext, change: SurveyChange) -> Any:
    """A button carrying ``[survey id, ...]``: ``change``, then the survey's screen in place of
    the pressed message."""
    session = await context.session()
    account = await account_of(session, update)
    try:
        survey_id = _survey_button(context, button_args(update), values=None)
        survey, event = await _organized_survey(session, context, account, survey_id)
        notice = await change(session, survey, event)
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    text, keyboard = await _survey_screen(session, context, survey, event, notice)
    await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


async def choose_anonymity(update: Update, context: TidelineContext) -> Any:
    t = context.t
    raw = button_args(update)[1:]
    anonymous = raw == ["anonymous"]

    async def change(_session: AsyncSession, survey: Survey, _event: Event | None) -> None:
        if raw not in (["anonymous"], ["named"]):
            raise Refused(t._("That button is out of date."))
        if survey.status != SurveyStatus.DRAFT and survey.anonymous != anonymous:
            raise Refused(
                t._("The survey is already open: whether it is anonymous can no longer change.")
            )
        survey.anonymous = anonymous
        survey.updated_at = context.now()

    return await _survey_step(update, context, change)


async def choose_audience(update: Update, context: TidelineContext) -> Any:
    t = context.t
    raw = button_args(update)[1:]

    async def change(_session: AsyncSession, survey: Survey, event: Event | None) -> None:
        if event is None or len(raw) != 1 or raw[0] not in set(SurveyAudience):
            raise Refused(t._("That button is out of date."))
        audience = SurveyAudience(raw[0])
        if survey.status != SurveyStatus.DRAFT and survey.audience != audience:
            raise Refused(t._("The survey is already open."))
        survey.audience = audience
        survey.updated_at = context.now()

    return await _survey_step(update, context, change)


async def open_event_survey(update: Update, context: TidelineContext) -> Any:
    t = context.t

    async def change(session: AsyncSession, survey: Survey, event: Event | None) -> str:
        if event is not None and event.status == EventStatus.CANCELLED:
            raise Refused(t._("This event has been cancelled, so it can no longer be changed."))
        if survey.status == SurveyStatus.OPEN:
            return t._("The survey is already open.")
        try:
            open_survey(survey, now=context.now())
        except StatusRefused:
            raise Refused(t._("Only a draft survey with questions can be opened.")) from None
        notice = t._("✅ The survey is open.")
        if event is None:
            invited = await invite_audience(session, survey, now=context.now())
            notice += "\n" + t.ngettext(
                "{count} invitation is on its way.",
                "{count} invitations are on their way.",
                invited,
            ).format(count=t.number(invited))
        return notice

    return await _survey_step(update, context, change)


async def close_event_survey(update: Update, context: TidelineContext) -> Any:
    t = context.t

    async def change(session: AsyncSession, survey: Survey, _event: Event | None) -> str:
        if survey.status == SurveyStatus.CLOSED:
            return t._("The survey was already closed.")
        if survey.status == SurveyStatus.OPEN:
            close_survey(survey, now=context.now())
            await stop_survey_sends(session, survey, now=context.now())
        return t._("The survey is closed: no more answers, invitations or reminders.")

    return await _survey_step(update, context, change)


async def show_partnership_screen(update: Update, context: TidelineContext) -> Any:
    async def change(_session: AsyncSession, _survey: Survey, _event: Event | None) -> None:
        return None

    return await _survey_step(update, context, change)


def _survey_button(context: TidelineContext, args: list[str], *, values: int | None = 1) -> int:
    """The survey id of a button carrying ``[survey id, *values]`` (``values`` None: any number
    of them); refused if malformed."""
    if not args or not args[0].isdigit() or (values is not None and len(args) != 1 + values):
        raise Refused(context.t._("That button is out of date."))
    return int(args[0])


async def _draft_to_change(
    session: AsyncSession,
    context: TidelineContext,
    account: User,
    survey_id: int,
    *,
    partnership_only: bool = False,
) -> tuple[Survey, Event | None]:
    """The draft the person may change: refused once the survey is open (those invited were
    told its terms), or (filters) for a post-event survey."""
    t = context.t
    survey, event = await _organized_survey(session, context, account, survey_id)
    if partnership_only and event is not None:
        raise Refused(t._("That button is out of date."))
    if survey.status != SurveyStatus.DRAFT:
        raise Refused(t._("The survey is already open: this can no longer change."))
    return survey, event


async def _partnership_draft(
    session: AsyncSession, update: Update, context: TidelineContext, *, values: int = 1
) -> tuple[Survey, list[str]]:
    """The partnership-wide draft a button carrying ``[survey id, *values]`` names, with the
    button's arguments; refused as ``_draft_to_change`` says."""
    account = await account_of(session, update)
    args = button_args(update)
    survey_id = _survey_button(context, args, values=values)
    survey, _ = await _draft_to_change(session, context, account, survey_id, partnership_only=True)
    return survey, args


async def _change_draft(
    update: Update, context: TidelineContext, change: Any, *, partnership_only: bool = False
) -> Any:
    """Applies ``change(survey, value)`` to a draft the person may set up; refused as
    ``_draft_to_change`` says, or for a value not offered."""
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    try:
        args = button_args(update)
        survey_id = _survey_button(context, args)
        survey, event = await _draft_to_change(
            session, context, account, survey_id, partnership_only=partnership_only
        )
        if not change(survey, args[1]):
            raise Refused(t._("That button is out of date."))
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    survey.updated_at = context.now()
    text, keyboard = await _survey_screen(session, context, survey, event)
    await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


def _set_number(name: str, choices: tuple[int, ...]) -> Any:
    def change(survey: Survey, raw: str) -> bool:
        if not raw.isdigit() or int(raw) not in choices:
            return False
        setattr(survey, name, int(raw))
        return True

    return change


def _set_filter(name: str, allowed: Any) -> Any:
    def change(survey: Survey, raw: str) -> bool:
        if raw != ANY and raw not in allowed:
            return False
        filters = dict(survey.audience_filters or {})
        filters.pop(name, None)
        if raw != ANY:
            filters[name] = raw
        survey.audience_filters = filters
        return True

    return change


async def choose_delay(update: Update, context: TidelineContext) -> Any:
    return await _change_draft(
        update, context, _set_number("invite_delay_hours", INVITE_DELAY_CHOICES)
    )


async def choose_reminders(update: Update, context: TidelineContext) -> Any:
    return await _change_draft(update, context, _set_number("reminder_max", REMINDER_MAX_CHOICES))


async def choose_gap(update: Update, context: TidelineContext) -> Any:
    return await _change_draft(
        update, context, _set_number("reminder_gap_hours", REMINDER_GAP_CHOICES)
    )


async def choose_role_filter(update: Update, context: TidelineContext) -> Any:
    roles = {role.value for role in StakeholderRole}
    return await _change_draft(update, context, _set_filter("role", roles), partnership_only=True)


async def choose_language_filter(update: Update, context: TidelineContext) -> Any:
    return await _change_draft(
        update, context, _set_filter("language", set(LANGUAGES)), partnership_only=True
    )


# -- the filters with a screen of their own (partnership-wide surveys) ---------------------------


def _back_button(context: TidelineContext, survey: Survey) -> list[InlineKeyboardButton]:
    return [context.button(context.t._("Back"), OPEN_PARTNERSHIP_SURVEY, survey.id)]


def _any_button(
    context: TidelineContext, label: str, action: str, survey: Survey, *values: object
) -> list[InlineKeyboardButton]:
    return [context.button(label, action, survey.id, *values)]


async def _narrow_screen(
    session: AsyncSession, context: TidelineContext, survey: Survey, which: Narrow
) -> tuple[str, Keyboard]:
    """The choices of one filter, as the broadcast composer offers them, each button naming the
    survey and the value it sets, an "any" button, and Back."""
    t = context.t
    if which == Narrow.COUNTRY:
        keyboard = country_keyboard(context, FILTER_COUNTRY, survey.id)
        keyboard.append(_any_button(context, t._("Any country"), FILTER_COUNTRY, survey, ANY))
        text = t._("Invite people in which country?")
    elif which == Narrow.CITY:
        keyboard = [_any_button(context, t._("Any city"), FILTER_CITY, survey, ANY)]
        text = t._("Invite people in which city? Type its name, or send /cancel to stop.")
    elif which == Narrow.EVENT:
        events = await audience_events(session)
        if not events:
            raise Refused(t._("There are no events yet."))
        keyboard = [
            [context.button(audience.event_label(t, event), AUDIENCE_EVENT, survey.id, event.id)]
            for event in events
        ]
        keyboard.append(_any_button(context, t._("Any event"), FILTER_EVENT, survey, 0, ANY))
        text = t._("People who registered for, attended or missed which event?")
    else:
        keyboard = audience.companies_keyboard(context, FILTER_COMPANIES, survey.id)
        keyboard.append(
            _any_button(
                context, t._("Not only members of companies"), FILTER_COMPANIES, survey, ANY
            )
        )
        text = t._("Invite the members of which companies of the pledge registry?")
    keyboard.append(_back_button(context, survey))
    return text, keyboard


async def show_narrow_screen(update: Update, context: TidelineContext) -> Any:
    t = context.t
    session = await context.session()
    try:
        survey, args = await _partnership_draft(session, update, context)
        if args[1] not in set(Narrow):
            raise Refused(t._("That button is out of date."))
        which = Narrow(args[1])
        text, keyboard = await _narrow_screen(session, context, survey, which)
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    if which == Narrow.CITY:
        await save_state(session, CITY_FOR_SURVEY, person_key(update), str(survey.id))
    await answer(update, context, text, keyboard, edit=True)
    return Awaiting.CITY if which == Narrow.CITY else ConversationHandler.END


async def _narrowed(
    update: Update,
    context: TidelineContext,
    narrow: Any,
    *,
    values: int = 1,
) -> Any:
    """Applies ``narrow(session, filters, values)`` (new filters, or None for a value not
    offered) to a partnership-wide draft, then shows its screen."""
    t = context.t
    session = await context.session()
    try:
        survey, args = await _partnership_draft(session, update, context, values=values)
        filters = await narrow(session, audience_filters(survey), args[1:])
        if filters is None:
            raise Refused(t._("That button is out of date."))
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    set_audience_filters(survey, filters, now=context.now())
    await save_state(session, CITY_FOR_SURVEY, person_key(update), None)
    text, keyboard = await _partnership_screen(session, context, survey)
    await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


async def choose_country_filter(update: Update, context: TidelineContext) -> Any:
    async def narrow(
        _session: AsyncSession, filters: AudienceFilters, values: list[str]
    ) -> AudienceFilters | None:
        (raw,) = values
        if raw == ANY:
            return filters.with_country(None)
        if raw not in (*COUNTRY_CODES, OTHER_COUNTRY):
            return None
        return filters.with_country(raw)

    return await _narrowed(update, context, narrow)


async def choose_city_filter(update: Update, context: TidelineContext) -> Any:
    """Any city, or the place meant by the city typed (or the name as typed)."""

    async def narrow(
        _session: AsyncSession, filters: AudienceFilters, values: list[str]
    ) -> AudienceFilters | None:
        (raw,) = values
        if raw == ANY:
            return filters.with_city(None)
        if raw == city_choice.KEEP:
            return filters if filters.city else None
        geoname_id = city_choice.chosen_id(values)
        if geoname_id is None or not filters.city:
            return None
        return filters.with_place(geoname_id, context.t.language)

    return await _narrowed(update, context, narrow)


async def choose_audience_event(update: Update, context: TidelineContext) -> Any:
    """Which of the event's people: registered, attended or missed it."""
    t = context.t
    session = await context.session()
    try:
        survey, args = await _partnership_draft(session, update, context)
        event = await find_event(session, int(args[1])) if args[1].isdigit() else None
        if event is None:
            raise Refused(t._("That event no longer exists."))
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    keyboard = audience.relation_keyboard(context, FILTER_EVENT, event.id, survey.id)
    keyboard.append(_back_button(context, survey))
    await answer(update, context, t._("Which of its people?"), keyboard, edit=True)
    return ConversationHandler.END


async def choose_event_filter(update: Update, context: TidelineContext) -> Any:
    async def narrow(
        session: AsyncSession, filters: AudienceFilters, values: list[str]
    ) -> AudienceFilters | None:
        raw_event, raw_relation = values
        if raw_relation == ANY:
            return replace(filters, event_id=None, event_relation=None)
        if raw_relation not in set(EventRelation) or not raw_event.isdigit():
            return None
        if await find_event(session, int(raw_event)) is None:
            raise Refused(context.t._("That event no longer exists."))
        return replace(filters, event_id=int(raw_event), event_relation=EventRelation(raw_relation))

    return await _narrowed(update, context, narrow, values=2)


async def choose_companies_filter(update: Update, context: TidelineContext) -> Any:
    async def narrow(
        _session: AsyncSession, filters: AudienceFilters, values: list[str]
    ) -> AudienceFilters | None:
        (raw,) = values
        if raw == ANY:
            return replace(filters, companies=None)
        if raw not in set(CompanyAudience):
            return None
        return replace(filters, companies=CompanyAudience(raw))

    return await _narrowed(update, context, narrow)


async def type_city(update: Update, context: TidelineContext) -> Any:
    """The city typed for a partnership-wide survey's audience: the places it may mean are
    offered, as for a broadcast; the name as typed narrows until one is chosen."""
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    stored = await load_state(session, CITY_FOR_SURVEY, person_key(update))
    if stored is None or not stored.isdigit():
        await answer(update, context, t._("That step is over. Open the survey's screen again."))
        return ConversationHandler.END
    try:
        survey, _ = await _draft_to_change(
            session, context, account, int(stored), partnership_only=True
        )
    except Refused as refusal:
        await _refuse(update, context, refusal)
        # The refusal rolled back the step: the city is no longer awaited, in a new transaction.
        await save_state(await context.session(), CITY_FOR_SURVEY, person_key(update), None)
        return ConversationHandler.END
    try:
        filters = audience_filters(survey).with_city(message.text)
    except InvalidText as problem:
        await answer(update, context, text_problem_message(t, problem))
        return None
    set_audience_filters(survey, filters, now=context.now())
    places = candidates(message.text, filters.country)
    if places:
        keyboard = city_choice.offer_keyboard(context, FILTER_CITY, places, survey.id)
        await answer(update, context, city_choice.offer_prompt(t), keyboard)
        return Awaiting.CITY
    await save_state(session, CITY_FOR_SURVEY, person_key(update), None)
    text, keyboard = await _partnership_screen(session, context, survey)
    await answer(update, context, text, keyboard)
    return ConversationHandler.END


def _require_admin(context: TidelineContext, account: User) -> None:
    if account.telegram_id not in context.services.settings.ADMIN_IDS:
        raise Refused(context.t._("Only administrators can do that."))


async def _ask_file(
    update: Update, context: TidelineContext, target: str, heading: str | None = None
) -> Any:
    """Waits for the form file for ``target`` (an event's id, or PARTNERSHIP_WIDE)."""
    t = context.t
    session = await context.session()
    await save_state(session, FORM_FILE_FOR, person_key(update), target)
    megabytes = MAX_FILE_BYTES // (1024 * 1024)
    text = t._(
        "Send the form as an XLSForm .xlsx file (sheets survey, choices and settings, as "
        "KoboToolbox and ODK write them; at most {size} MB), or /cancel to stop."
    ).format(size=t.number(megabytes))
    await answer(update, context, f"<b>{escape(heading)}</b>\n{text}" if heading else text)
    return Awaiting.FORM_FILE


async def ask_for_file(update: Update, context: TidelineContext) -> Any:
    (event_id,) = _int_args(update)
    session = await context.session()
    account = await account_of(session, update)
    try:
        await _organized_event(session, context, account, event_id)
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    return await _ask_file(update, context, str(event_id))


async def ask_for_partnership_file(update: Update, context: TidelineContext) -> Any:
    """An administrator's new partnership-wide survey, from /surveys: its form file first."""
    session = await context.session()
    account = await account_of(session, update)
    try:
        _require_admin(context, account)
    except Refused as refusal:
        await _refuse(update, context, refusal)
        return None
    return await _ask_file(
        update, context, PARTNERSHIP_WIDE, context.t._("New partnership-wide survey")
    )


async def _file_target(
    session: AsyncSession, context: TidelineContext, account: User, stored: str
) -> Event | None:
    """The event the awaited file is for (None: a partnership-wide survey), checked again."""
    if stored == PARTNERSHIP_WIDE:
        _require_admin(context, account)
        return None
    if not stored.isdigit():
        raise Refused(context.t._("That step is over. Open the event's survey again."))
    return await _organized_event(session, context, account, int(stored))


def problem_text(t: Translator, kind: ProblemKind) -> str:
    texts = {
        ProblemKind.NOT_A_SPREADSHEET: t._("this is not an .xlsx spreadsheet"),
        ProblemKind.FILE_TOO_LARGE: t._("the file is too large"),
        ProblemKind.MISSING_SHEET: t._("a sheet is missing"),
        ProblemKind.MISSING_COLUMN: t._("a column is missing"),
        ProblemKind.MISSING_VALUE: t._("a value is missing"),
        ProblemKind.UNSUPPORTED_TYPE: t._("unknown or unsupported question type"),
        ProblemKind.UNKNOWN_LIST: t._("this choice list is not in the choices sheet"),
        ProblemKind.BAD_NAME: t._("this name is not allowed"),
        ProblemKind.DUPLICATE_NAME: t._("this name is used twice"),
        ProblemKind.DUPLICATE_OPTION: t._("this option is listed twice"),
        ProblemKind.UNKNOWN_REFERENCE: t._("it refers to a question that does not exist"),
        ProblemKind.LATER_REFERENCE: t._("it refers to a later question"),
        ProblemKind.BAD_EXPRESSION: t._("this expression cannot be read"),
        ProblemKind.UNSUPPORTED_LANGUAGE: t._("Tideline does not speak this language"),
        ProblemKind.MISSING_LABEL: t._("the label in the default language is missing"),
        ProblemKind.TEXT_TOO_LONG: t._("this text is too long"),
        ProblemKind.BAD_VALUE: t._("this value is not allowed here"),
        ProblemKind.BAD_RANGE: t._("this rating range is not supported"),
        ProblemKind.TOO_MANY_QUESTIONS: t._("the form has too many questions"),
        ProblemKind.NO_QUESTIONS: t._("the form has no questions"),
        ProblemKind.CONVERTER: t._("the XLSForm converter refused it"),
    }
    return texts[kind]


def _place(problem: FormProblem) -> str:
    """Where, as the spreadsheet names it: ``survey!A4``, ``survey row 4``, a sheet, or the file."""
    if problem.row and problem.column:
        return f"{problem.sheet}!{problem.column}{problem.row}"
    if problem.row:
        return f"{problem.sheet} {problem.row}"
    return problem.sheet or "xlsx"


def _problems_message(t: Translator, invalid: InvalidForm) -> str:
    lines = [
        t.ngettext(
            "Nothing was saved: the file has {count} problem.",
            "Nothing was saved: the file has {count} problems.",
            len(invalid.problems),
        ).format(count=t.number(len(invalid.problems)))
    ]
    for problem in invalid.problems:
        # The place as the spreadsheet names it, the kind in the reader's language, and the
        # converter's own detail (English) for whoever edits the file.
        place = escape(_place(problem))
        kind = escape(problem_text(t, problem.kind))
        lines.append(f"• <b>{place}</b>: {kind} <i>({escape(problem.detail)})</i>")
    text = "\n".join(lines)
    # One message: keep it under Telegram's limit however many problems there are.
    return text if len(text) <= 4000 else text[:3990].rsplit("\n", 1)[0] + "\n…"


async def receive_file(update: Update, context: TidelineContext) -> Any:
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    t = context.t
    if (document.file_size or 0) > MAX_FILE_BYTES:
        megabytes = MAX_FILE_BYTES // (1024 * 1024)
        await answer(
            update,
            context,
            t._("Nothing was saved: the file is larger than {size} MB.").format(
                size=t.number(megabytes)
            ),
        )
        return None
    # Downloaded before the step's transaction begins: no Bot API call may wait inside it.
    data = bytes(await (await document.get_file()).download_as_bytearray())
    session = await context.session()
    account = await account_of(session, update)
    stored = await load_state(session, FORM_FILE_FOR, person_key(update))
    if stored is None:
        await answer(update, context, t._("That step is over. Open the event's survey again."))
        return ConversationHandler.END
    try:
        event = await _file_target(session, context, account, stored)
        try:
            form = read_form(data, fallback_language=context.services.settings.DEFAULT_LANGUAGE)
        except InvalidForm as invalid:
            await answer(update, context, _problems_message(t, invalid))
            return None
        try:
            saved = await save_form(
                session,
                form,
                event_id=event.id if event is not None else None,
                now=context.now(),
                created_by=account.id,
            )
        except DefinitionRefused:
            raise Refused(
                t._("This survey already has answers or is closed, so it stays as it is.")
            ) from None
    except Refused as refusal:
        await _refuse(update, context, refusal)
        # The refusal rolled back the step: the file is no longer awaited, in a new transaction.
        await save_state(await context.session(), FORM_FILE_FOR, person_key(update), None)
        return ConversationHandler.END
    await save_state(session, FORM_FILE_FOR, person_key(update), None)
    notice = (
        t._("✅ Imported as a new draft.") if saved.created else t._("✅ The draft was replaced.")
    )
    text, keyboard = await _survey_screen(session, context, saved.survey, event, notice)
    await answer(update, context, text, keyboard)
    return ConversationHandler.END


async def expect_file(update: Update, context: TidelineContext) -> Any:
    await answer(
        update,
        context,
        context.t._("Please send the form as an .xlsx file, or send /cancel to stop."),
    )
    return None


async def cancel(update: Update, context: TidelineContext) -> Any:
    session = await context.session()
    await save_state(session, FORM_FILE_FOR, person_key(update), None)
    await save_state(session, CITY_FOR_SURVEY, person_key(update), None)
    await answer(update, context, context.t._("Stopped. Nothing else was changed."))
    return ConversationHandler.END


def build_survey_setup() -> ConversationHandler[Any]:
    def button(action: str, callback: Any) -> CallbackQueryHandler[Any, Any]:
        return CallbackQueryHandler(callback, pattern=action_pattern(action))

    return ConversationHandler(
        name="survey_setup",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            button(shared.OPEN_EVENT_SURVEY, show_survey_screen),
            button(TEMPLATE, choose_template),
            button(ANONYMITY, choose_anonymity),
            button(AUDIENCE, choose_audience),
            button(DELAY, choose_delay),
            button(REMINDERS, choose_reminders),
            button(GAP, choose_gap),
            button(FILTER_ROLE, choose_role_filter),
            button(FILTER_LANGUAGE, choose_language_filter),
            button(NARROW, show_narrow_screen),
            button(FILTER_COUNTRY, choose_country_filter),
            button(FILTER_CITY, choose_city_filter),
            button(AUDIENCE_EVENT, choose_audience_event),
            button(FILTER_EVENT, choose_event_filter),
            button(FILTER_COMPANIES, choose_companies_filter),
            button(OPEN_PARTNERSHIP_SURVEY, show_partnership_screen),
            button(OPEN, open_event_survey),
            button(CLOSE, close_event_survey),
            button(SEND_FILE, ask_for_file),
            button(NEW_PARTNERSHIP_SURVEY, ask_for_partnership_file),
        ],
        states={
            Awaiting.FORM_FILE: [
                MessageHandler(filters.Document.ALL, receive_file),
                MessageHandler(~filters.COMMAND, expect_file),
            ],
            Awaiting.CITY: [
                MessageHandler(filters.TEXT & ~filters.COMMAND, type_city),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
