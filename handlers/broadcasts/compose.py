"""/broadcast: an organizer writes an invitation in as many languages as they have, picks the
fallback language, optionally links an event, narrows the audience, previews it exactly as
recipients will see it, and sends it now or at a local time. Everything is saved to the draft
as it is given, so a restart mid-flow loses nothing."""

import functools
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from html import escape
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.cities import candidates
from accounts.models import StakeholderRole, User
from accounts.service import InvalidText, Permission
from broadcasts import service as broadcasts
from broadcasts.models import Broadcast, CompanyAudience, EventRelation
from events.models import Event
from events.texts import event_title
from handlers.broadcasts import progress as live
from handlers.kit import audience, city_choice, deep_links
from handlers.kit import profile_fields as steps
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer, requires
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.reprompts import (
    earlier_step_button,
    expect_buttons,
    expect_text,
    text_problem_message,
)
from handlers.runtime.dispatch_wiring import wake
from i18n import LANGUAGES, Translator


class Awaiting(StrEnum):
    LANGUAGE = "language"  # the language of the next text
    TEXT = "text"  # the message in that language
    MORE_LANGUAGES = "more_languages"  # another language, or go on
    FALLBACK = "fallback"  # whose text readers of unwritten languages get
    EVENT = "event"  # an upcoming event to link, or none
    AUDIENCE = "audience"  # a filter to change, or the preview
    ROLE = "role"
    COUNTRY = "country"
    CITY = "city"
    AUDIENCE_LANGUAGE = "audience_language"
    AUDIENCE_EVENT = "audience_event"
    EVENT_RELATION = "event_relation"
    COMPANIES = "companies"  # which companies of the pledge registry
    SEND_CHOICE = "send_choice"  # send now or schedule, after the preview
    SEND_TIME = "send_time"  # a local date and time
    CONFIRMATION = "confirmation"


LANGUAGE = "bc.lang"
ANOTHER_LANGUAGE = "bc.another"
TEXTS_DONE = "bc.texts_done"
FALLBACK = "bc.fallback"
EVENT = "bc.event"
FILTER = "bc.filter"
ROLE = "bc.role"
COUNTRY = "bc.country"
CITY_MATCH = "bc.city"  # GeoNames id, or city_choice.KEEP
AUDIENCE_LANGUAGE = "bc.aud_lang"
AUDIENCE_EVENT = "bc.aud_event"
RELATION = "bc.relation"
COMPANIES = "bc.companies"
PREVIEW = "bc.preview"
SEND_NOW = "bc.now"
SCHEDULE = "bc.schedule"
CHANGE_AUDIENCE = "bc.audience"
CONFIRM = "bc.confirm"
BACK = "bc.back"
PREVIEW_UNSUBSCRIBE = "bc.unsub_preview"

NO_EVENT = 0
SEND_AT_ONCE = 0
TIME_EXAMPLE_FORMAT = "%Y-%m-%d %H:%M"

Handler = BaseHandler[Update, Any, Any]


class NoDraft(LookupError):
    """The organizer answered a step, but their draft was sent or discarded meanwhile."""


Step = TypeVar("Step", bound=Callable[..., Coroutine[Any, Any, Any]])


def organizer_step(callback: Step) -> Step:
    """A step of the flow: organizers only, and ended politely if the draft is gone."""

    @requires(Permission.ORGANIZE)
    @functools.wraps(callback)
    async def step(update: Update, context: TidelineContext) -> object:
        try:
            return await callback(update, context)
        except NoDraft:
            await answer(
                update,
                context,
                context.t._("There is no broadcast being written. Send /broadcast to start one."),
            )
            return ConversationHandler.END

    return step  # type: ignore[return-value]


async def _load_draft(update: Update, context: TidelineContext) -> tuple[User, Broadcast]:
    async with editing_draft(update, context) as (_, account, draft):
        return account, draft


@asynccontextmanager
async def editing_draft(
    update: Update, context: TidelineContext
) -> AsyncIterator[tuple[AsyncSession, User, Broadcast]]:
    session = await context.session()
    account = await account_of(session, update)
    draft = await broadcasts.current_draft(session, account)
    if draft is None:
        raise NoDraft
    yield session, account, draft


def _register_url(context: TidelineContext, draft: Broadcast) -> str | None:
    if draft.event_id is None:
        return None
    return context.services.deep_links.url(context.bot.username, deep_links.EVENT, draft.event_id)


def _zone(context: TidelineContext, account: User) -> str:
    return account.timezone or context.services.settings.DEFAULT_TIMEZONE


# -- texts -------------------------------------------------------------------------------------


def _language_keyboard(context: TidelineContext, action: str, marked: list[str]) -> Keyboard:
    buttons = [
        context.button(("✓ " if code in marked else "") + language.native_name, action, code)
        for code, language in LANGUAGES.items()
    ]
    return rows(buttons, 2)


@requires(Permission.ORGANIZE)
async def start(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    await broadcasts.start_draft(session, await account_of(session, update), context.now())
    # Progress watchers live in memory; a restart leaves running broadcasts unwatched until now.
    await live.watch_running(context.application, session)
    t = context.t
    await answer(
        update,
        context,
        t._("<b>New broadcast</b>")
        + "\n\n"
        + t._(
            "Write the message in as many languages as you can; everyone else gets the "
            "language you choose as the fallback. Which language do you write first?"
        ),
        _language_keyboard(context, LANGUAGE, []),
    )
    return Awaiting.LANGUAGE


@organizer_step
async def choose_language(update: Update, context: TidelineContext) -> Awaiting | None:
    (language,) = button_args(update)
    if language not in LANGUAGES:
        return None
    async with editing_draft(update, context) as (_, _account, draft):
        broadcasts.begin_text(draft, language, context.now())
    await answer(
        update,
        context,
        context.t._(
            "Type the message in {language}. Bold, italic and links you format are kept."
        ).format(language=context.t.language_name(language)),
        edit=True,
    )
    return Awaiting.TEXT


@organizer_step
async def type_text(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    room = broadcasts.text_room(live.longest_footer(context.services.catalogs))
    if broadcasts.utf16_length(message.text) > room:
        await answer(
            update,
            context,
            t.ngettext(
                "That is too long: please keep it under {count} character.",
                "That is too long: please keep it under {count} characters.",
                room,
            ).format(count=t.number(room)),
        )
        return None
    async with editing_draft(update, context) as (_, _account, draft):
        # text_html keeps the formatting the organizer applied and escapes everything else.
        language = broadcasts.save_text(draft, message.text_html, context.now())
        written = broadcasts.written_languages(draft)
    await answer(
        update,
        context,
        t._("Saved the text in {language}.").format(language=t.language_name(language))
        + "\n"
        + t._("Written so far: {languages}").format(languages=t.language_list(written)),
        [
            [context.button(t._("Add another language"), ANOTHER_LANGUAGE)],
            [context.button(t._("Continue"), TEXTS_DONE)],
        ],
    )
    return Awaiting.MORE_LANGUAGES


@organizer_step
async def add_language(update: Update, context: TidelineContext) -> Awaiting:
    _account, draft = await _load_draft(update, context)
    await answer(
        update,
        context,
        context.t._(
            "Which language next? A ✓ marks those written; choosing one again replaces it."
        ),
        _language_keyboard(context, LANGUAGE, broadcasts.written_languages(draft)),
        edit=True,
    )
    return Awaiting.LANGUAGE


@organizer_step
async def finish_texts(update: Update, context: TidelineContext) -> Awaiting:
    _account, draft = await _load_draft(update, context)
    written = broadcasts.written_languages(draft)
    if len(written) == 1:
        return await _ask_event(update, context)
    await answer(
        update,
        context,
        context.t._("People whose language is not among these get which text?"),
        [[context.button(LANGUAGES[code].native_name, FALLBACK, code)] for code in written],
        edit=True,
    )
    return Awaiting.FALLBACK


@organizer_step
async def choose_fallback(update: Update, context: TidelineContext) -> Awaiting | None:
    (language,) = button_args(update)
    async with editing_draft(update, context) as (_, _account, draft):
        if language not in broadcasts.written_languages(draft):
            return None
        broadcasts.set_fallback(draft, language, context.now())
    return await _ask_event(update, context)


# -- linked event ------------------------------------------------------------------------------


async def _ask_event(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    events = await broadcasts.upcoming_events(session, context.now())
    if not events:
        return await _show_audience(update, context, edit=True)
    t = context.t
    keyboard = [
        [context.button(audience.event_label(t, event), EVENT, event.id)] for event in events
    ]
    keyboard.append([context.button(t._("No event"), EVENT, NO_EVENT)])
    await answer(
        update,
        context,
        t._("Is this an invitation to an event? Recipients then get a Register button for it."),
        keyboard,
        edit=True,
    )
    return Awaiting.EVENT


@organizer_step
async def choose_event(update: Update, context: TidelineContext) -> Awaiting | None:
    event_id = int(button_args(update)[0])
    now = context.now()
    async with editing_draft(update, context) as (session, _account, draft):
        if event_id != NO_EVENT:
            upcoming = {event.id for event in await broadcasts.upcoming_events(session, now)}
            if event_id not in upcoming:
                await context.answer_query(
                    update, context.t._("That event is no longer open."), show_alert=True
                )
                return None
        broadcasts.link_event(draft, event_id or None, now)
    return await _show_audience(update, context, edit=True)


# -- audience ----------------------------------------------------------------------------------


async def _audience_lines(
    session: AsyncSession, t: Translator, draft: Broadcast, now: datetime
) -> list[str]:
    lines = [t._("<b>Audience</b>"), t._("Everyone who agreed to news and invitations")]
    lines += await audience.filter_lines(session, t, broadcasts.AudienceFilters.of(draft))
    size = await broadcasts.audience_size(session, draft, now)
    lines.append(
        t.ngettext(
            "It goes to <b>{count}</b> person.", "It goes to <b>{count}</b> people.", size
        ).format(count=t.number(size))
    )
    return lines


async def _show_audience(update: Update, context: TidelineContext, *, edit: bool) -> Awaiting:
    t = context.t
    async with editing_draft(update, context) as (session, _account, draft):
        lines = await _audience_lines(session, t, draft, context.now())

    def narrow(label: str, which: str) -> InlineKeyboardButton:
        return context.button(label, FILTER, which)

    keyboard = [
        [narrow(t._("Role"), Awaiting.ROLE), narrow(t._("Country"), Awaiting.COUNTRY)],
        [narrow(t._("City"), Awaiting.CITY), narrow(t._("Language"), Awaiting.AUDIENCE_LANGUAGE)],
        [
            narrow(t._("Event"), Awaiting.AUDIENCE_EVENT),
            narrow(t._("Companies"), Awaiting.COMPANIES),
        ],
        [narrow(t._("Everyone"), "clear")],
        [context.button(t._("Preview"), PREVIEW)],
    ]
    await answer(
        update,
        context,
        "\n".join(lines) + "\n\n" + t._("Narrow it down, or look at the preview."),
        keyboard,
        edit=edit,
    )
    return Awaiting.AUDIENCE


@organizer_step
async def choose_filter(update: Update, context: TidelineContext) -> Awaiting:
    (which,) = button_args(update)
    t = context.t
    if which == "clear":
        async with editing_draft(update, context) as (_, _account, draft):
            broadcasts.clear_filters(draft, context.now())
        return await _show_audience(update, context, edit=True)
    if which == Awaiting.ROLE:
        await answer(
            update,
            context,
            t._("Send it to which role?"),
            steps.stakeholder_keyboard(context, ROLE),
            edit=True,
        )
        return Awaiting.ROLE
    if which == Awaiting.COUNTRY:
        await answer(
            update,
            context,
            t._("Send it to people in which country? Tap it or type its name."),
            steps.country_keyboard(context, COUNTRY),
            edit=True,
        )
        return Awaiting.COUNTRY
    if which == Awaiting.CITY:
        await answer(update, context, t._("Send it to people in which city? Type its name."))
        return Awaiting.CITY
    if which == Awaiting.AUDIENCE_LANGUAGE:
        await answer(
            update,
            context,
            t._("Send it to people who use which language?"),
            _language_keyboard(context, AUDIENCE_LANGUAGE, []),
            edit=True,
        )
        return Awaiting.AUDIENCE_LANGUAGE
    if which == Awaiting.COMPANIES:
        await answer(
            update,
            context,
            t._(
                "Send it to the members of which companies of the pledge registry? For "
                "business roundtables, for example."
            ),
            audience.companies_keyboard(context, COMPANIES),
            edit=True,
        )
        return Awaiting.COMPANIES
    return await _ask_audience_event(update, context)


async def _ask_audience_event(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    session = await context.session()
    events = await broadcasts.audience_events(session)
    if not events:
        await context.answer_query(update, t._("There are no events yet."), show_alert=True)
        return Awaiting.AUDIENCE
    await answer(
        update,
        context,
        t._("People who registered for, attended or missed which event?"),
        [
            [context.button(audience.event_label(t, event), AUDIENCE_EVENT, event.id)]
            for event in events
        ],
        edit=True,
    )
    return Awaiting.AUDIENCE_EVENT


@organizer_step
async def choose_role(update: Update, context: TidelineContext) -> Awaiting:
    async with editing_draft(update, context) as (_, _account, draft):
        broadcasts.filter_role(draft, StakeholderRole(button_args(update)[0]), context.now())
    return await _show_audience(update, context, edit=True)


@organizer_step
async def choose_country(update: Update, context: TidelineContext) -> Awaiting:
    async with editing_draft(update, context) as (_, _account, draft):
        broadcasts.filter_country(draft, button_args(update)[0], context.now())
    return await _show_audience(update, context, edit=True)


@organizer_step
async def type_country(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    country = audience.country_named(context, message.text)
    if country is None:
        await answer(
            update,
            context,
            context.t._("I don't know that country. Please tap one of the buttons."),
            steps.country_keyboard(context, COUNTRY),
        )
        return None
    async with editing_draft(update, context) as (_, _account, draft):
        broadcasts.filter_country(draft, country, context.now())
    return await _show_audience(update, context, edit=False)


@organizer_step
async def type_city(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        async with editing_draft(update, context) as (_, _account, draft):
            broadcasts.filter_city(draft, message.text, context.now())
            cities = candidates(message.text, draft.audience_country)
    except InvalidText as problem:
        await answer(update, context, text_problem_message(context.t, problem))
        return None
    if cities:
        keyboard = city_choice.offer_keyboard(context, CITY_MATCH, cities)
        await answer(update, context, city_choice.offer_prompt(context.t), keyboard)
        return Awaiting.CITY
    return await _show_audience(update, context, edit=False)


@organizer_step
async def choose_city(update: Update, context: TidelineContext) -> Awaiting | None:
    geoname_id = city_choice.chosen_id(button_args(update))
    async with editing_draft(update, context) as (_, account, draft):
        if geoname_id is not None:
            broadcasts.choose_city(draft, geoname_id, account.language, context.now())
    return await _show_audience(update, context, edit=True)


@organizer_step
async def choose_audience_language(update: Update, context: TidelineContext) -> Awaiting | None:
    (language,) = button_args(update)
    if language not in LANGUAGES:
        return None
    async with editing_draft(update, context) as (_, _account, draft):
        broadcasts.filter_language(draft, language, context.now())
    return await _show_audience(update, context, edit=True)


@organizer_step
async def choose_audience_event(update: Update, context: TidelineContext) -> Awaiting:
    event_id = int(button_args(update)[0])
    t = context.t
    await answer(
        update,
        context,
        t._("Which of its people?"),
        audience.relation_keyboard(context, RELATION, event_id),
        edit=True,
    )
    return Awaiting.EVENT_RELATION


@organizer_step
async def choose_relation(update: Update, context: TidelineContext) -> Awaiting:
    event_id, relation = button_args(update)
    async with editing_draft(update, context) as (_, _account, draft):
        broadcasts.filter_event(draft, int(event_id), EventRelation(relation), context.now())
    return await _show_audience(update, context, edit=True)


@organizer_step
async def choose_companies(update: Update, context: TidelineContext) -> Awaiting:
    async with editing_draft(update, context) as (_, _account, draft):
        broadcasts.filter_companies(draft, CompanyAudience(button_args(update)[0]), context.now())
    return await _show_audience(update, context, edit=True)


# -- preview and sending -----------------------------------------------------------------------


@organizer_step
async def preview(update: Update, context: TidelineContext) -> Awaiting:
    chat = update.effective_chat
    assert chat is not None
    await context.answer_query(update)
    _account, draft = await _load_draft(update, context)
    url = _register_url(context, draft)
    catalogs = context.services.catalogs
    await answer(update, context, context.t._("<b>Preview</b> – exactly what recipients will get:"))
    for text in draft.texts:
        reader = catalogs.translator(text.language)
        unsubscribe = context.button(live.unsubscribe_label(reader), PREVIEW_UNSUBSCRIBE)
        keyboard = live.message_keyboard(reader, url, unsubscribe)
        await answer(update, context, live.message_text(draft, reader), keyboard)
    return await _show_summary(update, context, edit=False)


async def _show_summary(update: Update, context: TidelineContext, *, edit: bool) -> Awaiting:
    t = context.t
    async with editing_draft(update, context) as (session, _account, draft):
        lines_of_audience = await _audience_lines(session, t, draft, context.now())
        event = await session.get(Event, draft.event_id) if draft.event_id else None
    written = t.language_list(broadcasts.written_languages(draft))
    lines = [
        t._("Languages: {languages}").format(languages=written),
        t._("Everyone else gets: {language}").format(
            language=t.language_name(draft.fallback_language or "en")
        ),
    ]
    if event is not None:
        lines.append(
            t._("Register button for: {event}").format(event=escape(event_title(event, t.language)))
        )
    await answer(
        update,
        context,
        "\n".join([*lines, "", *lines_of_audience]),
        [
            [
                context.button(t._("Send now"), SEND_NOW),
                context.button(t._("Schedule"), SCHEDULE),
            ],
            [context.button(t._("Change the audience"), CHANGE_AUDIENCE)],
        ],
        edit=edit,
    )
    return Awaiting.SEND_CHOICE


@organizer_step
async def change_audience(update: Update, context: TidelineContext) -> Awaiting:
    return await _show_audience(update, context, edit=True)


async def _ask_confirmation(
    update: Update, context: TidelineContext, send_at: datetime | None, *, edit: bool
) -> Awaiting:
    t = context.t
    now = context.now()
    async with editing_draft(update, context) as (session, account, draft):
        size = await broadcasts.audience_size(session, draft, now)
    if send_at is None:
        question = t.ngettext(
            "Send it to {count} person now?", "Send it to {count} people now?", size
        ).format(count=t.number(size))
        stamp = SEND_AT_ONCE
    else:
        question = t.ngettext(
            "Send it to {count} person at {time}?", "Send it to {count} people at {time}?", size
        ).format(count=t.number(size), time=live.local_time(t, send_at, _zone(context, account)))
        stamp = int(send_at.timestamp())
    await answer(
        update,
        context,
        question,
        [
            [context.button(t._("Yes, send it"), CONFIRM, stamp)],
            [context.button(t._("Back"), BACK)],
        ],
        edit=edit,
    )
    return Awaiting.CONFIRMATION


@organizer_step
async def send_now(update: Update, context: TidelineContext) -> Awaiting:
    return await _ask_confirmation(update, context, None, edit=True)


def _time_example(context: TidelineContext, zone: str) -> str:
    tomorrow = context.now().astimezone(ZoneInfo(zone)) + timedelta(days=1)
    return tomorrow.replace(hour=9, minute=0).strftime(TIME_EXAMPLE_FORMAT)


@organizer_step
async def ask_time(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    account, _draft = await _load_draft(update, context)
    zone = _zone(context, account)
    await answer(
        update,
        context,
        t._(
            "When should it go out? Type the date and time in your time zone, {zone}, "
            "like this: {example}"
        ).format(
            zone=escape(t.zone_name(zone, context.now())), example=_time_example(context, zone)
        ),
        edit=True,
    )
    return Awaiting.SEND_TIME


@organizer_step
async def type_time(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    account, _draft = await _load_draft(update, context)
    zone = _zone(context, account)
    send_at = broadcasts.parse_local_time(message.text, zone)
    if send_at is None:
        await answer(
            update,
            context,
            t._("Please write the date and time like this: {example}").format(
                example=_time_example(context, zone)
            ),
        )
        return None
    if send_at <= context.now():
        await answer(update, context, t._("That time has passed. Please choose a later one."))
        return None
    return await _ask_confirmation(update, context, send_at, edit=False)


@organizer_step
async def back_to_summary(update: Update, context: TidelineContext) -> Awaiting:
    return await _show_summary(update, context, edit=True)


@organizer_step
async def confirm(update: Update, context: TidelineContext) -> int:
    stamp = int(button_args(update)[0])
    query = update.callback_query
    assert query is not None and query.message is not None
    now = context.now()
    send_at = now if stamp == SEND_AT_ONCE else datetime.fromtimestamp(stamp, UTC)
    async with editing_draft(update, context) as (session, _account, draft):
        await broadcasts.send(
            session, draft, send_at=send_at, register_url=_register_url(context, draft), now=now
        )
        # The confirmation message becomes the live progress message.
        broadcasts.set_progress_message(draft, query.message.chat.id, query.message.message_id)
        broadcast_id = draft.id
    await context.answer_query(update, context.t._("On its way."))
    await context.send(lambda: live.refresh_progress(context.application, broadcast_id))
    live.watch(context.application.job_queue, broadcast_id)
    wake(context.application)
    return ConversationHandler.END


async def cancel(update: Update, context: TidelineContext) -> int:
    session = await context.session()
    await broadcasts.discard_draft(session, await account_of(session, update))
    await answer(update, context, context.t._("Cancelled. Nothing was sent."))
    return ConversationHandler.END


# -- buttons that work at any time -------------------------------------------------------------


@requires(Permission.ORGANIZE)
async def explain_preview_unsubscribe(update: Update, context: TidelineContext) -> None:
    await context.answer_query(
        update,
        context.t._("Recipients use this button to stop getting news and invitations."),
        show_alert=True,
    )


async def _control(update: Update, context: TidelineContext, action, done: str) -> None:  # type: ignore[no-untyped-def]
    broadcast_id = int(button_args(update)[0])
    session = await context.session()
    broadcast = await broadcasts.find_broadcast(session, broadcast_id)
    changed = broadcast is not None and await action(session, broadcast, context.now())
    t = context.t
    await context.answer_query(update, done if changed else t._("Nothing to change."))
    await context.send(lambda: live.refresh_progress(context.application, broadcast_id))
    live.watch(context.application.job_queue, broadcast_id)
    if changed:
        wake(context.application)


@requires(Permission.ORGANIZE)
async def pause(update: Update, context: TidelineContext) -> None:
    await _control(update, context, broadcasts.pause, context.t._("Paused."))


@requires(Permission.ORGANIZE)
async def resume(update: Update, context: TidelineContext) -> None:
    await _control(update, context, broadcasts.resume, context.t._("Resumed."))


@requires(Permission.ORGANIZE)
async def stop(update: Update, context: TidelineContext) -> None:
    await _control(update, context, broadcasts.cancel, context.t._("Cancelled."))


def build_broadcast() -> ConversationHandler:
    not_command = ~filters.COMMAND
    typed = filters.TEXT & not_command
    wants_buttons: Handler = MessageHandler(not_command, expect_buttons)
    wants_text: Handler = MessageHandler(not_command, expect_text)

    def reads(text_filter: filters.BaseFilter, callback: Callable[..., Any]) -> Handler:
        return MessageHandler(text_filter, callback)

    def button(action: str, callback: Callable[..., Coroutine[Any, Any, Any]]) -> Handler:
        return CallbackQueryHandler(callback, pattern=action_pattern(action))

    return ConversationHandler(
        name="broadcast",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("broadcast", start),
            # Buttons on progress messages and delivered broadcasts stay live long after any
            # conversation: they change no state, whatever step the person is at.
            button(live.PAUSE, pause),
            button(live.RESUME, resume),
            button(live.STOP, stop),
            button(live.UNSUBSCRIBE, live.unsubscribe),
            button(PREVIEW_UNSUBSCRIBE, explain_preview_unsubscribe),
        ],
        states={
            Awaiting.LANGUAGE: [button(LANGUAGE, choose_language), wants_buttons],
            Awaiting.TEXT: [reads(typed, type_text), wants_text],
            Awaiting.MORE_LANGUAGES: [
                button(ANOTHER_LANGUAGE, add_language),
                button(TEXTS_DONE, finish_texts),
                wants_buttons,
            ],
            Awaiting.FALLBACK: [button(FALLBACK, choose_fallback), wants_buttons],
            Awaiting.EVENT: [button(EVENT, choose_event), wants_buttons],
            Awaiting.AUDIENCE: [
                button(FILTER, choose_filter),
                button(PREVIEW, preview),
                wants_buttons,
            ],
            Awaiting.ROLE: [button(ROLE, choose_role), wants_buttons],
            Awaiting.COUNTRY: [
                button(COUNTRY, choose_country),
                reads(typed, type_country),
                wants_text,
            ],
            Awaiting.CITY: [reads(typed, type_city), button(CITY_MATCH, choose_city), wants_text],
            Awaiting.AUDIENCE_LANGUAGE: [
                button(AUDIENCE_LANGUAGE, choose_audience_language),
                wants_buttons,
            ],
            Awaiting.AUDIENCE_EVENT: [button(AUDIENCE_EVENT, choose_audience_event), wants_buttons],
            Awaiting.EVENT_RELATION: [button(RELATION, choose_relation), wants_buttons],
            Awaiting.COMPANIES: [button(COMPANIES, choose_companies), wants_buttons],
            Awaiting.SEND_CHOICE: [
                button(SEND_NOW, send_now),
                button(SCHEDULE, ask_time),
                button(CHANGE_AUDIENCE, change_audience),
                wants_buttons,
            ],
            Awaiting.SEND_TIME: [reads(typed, type_time), wants_text],
            Awaiting.CONFIRMATION: [
                button(CONFIRM, confirm),
                button(BACK, back_to_summary),
                wants_buttons,
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(
                requires(Permission.ORGANIZE)(earlier_step_button), pattern=r"^bc\."
            ),
        ],
    )
