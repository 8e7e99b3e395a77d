"""/organize: organizers create events with a wizard and manage their events in the chat.

The whole flow is declared in ``build_organize``. Answers given before the draft event exists are
kept in the organizer's notes (handlers.organize_steps), so a restart loses nothing; once the
wizard has everything an event needs, a draft event is created and the summary's options change
it directly. Every button that names an event is an entry point, so it works from any message,
and every one checks server side who may use it. Approve/Reject on approval requests arrive
outside the conversation: ``build_approvals``.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.geography import derive_timezone, zones_for
from accounts.models import User
from accounts.service import Permission, find_person
from events import export, organizing
from events.models import (
    ACTIVE,
    Event,
    EventKind,
    EventStatus,
    QuestionKind,
    Registration,
    RegistrationMode,
    RegistrationStatus,
)
from events.service import (
    EventDraft,
    EventRefused,
    Refusal,
    attended_count,
    can_create_events,
    cancel_event,
    change_capacity,
    create_event,
    decide,
    event_registrations,
    find_event,
    find_registration,
    is_organizer_of,
    mark_attendance,
    move_venue,
    organized_by,
    publish_event,
    reschedule_event,
    status_counts,
)
from handlers.kit import actions as shared
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer, requires
from handlers.kit.keyboards import Keyboard
from handlers.kit.reprompts import (
    earlier_step_button,
    expect_buttons,
    expect_text,
    out_of_date_notice,
)
from handlers.organize import steps
from i18n import LANGUAGES, Translator


class Awaiting(StrEnum):
    """What the bot waits for from the organizer."""

    # The new event wizard, in order.
    KIND = "kind"
    TITLE = "title"
    DESCRIPTION = "description"
    VENUE_NAME = "venue_name"
    ADDRESS = "address"
    LOCATION = "location"
    COUNTRY = "country"
    CITY = "city"
    TIMEZONE = "timezone"
    START = "start"
    END = "end"
    CAPACITY = "capacity"
    REGISTRATION_MODE = "registration_mode"
    INVITE_CODE = "invite_code"
    # The draft's summary and its options.
    SUMMARY_CHOICE = "summary_choice"
    TEXT_LANGUAGE = "text_language"
    TRANSLATED_TITLE = "translated_title"
    TRANSLATED_DESCRIPTION = "translated_description"
    QUESTION_KIND = "question_kind"
    QUESTION_PROMPT = "question_prompt"
    QUESTION_CHOICES = "question_choices"
    QUESTION_LANGUAGE = "question_language"
    REGISTRATION_DEADLINE = "registration_deadline"
    CANCELLATION_DEADLINE = "cancellation_deadline"
    CHECKIN_RADIUS = "checkin_radius"
    REMINDER_MINUTES = "reminder_minutes"
    CO_ORGANIZER = "co_organizer"
    # Editing an event.
    NEW_START = "new_start"
    NEW_END = "new_end"
    NEW_VENUE_NAME = "new_venue_name"
    NEW_ADDRESS = "new_address"
    NEW_LOCATION = "new_location"
    NEW_CAPACITY = "new_capacity"


# Buttons of one wizard step (state handlers); a stale one gets "belongs to an earlier step".
KIND = "ow.kind"  # kind
SKIP = "ow.skip"
COUNTRY = "ow.country"  # country code
ZONE = "ow.tz"  # zone
MODE = "ow.mode"  # registration mode
LANGUAGE = "ow.lang"  # language code
QUESTION_KIND = "ow.qkind"  # question kind
QUESTION_DONE = "ow.qdone"
NO_VALUE = "ow.none"
# Buttons that name what they act on (entry points, usable from any message).
NEW = "om.new"
RESUME = "om.resume"
LIST = "om.ls"  # page
CARD = "om.ev"  # event id
SUMMARY = "om.sum"  # event id
OPTION = "om.opt"  # event id, option (an Awaiting value)
SAVE = "om.save"  # event id
DROP_QUESTION = "om.dropq"  # event id
PUBLISH = "om.pub"  # event id
VIEW = "om.rl"  # event id, view, page
TICK = "om.tk"  # registration id, page, TICK_INTENT or UNTICK
TICK_INTENT, UNTICK = "tick", "untick"
CSV = "om.csv"  # event id
XLSX = "om.xlsx"  # event id
EDIT = "om.edit"  # event id
EDIT_FIELD = "om.ef"  # event id, field (an Awaiting value)
CANCEL = "om.cancel"  # event id
CANCEL_SURE = "om.cancel2"  # event id

EVENTS_PER_PAGE = 5
PEOPLE_PER_PAGE = 10

# What each registration list shows.
REGISTRATIONS, WAITLIST, PENDING = "reg", "wait", "pend"
VIEW_STATUSES: dict[str, tuple[RegistrationStatus, ...]] = {
    REGISTRATIONS: (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED),
    WAITLIST: (RegistrationStatus.WAITLISTED,),
    PENDING: (RegistrationStatus.PENDING,),
}

# Which wizard answer each step gives.
FIELD_STEPS: dict[str, Awaiting] = {
    "kind": Awaiting.KIND,
    "title": Awaiting.TITLE,
    "description": Awaiting.DESCRIPTION,
    "venue_name": Awaiting.VENUE_NAME,
    "address": Awaiting.ADDRESS,
    "location": Awaiting.LOCATION,
    "country": Awaiting.COUNTRY,
    "city": Awaiting.CITY,
    "timezone": Awaiting.TIMEZONE,
    "starts_at": Awaiting.START,
    "ends_at": Awaiting.END,
    "capacity": Awaiting.CAPACITY,
    "registration_mode": Awaiting.REGISTRATION_MODE,
    "invite_code": Awaiting.INVITE_CODE,
}
SUMMARY_OPTIONS = (
    Awaiting.TEXT_LANGUAGE,
    Awaiting.QUESTION_KIND,
    Awaiting.REGISTRATION_DEADLINE,
    Awaiting.CANCELLATION_DEADLINE,
    Awaiting.CHECKIN_RADIUS,
    Awaiting.REMINDER_MINUTES,
    Awaiting.CO_ORGANIZER,
)
EDIT_FIELDS = (Awaiting.NEW_START, Awaiting.NEW_VENUE_NAME, Awaiting.NEW_CAPACITY)

Next = Awaiting | int | None


@dataclass
class Screen:
    """What to show and which state the conversation moves to."""

    text: str
    keyboard: Keyboard | None = None
    state: Next = None
    alert: bool = False  # a refusal: answer the button with an alert, change nothing
    document: tuple[bytes, str] | None = None


class Refused(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass
class Step:
    """One update's view of the organizer: the open transaction, their account and notes."""

    context: TidelineContext
    session: AsyncSession
    account: User
    notes: dict[str, Any]
    now: datetime

    @property
    def t(self) -> Translator:
        return self.context.t

    @property
    def admins(self) -> frozenset[int]:
        return self.context.services.settings.ADMIN_IDS


async def _run(
    update: Update,
    context: TidelineContext,
    work: Callable[[Step], Awaitable[Screen]],
    *,
    edit: bool = True,
) -> Next:
    """Runs ``work`` in one transaction with the organizer's notes, then shows its screen."""
    key = steps.notes_key(update)
    try:
        session = await context.session()
        account = await account_of(session, update)
        step = Step(context, session, account, await steps.load_notes(session, key), context.now())
        screen = await work(step)
        await steps.save_notes(session, key, step.notes)
    except Refused as refusal:
        # A refused typed answer ends the step: what it was about is gone or closed.
        screen = Screen(refusal.text, alert=True, state=ConversationHandler.END)
    except steps.Invalid as problem:
        screen = Screen(problem.message)
    if screen.alert and update.callback_query is not None:
        await context.answer_query(update, screen.text, show_alert=True)
        return None  # a refused button changes nothing, not even the step
    await answer(update, context, screen.text, screen.keyboard, edit=edit)
    if screen.document is not None:
        data, filename = screen.document
        chat = update.effective_chat
        assert chat is not None
        await context.send(
            lambda: context.bot.send_document(chat.id, document=data, filename=filename)
        )
    return screen.state


def _refusal_text(t: Translator, refusal: Refusal) -> str:
    texts = {
        Refusal.CANCELLED: t._("This event has been cancelled, so it can no longer be changed."),
        Refusal.ALREADY_DECIDED: t._("This was already decided by another organizer."),
        Refusal.NOT_ALLOWED: t._("Only the organizers of this event can do that."),
        Refusal.NOT_CONFIRMED: t._("Only people with a confirmed seat can be ticked off."),
        Refusal.OUTSIDE_WINDOW: t._(
            "Attendance can be recorded from the day before the event until six hours after "
            "it ends."
        ),
    }
    return texts.get(refusal, t._("That is no longer possible."))


async def _managed(step: Step, event_id: int, *, changing: bool) -> Event:
    """The event, if this person organizes it; ``changing`` also refuses closed events."""
    t = step.t
    event = await find_event(step.session, event_id)
    if event is None:
        raise Refused(t._("That event no longer exists."))
    if not is_organizer_of(event, step.account, step.admins):
        raise Refused(t._("Only the organizers of this event can do that."))
    if changing and event.status == EventStatus.CANCELLED:
        raise Refused(t._("This event has been cancelled, so it can no longer be changed."))
    over = event.status == EventStatus.COMPLETED or event.ends_at <= step.now
    if changing and over and event.status != EventStatus.DRAFT:
        raise Refused(t._("This event is over, so it can no longer be changed."))
    return event


async def _focused(step: Step) -> Event:
    """The event a typed answer is about (remembered in the notes when the step was asked)."""
    if "event_id" not in step.notes:
        raise Refused(step.t._("That step is over. Send /organize to start again."))
    return await _managed(step, int(step.notes["event_id"]), changing=True)


def _focus(step: Step, event: Event, **scratch: object) -> None:
    """From now on typed answers are about ``event``; an unfinished wizard's answers stay."""
    step.notes = {**steps.wizard_answers(step.notes), "event_id": event.id, **scratch}


def _int_args(update: Update) -> list[int]:
    return [int(arg) for arg in button_args(update) if arg.lstrip("-").isdigit()]


# ---- screens --------------------------------------------------------------------------------


async def _list_screen(step: Step, page: int, notice: str | None = None) -> Screen:
    context, t = step.context, step.t
    events = await organized_by(step.session, step.account, step.admins, now=step.now)
    pages = max((len(events) + EVENTS_PER_PAGE - 1) // EVENTS_PER_PAGE, 1)
    page = min(max(page, 0), pages - 1)
    shown = events[page * EVENTS_PER_PAGE : (page + 1) * EVENTS_PER_PAGE]
    lines = [notice] if notice else []
    lines.append(t._("<b>Your events</b>"))
    if not events:
        lines.append(t._("You have no events yet. Tap New event to create one."))
    elif pages > 1:
        lines.append(
            t._("Page {page} of {pages}").format(page=t.number(page + 1), pages=t.number(pages))
        )
    keyboard: Keyboard = [[context.button(t._("➕ New event"), NEW)]]
    answers = steps.wizard_answers(step.notes)
    if answers:
        title = answers.get("title") or t._("untitled")
        keyboard.append([context.button(t._("Continue: {title}").format(title=title)[:60], RESUME)])
    for event in shown:
        label = "{title} · {day} · {status}".format(
            title=steps.event_title(event, t.language)[:28],
            day=t.date(event.starts_at, event.timezone, "short"),
            status=t._(steps.EVENT_STATUS_LABELS[event.status]),
        )
        keyboard.append([context.button(label, CARD, event.id)])
    paging = steps.paging_row(context, page, pages, LIST)
    if paging:
        keyboard.append(paging)
    return Screen("\n".join(lines), keyboard)


async def _card_screen(
    step: Step, event: Event, notice: str | None = None, state: Next = None
) -> Screen:
    context, t = step.context, step.t
    lines = [notice, ""] if notice else []
    lines += steps.event_details(t, event)
    if event.status != EventStatus.DRAFT:
        counts = await status_counts(step.session, event)
        lines += steps.counts_lines(t, counts, await attended_count(step.session, event))
    back = [context.button(t._("« My events"), LIST, 0)]
    if event.status == EventStatus.DRAFT:
        keyboard = [
            [
                context.button(t._("Continue editing"), SUMMARY, event.id),
                context.button(t._("Publish"), PUBLISH, event.id),
            ],
            [
                context.button(t._("Edit"), EDIT, event.id),
                context.button(t._("Discard draft"), CANCEL, event.id),
            ],
            back,
        ]
        return Screen("\n".join(lines), keyboard, state)
    keyboard = [
        [
            context.button(t._("Registrations"), VIEW, event.id, REGISTRATIONS, 0),
            context.button(t._("Waitlist"), VIEW, event.id, WAITLIST, 0),
        ],
        [context.button(t._("Pending approvals"), VIEW, event.id, PENDING, 0)],
        [
            context.button(t._("Export CSV"), CSV, event.id),
            context.button(t._("Export XLSX"), XLSX, event.id),
        ],
    ]
    if event.status == EventStatus.PUBLISHED and event.ends_at > step.now:
        keyboard.append(
            [
                context.button(t._("Edit"), EDIT, event.id),
                context.button(t._("Cancel event"), CANCEL, event.id),
            ]
        )
    keyboard.append(back)
    return Screen("\n".join(lines), keyboard, state)


async def _co_organizers(step: Step, event: Event) -> list[User]:
    ids = [link.user_id for link in event.organizers if link.user_id != event.created_by]
    if not ids:
        return []
    return list(await step.session.scalars(select(User).where(User.id.in_(ids))))


async def _summary_screen(step: Step, event: Event, notice: str | None = None) -> Screen:
    if event.status != EventStatus.DRAFT:
        # A published event edited from its card (texts in other languages) goes back there.
        return await _card_screen(step, event, notice, ConversationHandler.END)
    context, t = step.context, step.t
    _focus(step, event)
    lines = [notice, ""] if notice else []
    lines.append(
        t._(
            "<b>Almost done.</b> Check the event, add anything else it needs, then publish it "
            "or save it as a draft."
        )
    )
    lines += ["", *steps.event_details(t, event)]
    lines += steps.draft_details(t, event, await _co_organizers(step, event))
    labels = {
        Awaiting.TEXT_LANGUAGE: t._("Add another language"),
        Awaiting.QUESTION_KIND: t._("Add a question"),
        Awaiting.REGISTRATION_DEADLINE: t._("Registration deadline"),
        Awaiting.CANCELLATION_DEADLINE: t._("Cancellation deadline"),
        Awaiting.CHECKIN_RADIUS: t._("Self check-in radius"),
        Awaiting.REMINDER_MINUTES: t._("Reminder time"),
        Awaiting.CO_ORGANIZER: t._("Add co-organizer"),
    }
    buttons = [
        context.button(labels[option], OPTION, event.id, option) for option in SUMMARY_OPTIONS
    ]
    keyboard = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    if event.questions:
        keyboard.append([context.button(t._("Remove the last question"), DROP_QUESTION, event.id)])
    keyboard.append(
        [
            context.button(t._("✅ Publish"), PUBLISH, event.id),
            context.button(t._("Save as draft"), SAVE, event.id),
        ]
    )
    return Screen("\n".join(lines), keyboard, Awaiting.SUMMARY_CHOICE)


def _zone_of(step: Step) -> str:
    return str(step.notes.get("timezone") or step.context.services.settings.DEFAULT_TIMEZONE)


def _wizard_prompt(step: Step, state: Awaiting) -> Screen:
    """The question of one wizard step (answers so far are in the notes)."""
    context, t, notes = step.context, step.t, step.notes
    skip = [[context.button(t._("Skip"), SKIP)]]
    if state == Awaiting.KIND:
        keyboard = [
            [context.button(t._(label), KIND, kind.value)]
            for kind, label in steps.KIND_LABELS.items()
        ]
        return Screen(t._("<b>New event</b>\nWhat kind of event is it?"), keyboard, state)
    if state == Awaiting.TITLE:
        text = t._(
            "What is the event's title? Write it in {language}; you can add other languages "
            "before publishing."
        ).format(language=LANGUAGES[step.account.language].native_name)
        return Screen(text, None, state)
    if state == Awaiting.DESCRIPTION:
        text = t._("Describe the event in a few sentences (up to 2,000 characters), or skip this.")
        return Screen(text, skip, state)
    if state == Awaiting.VENUE_NAME:
        return Screen(t._("What is the venue called?"), None, state)
    if state == Awaiting.ADDRESS:
        return Screen(t._("What is the venue's address?"), None, state)
    if state == Awaiting.LOCATION:
        return Screen(_location_prompt(t), None, state)
    if state == Awaiting.COUNTRY:
        return Screen(
            t._("Which country is it in?"), steps.country_keyboard(context, COUNTRY), state
        )
    if state == Awaiting.CITY:
        return Screen(t._("Which city or town is it in?"), None, state)
    if state == Awaiting.TIMEZONE:
        derived = derive_timezone(notes.get("country"), notes.get("city"), _zone_of(step))
        zones = sorted(zones_for(notes.get("country")), key=lambda zone: zone != derived)
        keyboard = [[context.button(t.zone_name(zone, step.now), ZONE, zone)] for zone in zones]
        return Screen(t._("Which time zone are the event's times in?"), keyboard, state)
    if state == Awaiting.START:
        return Screen(_start_prompt(step, _zone_of(step)), None, state)
    if state == Awaiting.END:
        return Screen(_end_prompt(t), None, state)
    if state == Awaiting.CAPACITY:
        text = t._("How many people can take part? Type a number from {low} to {high}.").format(
            low=t.number(steps.CAPACITY_MIN), high=t.number(steps.CAPACITY_MAX)
        )
        return Screen(text, None, state)
    if state == Awaiting.REGISTRATION_MODE:
        keyboard = [
            [context.button(t._(label), MODE, mode.value)]
            for mode, label in steps.MODE_LABELS.items()
        ]
        return Screen(t._("How do people register?"), keyboard, state)
    assert state == Awaiting.INVITE_CODE
    text = t._("Type the invite code people must enter to register (up to 64 characters).")
    return Screen(text, None, state)


def _location_prompt(t: Translator) -> str:
    return t._(
        "Where exactly is it? Share a location pin (📎 → Location), or type the coordinates as "
        "latitude, longitude – for example 13.7563, 100.5018."
    )


def _start_prompt(step: Step, zone: str) -> str:
    t = step.t
    return t._(
        "When does it start? Type the local date and time in {zone} as YYYY-MM-DD HH:MM, "
        "for example {example}."
    ).format(zone=escape(t.zone_name(zone, step.now)), example=steps.example_start(step.now, zone))


def _end_prompt(t: Translator) -> str:
    return t._(
        "When does it end? Type the time as HH:MM if it ends the same day, or the date and time "
        "as YYYY-MM-DD HH:MM."
    )


def _next_wizard_step(notes: dict[str, Any]) -> Awaiting | None:
    for name, state in FIELD_STEPS.items():
        if name not in notes:
            return state
    return None


async def _advance_wizard(step: Step) -> Screen:
    """Asks the first question not answered yet, or creates the draft and shows its summary."""
    state = _next_wizard_step(step.notes)
    if state is not None:
        return _wizard_prompt(step, state)
    notes, account = step.notes, step.account
    latitude, longitude = notes["location"]
    draft = EventDraft(
        kind=EventKind(notes["kind"]),
        texts={account.language: (notes["title"], notes["description"])},
        fallback_language=account.language,
        venue_name=notes["venue_name"],
        address=notes["address"],
        latitude=latitude,
        longitude=longitude,
        country=notes["country"],
        city=notes["city"],
        timezone=notes["timezone"],
        starts_at=datetime.fromisoformat(notes["starts_at"]),
        ends_at=datetime.fromisoformat(notes["ends_at"]),
        capacity=notes["capacity"],
        registration_mode=RegistrationMode(notes["registration_mode"]),
        invite_code=notes["invite_code"],
    )
    event = await create_event(step.session, draft, creator=account, now=step.now, publish=False)
    step.notes = {}
    return await _summary_screen(step, event)


def _retry(step: Step, problem: steps.Invalid, screen: Screen) -> Screen:
    """The problem, then the same question again; earlier answers stay as they were."""
    return Screen(problem.message + "\n\n" + screen.text, screen.keyboard, None)


# ---- /organize and the wizard ---------------------------------------------------------------


@requires(Permission.ORGANIZE)
async def organize(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        return await _list_screen(step, 0)

    await _run(update, context, work, edit=False)
    return ConversationHandler.END


@requires(Permission.ORGANIZE)
async def show_list(update: Update, context: TidelineContext) -> Next:
    (page,) = _int_args(update)

    async def work(step: Step) -> Screen:
        return await _list_screen(step, page)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def new_event(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        step.notes = {}
        return _wizard_prompt(step, Awaiting.KIND)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def resume(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        step.notes = steps.wizard_answers(step.notes)
        return await _advance_wizard(step)

    return await _run(update, context, work)


def _wizard_button(name: str, value_of: Callable[[Step, str], Any]) -> Callable[..., Any]:
    """A wizard step answered with a button: store the value, ask the next question."""

    @requires(Permission.ORGANIZE)
    async def chosen(update: Update, context: TidelineContext) -> Next:
        (raw,) = button_args(update)

        async def work(step: Step) -> Screen:
            step.notes[name] = value_of(step, raw)
            if name == "registration_mode" and raw != RegistrationMode.INVITE_CODE:
                step.notes["invite_code"] = None
            return await _advance_wizard(step)

        return await _run(update, context, work)

    return chosen


def _parse_wizard_text(step: Step, state: Awaiting, text: str) -> None:
    t, notes = step.t, step.notes
    if state == Awaiting.TITLE:
        notes["title"] = steps.parse_line(t, text, steps.TITLE_MAX)
    elif state == Awaiting.DESCRIPTION:
        notes["description"] = steps.parse_description(t, text)
    elif state == Awaiting.VENUE_NAME:
        notes["venue_name"] = steps.parse_line(t, text, steps.VENUE_MAX)
    elif state == Awaiting.ADDRESS:
        notes["address"] = steps.parse_line(t, text, steps.ADDRESS_MAX)
    elif state == Awaiting.LOCATION:
        notes["location"] = list(steps.parse_coordinates(t, text))
    elif state == Awaiting.CITY:
        notes["city"] = steps.parse_line(t, text, steps.CITY_MAX)
        zones = zones_for(notes.get("country"))
        if len(zones) == 1:
            notes["timezone"] = zones[0]
        else:
            notes.pop("timezone", None)
    elif state == Awaiting.START:
        notes["starts_at"] = steps.parse_start(t, text, _zone_of(step), step.now).isoformat()
        notes.pop("ends_at", None)
    elif state == Awaiting.END:
        start = datetime.fromisoformat(notes["starts_at"])
        notes["ends_at"] = steps.parse_end(t, text, _zone_of(step), start).isoformat()
    elif state == Awaiting.CAPACITY:
        notes["capacity"] = steps.parse_whole_number(
            t, text, steps.CAPACITY_MIN, steps.CAPACITY_MAX
        )
    elif state == Awaiting.INVITE_CODE:
        notes["invite_code"] = steps.parse_line(t, text, steps.INVITE_CODE_MAX)


def _wizard_text(state: Awaiting) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def typed(update: Update, context: TidelineContext) -> Next:
        message = update.effective_message
        assert message is not None and message.text is not None
        text = message.text

        async def work(step: Step) -> Screen:
            try:
                _parse_wizard_text(step, state, text)
            except steps.Invalid as problem:
                return _retry(step, problem, _wizard_prompt(step, state))
            return await _advance_wizard(step)

        return await _run(update, context, work, edit=False)

    return typed


@requires(Permission.ORGANIZE)
async def skip_description(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        step.notes["description"] = ""
        return await _advance_wizard(step)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def shared_location(update: Update, context: TidelineContext) -> Next:
    message = update.effective_message
    assert message is not None and message.location is not None
    location = message.location

    async def work(step: Step) -> Screen:
        step.notes["location"] = [location.latitude, location.longitude]
        return await _advance_wizard(step)

    return await _run(update, context, work, edit=False)


async def expect_location(update: Update, context: TidelineContext) -> None:
    await answer(
        update,
        context,
        context.t._("Please share a location pin or type the coordinates, or send /cancel to stop.")
        + "\n\n"
        + _location_prompt(context.t),
    )


# ---- the summary's options ------------------------------------------------------------------


def _option_prompt(step: Step, event: Event, state: Awaiting) -> Screen:
    context, t, notes = step.context, step.t, step.notes
    language = LANGUAGES[notes.get("language") or event.fallback_language].native_name
    none_button = [[context.button(t._("No deadline"), NO_VALUE)]]
    written = [text.language for text in event.texts]
    if state == Awaiting.TEXT_LANGUAGE:
        text = t._(
            "Which language do you want to add? Languages already written are marked ✓; "
            "choosing one again replaces it."
        )
        # The main language is offered too, so its title can be corrected after publishing.
        keyboard = steps.language_keyboard(context, LANGUAGE, written, skip="")
        return Screen(text, keyboard, state)
    if state == Awaiting.TRANSLATED_TITLE:
        return Screen(t._("Type the title in {language}.").format(language=language), None, state)
    if state == Awaiting.TRANSLATED_DESCRIPTION:
        text = t._("Type the description in {language}, or skip it.").format(language=language)
        return Screen(text, [[context.button(t._("Skip"), SKIP)]], state)
    if state == Awaiting.QUESTION_KIND:
        keyboard = [
            [context.button(t._("Free text"), QUESTION_KIND, QuestionKind.TEXT.value)],
            [context.button(t._("A choice from a list"), QUESTION_KIND, QuestionKind.CHOICE.value)],
        ]
        text = t._("People answer this question when they register. How do they answer it?")
        return Screen(text, keyboard, state)
    question = (
        organizing.question_at(event, int(notes["question"])) if "question" in notes else None
    )
    original = question.texts.get(event.fallback_language) if question else None
    if state == Awaiting.QUESTION_PROMPT:
        text = t._("Type the question in {language}.").format(language=language)
        if original:
            text += "\n\n" + escape(str(original["prompt"]))
        return Screen(text, None, state)
    if state == Awaiting.QUESTION_CHOICES:
        text = t._("Type the choices in {language}, one per line (from 2 to 10).").format(
            language=language
        )
        if original:
            text += "\n\n" + escape("\n".join(original["choices"]))
        return Screen(text, None, state)
    if state == Awaiting.QUESTION_LANGUAGE:
        assert question is not None
        text = t._("Question saved. Add it in another language, or tap Done.")
        keyboard = steps.language_keyboard(
            context, LANGUAGE, list(question.texts), event.fallback_language
        )
        keyboard.append([context.button(t._("Done"), QUESTION_DONE)])
        return Screen(text, keyboard, state)
    zone = escape(t.zone_name(event.timezone, step.now))
    if state == Awaiting.REGISTRATION_DEADLINE:
        text = t._(
            "Until when may people register? Type a local date and time in {zone} as "
            "YYYY-MM-DD HH:MM, before the start, or tap No deadline."
        ).format(zone=zone)
        return Screen(text, none_button, state)
    if state == Awaiting.CANCELLATION_DEADLINE:
        text = t._(
            "Until when may people cancel and free their seat? Type a local date and time in "
            "{zone} as YYYY-MM-DD HH:MM, before the start, or tap No deadline."
        ).format(zone=zone)
        return Screen(text, none_button, state)
    if state == Awaiting.CHECKIN_RADIUS:
        text = t._(
            "People can check themselves in by sharing their live location near the venue "
            "during the event. Within how many metres? Type a number from {low} to {high}, or "
            "tap Off."
        ).format(low=t.number(steps.RADIUS_MIN), high=t.number(steps.RADIUS_MAX))
        return Screen(text, [[context.button(t._("Off"), NO_VALUE)]], state)
    if state == Awaiting.REMINDER_MINUTES:
        text = t._(
            "How many minutes before the start should the reminder go out? Type a number from "
            "{low} to {high}; it is {current} now."
        ).format(
            low=t.number(steps.REMINDER_MIN),
            high=t.number(steps.REMINDER_MAX),
            current=t.number(event.reminder_minutes_before),
        )
        return Screen(text, None, state)
    assert state == Awaiting.CO_ORGANIZER
    text = t._(
        "Who organizes this event with you? Type their @username or Telegram user id. They "
        "need the organizer role and must have started the bot."
    )
    return Screen(text, None, state)


@requires(Permission.ORGANIZE)
async def choose_option(update: Update, context: TidelineContext) -> Next:
    event_id, option = button_args(update)

    async def work(step: Step) -> Screen:
        event = await _managed(step, int(event_id), changing=True)
        _focus(step, event)
        return _option_prompt(step, event, Awaiting(option))

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def show_summary(update: Update, context: TidelineContext) -> Next:
    (event_id,) = _int_args(update)

    async def work(step: Step) -> Screen:
        event = await _managed(step, event_id, changing=True)
        if event.status != EventStatus.DRAFT:
            return await _card_screen(step, event)
        return await _summary_screen(step, event)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def choose_language(update: Update, context: TidelineContext) -> Next:
    """A language for the event's texts, or for the question being written."""
    (language,) = button_args(update)

    async def work(step: Step) -> Screen:
        event = await _focused(step)
        step.notes["language"] = language
        following = (
            Awaiting.QUESTION_PROMPT if "question" in step.notes else Awaiting.TRANSLATED_TITLE
        )
        return _option_prompt(step, event, following)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def choose_question_kind(update: Update, context: TidelineContext) -> Next:
    (kind,) = button_args(update)

    async def work(step: Step) -> Screen:
        event = await _focused(step)
        _focus(step, event, question_kind=kind)
        return _option_prompt(step, event, Awaiting.QUESTION_PROMPT)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def question_done(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        return await _summary_screen(step, await _focused(step))

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def skip_translated_description(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        event = await _focused(step)
        # Skipping while rewriting a language keeps the description it already has.
        language = str(step.notes["language"])
        kept = next((text.description for text in event.texts if text.language == language), "")
        return await _save_translation(step, event, kept)

    return await _run(update, context, work)


def _no_value_for(option: Awaiting) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def chosen(update: Update, context: TidelineContext) -> Next:
        async def work(step: Step) -> Screen:
            event = await _focused(step)
            if option == Awaiting.REGISTRATION_DEADLINE:
                organizing.set_registration_deadline(event, None, now=step.now)
            elif option == Awaiting.CANCELLATION_DEADLINE:
                organizing.set_cancellation_deadline(event, None, now=step.now)
            else:
                organizing.set_self_checkin_radius(event, None, now=step.now)
            return await _summary_screen(step, event)

        return await _run(update, context, work)

    return chosen


async def _save_translation(step: Step, event: Event, description: str) -> Screen:
    language = str(step.notes["language"])
    organizing.set_event_text(
        event, language, step.notes["translated_title"], description, now=step.now
    )
    notice = step.t._("Added {language}.").format(language=LANGUAGES[language].native_name)
    return await _summary_screen(step, event, notice)


async def _save_question(step: Step, event: Event, choices: list[str]) -> Screen:
    notes = step.notes
    language = str(notes.get("language") or event.fallback_language)
    if "question" in notes:
        question = organizing.question_at(event, int(notes["question"]))
        assert question is not None
        organizing.set_question_text(
            event, question, language, notes["prompt"], choices, now=step.now
        )
    else:
        question = organizing.add_question(
            event,
            QuestionKind(notes["question_kind"]),
            language,
            notes["prompt"],
            choices,
            now=step.now,
        )
        await step.session.flush()
    _focus(step, event, question=question.position, question_kind=str(question.kind))
    return _option_prompt(step, event, Awaiting.QUESTION_LANGUAGE)


async def _find_co_organizer(step: Step, event: Event, text: str) -> Screen:
    t = step.t
    person = await find_person(step.session, text)
    if person is None:
        raise steps.Invalid(
            t._(
                "I don't know that person yet. Ask them to send /start to the bot first, then "
                "try again with their user id or @username."
            )
        )
    name = escape(steps.person_name(person))
    if not can_create_events(person, step.admins):
        raise steps.Invalid(
            t._(
                "{person} does not have the organizer role yet. An administrator can give it "
                "with /grant."
            ).format(person=name)
        )
    if organizing.add_co_organizer(event, person, now=step.now):
        notice = t._("{person} now organizes this event with you.").format(person=name)
    else:
        notice = t._("{person} already organizes this event.").format(person=name)
    return await _summary_screen(step, event, notice)


async def _apply_option_text(step: Step, event: Event, state: Awaiting, text: str) -> Screen:
    t, notes = step.t, step.notes
    if state == Awaiting.TRANSLATED_TITLE:
        notes["translated_title"] = steps.parse_line(t, text, steps.TITLE_MAX)
        return _option_prompt(step, event, Awaiting.TRANSLATED_DESCRIPTION)
    if state == Awaiting.TRANSLATED_DESCRIPTION:
        return await _save_translation(step, event, steps.parse_description(t, text))
    if state == Awaiting.QUESTION_PROMPT:
        notes["prompt"] = steps.parse_line(t, text, steps.PROMPT_MAX)
        if notes.get("question_kind") == QuestionKind.CHOICE:
            return _option_prompt(step, event, Awaiting.QUESTION_CHOICES)
        return await _save_question(step, event, [])
    if state == Awaiting.QUESTION_CHOICES:
        question = (
            organizing.question_at(event, int(notes["question"])) if "question" in notes else None
        )
        expected = len(next(iter(question.texts.values())).get("choices", [])) if question else None
        return await _save_question(step, event, steps.parse_choices(t, text, expected))
    if state == Awaiting.REGISTRATION_DEADLINE:
        deadline = steps.parse_deadline(t, text, event, step.now)
        organizing.set_registration_deadline(event, deadline, now=step.now)
    elif state == Awaiting.CANCELLATION_DEADLINE:
        deadline = steps.parse_deadline(t, text, event, step.now)
        organizing.set_cancellation_deadline(event, deadline, now=step.now)
    elif state == Awaiting.CHECKIN_RADIUS:
        radius = steps.parse_whole_number(t, text, steps.RADIUS_MIN, steps.RADIUS_MAX)
        organizing.set_self_checkin_radius(event, radius, now=step.now)
    elif state == Awaiting.REMINDER_MINUTES:
        minutes = steps.parse_whole_number(t, text, steps.REMINDER_MIN, steps.REMINDER_MAX)
        organizing.set_reminder_minutes(event, minutes, now=step.now)
    elif state == Awaiting.CO_ORGANIZER:
        return await _find_co_organizer(step, event, text)
    return await _summary_screen(step, event)


def _option_text(state: Awaiting) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def typed(update: Update, context: TidelineContext) -> Next:
        message = update.effective_message
        assert message is not None and message.text is not None
        text = message.text

        async def work(step: Step) -> Screen:
            event = await _focused(step)
            try:
                return await _apply_option_text(step, event, state, text)
            except steps.Invalid as problem:
                return _retry(step, problem, _option_prompt(step, event, state))

        return await _run(update, context, work, edit=False)

    return typed


@requires(Permission.ORGANIZE)
async def drop_question(update: Update, context: TidelineContext) -> Next:
    (event_id,) = _int_args(update)

    async def work(step: Step) -> Screen:
        event = await _managed(step, event_id, changing=True)
        removed = organizing.remove_last_question(event, now=step.now)
        notice = step.t._("Question removed.") if removed else None
        return await _summary_screen(step, event, notice)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def save_draft(update: Update, context: TidelineContext) -> Next:
    (event_id,) = _int_args(update)

    async def work(step: Step) -> Screen:
        event = await _managed(step, event_id, changing=True)
        step.notes = steps.wizard_answers(step.notes)
        notice = step.t._("Saved as a draft. You find it under /organize whenever you want.")
        return await _card_screen(step, event, notice, ConversationHandler.END)

    return await _run(update, context, work)


# ---- managing an event ----------------------------------------------------------------------


@requires(Permission.ORGANIZE)
async def show_card(update: Update, context: TidelineContext) -> Next:
    (event_id,) = _int_args(update)

    async def work(step: Step) -> Screen:
        return await _card_screen(step, await _managed(step, event_id, changing=False))

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def publish(update: Update, context: TidelineContext) -> Next:
    (event_id,) = _int_args(update)

    async def work(step: Step) -> Screen:
        t = step.t
        event = await _managed(step, event_id, changing=True)
        if event.status != EventStatus.DRAFT:
            return await _card_screen(step, event, t._("This event is already published."))
        if event.starts_at <= step.now:
            raise Refused(t._("The start has passed. Change the date and time first."))
        await publish_event(step.session, event, now=step.now)
        step.notes = steps.wizard_answers(step.notes)
        notice = t._("✅ Published. People can now find the event and register.")
        return await _card_screen(step, event, notice, ConversationHandler.END)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def ask_cancel(update: Update, context: TidelineContext) -> Next:
    (event_id,) = _int_args(update)

    async def work(step: Step) -> Screen:
        context, t = step.context, step.t
        event = await _managed(step, event_id, changing=True)
        title = escape(steps.event_title(event, t.language))
        if event.status == EventStatus.DRAFT:
            text = t._("Discard the draft “{title}”? It will be deleted.").format(title=title)
            sure = t._("Yes, discard it")
        else:
            counts = await status_counts(step.session, event)
            active = sum(counts[status] for status in ACTIVE)
            text = t.ngettext(
                "Cancel “{title}”? {count} person registered will be told. This cannot be undone.",
                "Cancel “{title}”? {count} people registered will be told. This cannot be undone.",
                active,
            ).format(title=title, count=t.number(active))
            sure = t._("Yes, cancel the event")
        keyboard = [
            [context.button(sure, CANCEL_SURE, event.id)],
            [context.button(t._("No, keep it"), CARD, event.id)],
        ]
        return Screen(text, keyboard)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def confirm_cancel(update: Update, context: TidelineContext) -> Next:
    (event_id,) = _int_args(update)

    async def work(step: Step) -> Screen:
        t = step.t
        event = await _managed(step, event_id, changing=True)
        step.notes = steps.wizard_answers(step.notes)
        if event.status == EventStatus.DRAFT:
            await organizing.discard_draft(step.session, event)
            return await _list_screen(step, 0, t._("The draft has been discarded."))
        await cancel_event(step.session, event, now=step.now)
        notice = t._("The event is cancelled. Everyone registered will be told.")
        return await _card_screen(step, event, notice, ConversationHandler.END)

    return await _run(update, context, work)


@requires(Permission.ORGANIZE)
async def show_edit_menu(update: Update, context: TidelineContext) -> Next:
    (event_id,) = _int_args(update)

    async def work(step: Step) -> Screen:
        context, t = step.context, step.t
        event = await _managed(step, event_id, changing=True)
        text = t._("What do you want to change? Everyone registered will hear about it.")
        keyboard = [
            [context.button(t._("Date and time"), EDIT_FIELD, event.id, Awaiting.NEW_START)],
            [context.button(t._("Venue"), EDIT_FIELD, event.id, Awaiting.NEW_VENUE_NAME)],
            [context.button(t._("Capacity"), EDIT_FIELD, event.id, Awaiting.NEW_CAPACITY)],
            [context.button(t._("Add another language"), OPTION, event.id, Awaiting.TEXT_LANGUAGE)],
            [context.button(t._("« Back"), CARD, event.id)],
        ]
        return Screen(text, keyboard)

    return await _run(update, context, work)


def _edit_prompt(step: Step, event: Event, state: Awaiting) -> Screen:
    t = step.t
    if state == Awaiting.NEW_START:
        current = t._("It now starts {start}.").format(
            start=escape(t.moment(event.starts_at, event.timezone))
        )
        return Screen(current + "\n" + _start_prompt(step, event.timezone), None, state)
    if state == Awaiting.NEW_END:
        return Screen(_end_prompt(t), None, state)
    if state == Awaiting.NEW_VENUE_NAME:
        current = t._("The venue is now {venue}.").format(venue=escape(event.venue_name))
        return Screen(current + "\n" + t._("What is the venue called?"), None, state)
    if state == Awaiting.NEW_ADDRESS:
        return Screen(t._("What is the venue's address?"), None, state)
    if state == Awaiting.NEW_LOCATION:
        return Screen(_location_prompt(t), None, state)
    assert state == Awaiting.NEW_CAPACITY
    text = t._(
        "The event has {capacity} seats, {taken} taken. Type the new number of seats, from "
        "{low} to {high}. New seats are offered to the waitlist; nobody loses a seat they hold."
    ).format(
        capacity=t.number(event.capacity),
        taken=t.number(event.seats_taken),
        low=t.number(steps.CAPACITY_MIN),
        high=t.number(steps.CAPACITY_MAX),
    )
    return Screen(text, None, state)


@requires(Permission.ORGANIZE)
async def choose_edit(update: Update, context: TidelineContext) -> Next:
    event_id, field_name = button_args(update)

    async def work(step: Step) -> Screen:
        event = await _managed(step, int(event_id), changing=True)
        _focus(step, event)
        return _edit_prompt(step, event, Awaiting(field_name))

    return await _run(update, context, work)


async def _changed(step: Step, event: Event) -> Screen:
    step.notes = steps.wizard_answers(step.notes)
    notice = step.t._("Saved. Everyone registered will hear about the change.")
    return await _card_screen(step, event, notice, ConversationHandler.END)


async def _apply_edit(
    step: Step,
    event: Event,
    state: Awaiting,
    text: str | None,
    location: tuple[float, float] | None,
) -> Screen:
    t, notes, session, now = step.t, step.notes, step.session, step.now
    if state == Awaiting.NEW_START:
        notes["new_start"] = steps.parse_start(t, text or "", event.timezone, now).isoformat()
        return _edit_prompt(step, event, Awaiting.NEW_END)
    if state == Awaiting.NEW_END:
        start = datetime.fromisoformat(notes["new_start"])
        end = steps.parse_end(t, text or "", event.timezone, start)
        await reschedule_event(session, event, starts_at=start, ends_at=end, now=now)
        return await _changed(step, event)
    if state == Awaiting.NEW_VENUE_NAME:
        notes["venue"] = [steps.parse_line(t, text or "", steps.VENUE_MAX)]
        return _edit_prompt(step, event, Awaiting.NEW_ADDRESS)
    if state == Awaiting.NEW_ADDRESS:
        notes["venue"] = [notes["venue"][0], steps.parse_line(t, text or "", steps.ADDRESS_MAX)]
        return _edit_prompt(step, event, Awaiting.NEW_LOCATION)
    if state == Awaiting.NEW_LOCATION:
        latitude, longitude = location or steps.parse_coordinates(t, text or "")
        venue_name, address = notes["venue"]
        await move_venue(
            session,
            event,
            venue_name=venue_name,
            address=address,
            latitude=latitude,
            longitude=longitude,
            now=now,
        )
        return await _changed(step, event)
    assert state == Awaiting.NEW_CAPACITY
    capacity = steps.parse_whole_number(t, text or "", steps.CAPACITY_MIN, steps.CAPACITY_MAX)
    await change_capacity(session, event, capacity, now=now)
    step.notes = steps.wizard_answers(notes)
    notice = t._("Saved: {capacity} seats.").format(capacity=t.number(event.capacity))
    return await _card_screen(step, event, notice, ConversationHandler.END)


def _edit_answer(state: Awaiting) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def typed(update: Update, context: TidelineContext) -> Next:
        message = update.effective_message
        assert message is not None
        location = (
            (message.location.latitude, message.location.longitude) if message.location else None
        )

        async def work(step: Step) -> Screen:
            event = await _focused(step)
            try:
                return await _apply_edit(step, event, state, message.text, location)
            except steps.Invalid as problem:
                return _retry(step, problem, _edit_prompt(step, event, state))
            except EventRefused as refused:
                raise Refused(_refusal_text(step.t, refused.refusal)) from None

        return await _run(update, context, work, edit=False)

    return typed


# ---- registrations: lists, attendance, exports ----------------------------------------------


async def _view_screen(
    step: Step, event: Event, view: str, page: int, notice: str | None = None
) -> Screen:
    context, t = step.context, step.t
    _, total = await event_registrations(
        step.session, event, VIEW_STATUSES[view], offset=0, limit=0
    )
    pages = max((total + PEOPLE_PER_PAGE - 1) // PEOPLE_PER_PAGE, 1)
    page = min(max(page, 0), pages - 1)
    rows, total = await event_registrations(
        step.session,
        event,
        VIEW_STATUSES[view],
        offset=page * PEOPLE_PER_PAGE,
        limit=PEOPLE_PER_PAGE,
    )
    titles = {
        REGISTRATIONS: t._("<b>Registrations</b> (tap a name to tick attendance)"),
        WAITLIST: t._("<b>Waitlist</b>"),
        PENDING: t._("<b>Pending approvals</b>"),
    }
    lines = [notice, ""] if notice else []
    lines += [titles[view], escape(steps.event_title(event, t.language))]
    if pages > 1:
        lines.append(
            t._("Page {page} of {pages}").format(page=t.number(page + 1), pages=t.number(pages))
        )
    if not rows:
        lines.append(t._("Nobody here yet."))
    keyboard: Keyboard = []
    for number, (registration, person) in enumerate(rows, start=page * PEOPLE_PER_PAGE + 1):
        name = steps.person_name(person)
        status = t._(steps.REGISTRATION_STATUS_LABELS[registration.status])
        if registration.attended_at is not None:
            status += ", " + t._("attended")
        lines.append(f"{number}. {escape(name)} – {escape(status)}")
        if view == REGISTRATIONS and registration.status == RegistrationStatus.CONFIRMED:
            ticked = registration.attended_at is not None
            mark, intent = ("✅", UNTICK) if ticked else ("⬜", TICK_INTENT)
            keyboard.append(
                [context.button(f"{mark} {name}"[:60], TICK, registration.id, page, intent)]
            )
        elif view == PENDING:
            keyboard.append(
                [
                    context.button(
                        t._("Approve {name}").format(name=name)[:60],
                        shared.APPROVE,
                        registration.id,
                        page,
                    ),
                    context.button(t._("Reject"), shared.REJECT, registration.id, page),
                ]
            )
    paging = steps.paging_row(context, page, pages, VIEW, event.id, view)
    if paging:
        keyboard.append(paging)
    keyboard.append([context.button(t._("« Back to the event"), CARD, event.id)])
    return Screen("\n".join(lines), keyboard)


@requires(Permission.ORGANIZE)
async def show_view(update: Update, context: TidelineContext) -> Next:
    event_id, view, page = button_args(update)
    if view not in VIEW_STATUSES:
        return None

    async def work(step: Step) -> Screen:
        event = await _managed(step, int(event_id), changing=False)
        return await _view_screen(step, event, view, int(page))

    return await _run(update, context, work)


async def _registration_event(step: Step, registration_id: int) -> tuple[Registration, Event]:
    registration = await find_registration(step.session, registration_id)
    if registration is None:
        raise Refused(step.t._("That registration no longer exists."))
    event = await _managed(step, registration.event_id, changing=False)
    if event.status == EventStatus.CANCELLED:
        raise Refused(step.t._("This event has been cancelled, so it can no longer be changed."))
    return registration, event


@requires(Permission.ORGANIZE)
async def toggle_attendance(update: Update, context: TidelineContext) -> Next:
    registration_id, page = _int_args(update)
    intent = button_args(update)[-1]

    async def work(step: Step) -> Screen:
        registration, event = await _registration_event(step, registration_id)
        try:
            changed = intent in (TICK_INTENT, UNTICK) and await mark_attendance(
                step.session,
                registration,
                intent == TICK_INTENT,
                organizer=step.account,
                admin_ids=step.admins,
                now=step.now,
            )
        except EventRefused as refused:
            raise Refused(_refusal_text(step.t, refused.refusal)) from None
        if not changed:
            await step.context.answer_query(update, out_of_date_notice(step.t), show_alert=True)
        await step.session.flush()
        return await _view_screen(step, event, REGISTRATIONS, page)

    return await _run(update, context, work)


def _exporter(extension: str) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def send(update: Update, context: TidelineContext) -> Next:
        (event_id,) = _int_args(update)

        async def work(step: Step) -> Screen:
            t = step.t
            event = await _managed(step, event_id, changing=False)
            participants = await export.participant_rows(step.session, event.id)
            make = export.participants_csv if extension == "csv" else export.participants_xlsx
            data = make(event, participants, language=t.language, labels=steps.export_labels(t))
            text = t.ngettext(
                "Participants of {title}: {count} registration.",
                "Participants of {title}: {count} registrations.",
                len(participants),
            ).format(
                title=escape(steps.event_title(event, t.language)),
                count=t.number(len(participants)),
            )
            return Screen(text, document=(data, export.export_filename(event.id, extension)))

        return await _run(update, context, work, edit=False)

    return send


# ---- approvals (standalone: the requests arrive as outbox notices) --------------------------


def _decider(approve: bool) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def decided(update: Update, context: TidelineContext) -> None:
        registration_id, *rest = _int_args(update)

        async def work(step: Step) -> Screen:
            t = step.t
            registration, event = await _registration_event(step, registration_id)
            if event.ends_at <= step.now:
                raise Refused(t._("This event is over, so it can no longer be changed."))
            try:
                await decide(step.session, registration, approve=approve, now=step.now)
            except EventRefused as refused:
                raise Refused(_refusal_text(t, refused.refusal)) from None
            person = await step.session.get(User, registration.user_id)
            name = escape(steps.person_name(person)) if person else "–"
            if registration.status == RegistrationStatus.CONFIRMED:
                outcome = t._("Approved: {name} has a seat and has been told.")
            elif registration.status == RegistrationStatus.WAITLISTED:
                outcome = t._(
                    "Approved, but the event is full: {name} is on the waitlist and has been told."
                )
            else:
                outcome = t._("Not approved: {name} has been told.")
            outcome = outcome.format(name=name)
            if rest:  # pressed on the pending approvals list: show the list again
                return await _view_screen(step, event, PENDING, rest[0], outcome)
            title = escape(steps.event_title(event, t.language))
            return Screen(f"<b>{title}</b>\n{outcome}")

        await _run(update, context, work)

    return decided


def build_approvals() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CallbackQueryHandler(_decider(True), pattern=action_pattern(shared.APPROVE)),
        CallbackQueryHandler(_decider(False), pattern=action_pattern(shared.REJECT)),
    ]


# ---- the conversation -----------------------------------------------------------------------


@requires(Permission.ORGANIZE)
async def cancel(update: Update, context: TidelineContext) -> int:
    async def work(step: Step) -> Screen:
        answers = steps.wizard_answers(step.notes)
        step.notes = answers
        if answers:
            return Screen(
                step.t._(
                    "Stopped. Your answers so far are kept: send /organize and tap Continue to "
                    "pick up where you left off."
                )
            )
        return Screen(step.t._("Stopped. Nothing else was changed."))

    await _run(update, context, work, edit=False)
    return ConversationHandler.END


def build_organize() -> ConversationHandler[Any]:
    not_command = ~filters.COMMAND
    text = filters.TEXT & not_command

    def button(action: str, callback: Callable[..., Any]) -> CallbackQueryHandler[Any, Any]:
        return CallbackQueryHandler(callback, pattern=action_pattern(action))

    def typed(callback: Callable[..., Any], *, buttons: list[Any] | None = None) -> list[Any]:
        return [
            MessageHandler(text, callback),
            *(buttons or []),
            MessageHandler(not_command, expect_text),
        ]

    def choose(*handlers: Any) -> list[Any]:
        return [*handlers, MessageHandler(not_command, expect_buttons)]

    wizard_texts: dict[object, list[Any]] = {
        state: typed(_wizard_text(state))
        for state in (
            Awaiting.TITLE,
            Awaiting.VENUE_NAME,
            Awaiting.ADDRESS,
            Awaiting.CITY,
            Awaiting.START,
            Awaiting.END,
            Awaiting.CAPACITY,
            Awaiting.INVITE_CODE,
        )
    }
    option_texts: dict[object, list[Any]] = {
        state: typed(_option_text(state))
        for state in (
            Awaiting.TRANSLATED_TITLE,
            Awaiting.QUESTION_PROMPT,
            Awaiting.QUESTION_CHOICES,
            Awaiting.REMINDER_MINUTES,
            Awaiting.CO_ORGANIZER,
        )
    }
    edit_texts: dict[object, list[Any]] = {
        state: typed(_edit_answer(state))
        for state in (
            Awaiting.NEW_START,
            Awaiting.NEW_END,
            Awaiting.NEW_VENUE_NAME,
            Awaiting.NEW_ADDRESS,
            Awaiting.NEW_CAPACITY,
        )
    }
    optional_texts: dict[object, list[Any]] = {
        state: typed(_option_text(state), buttons=[button(NO_VALUE, _no_value_for(state))])
        for state in (
            Awaiting.REGISTRATION_DEADLINE,
            Awaiting.CANCELLATION_DEADLINE,
            Awaiting.CHECKIN_RADIUS,
        )
    }
    return ConversationHandler(
        name="organize",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("organize", organize),
            button(NEW, new_event),
            button(RESUME, resume),
            button(LIST, show_list),
            button(CARD, show_card),
            button(SUMMARY, show_summary),
            button(OPTION, choose_option),
            button(SAVE, save_draft),
            button(DROP_QUESTION, drop_question),
            button(PUBLISH, publish),
            button(VIEW, show_view),
            button(TICK, toggle_attendance),
            button(CSV, _exporter("csv")),
            button(XLSX, _exporter("xlsx")),
            button(EDIT, show_edit_menu),
            button(EDIT_FIELD, choose_edit),
            button(CANCEL, ask_cancel),
            button(CANCEL_SURE, confirm_cancel),
        ],
        states={
            Awaiting.KIND: choose(button(KIND, _wizard_button("kind", lambda _, raw: raw))),
            **wizard_texts,
            Awaiting.DESCRIPTION: typed(
                _wizard_text(Awaiting.DESCRIPTION), buttons=[button(SKIP, skip_description)]
            ),
            Awaiting.LOCATION: [
                MessageHandler(filters.LOCATION, shared_location),
                MessageHandler(text, _wizard_text(Awaiting.LOCATION)),
                MessageHandler(not_command, expect_location),
            ],
            Awaiting.COUNTRY: choose(button(COUNTRY, _wizard_button("country", _country))),
            Awaiting.TIMEZONE: choose(button(ZONE, _wizard_button("timezone", _zone))),
            Awaiting.REGISTRATION_MODE: choose(
                button(MODE, _wizard_button("registration_mode", _mode))
            ),
            Awaiting.SUMMARY_CHOICE: choose(),
            Awaiting.TEXT_LANGUAGE: choose(button(LANGUAGE, choose_language)),
            **option_texts,
            Awaiting.TRANSLATED_DESCRIPTION: typed(
                _option_text(Awaiting.TRANSLATED_DESCRIPTION),
                buttons=[button(SKIP, skip_translated_description)],
            ),
            Awaiting.QUESTION_KIND: choose(button(QUESTION_KIND, choose_question_kind)),
            Awaiting.QUESTION_LANGUAGE: choose(
                button(LANGUAGE, choose_language), button(QUESTION_DONE, question_done)
            ),
            **optional_texts,
            **edit_texts,
            Awaiting.NEW_LOCATION: [
                MessageHandler(filters.LOCATION, _edit_answer(Awaiting.NEW_LOCATION)),
                MessageHandler(text, _edit_answer(Awaiting.NEW_LOCATION)),
                MessageHandler(not_command, expect_location),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(earlier_step_button, pattern=r"^ow\."),
        ],
    )


def _country(step: Step, raw: str) -> str:
    step.notes.pop("city", None)
    step.notes.pop("timezone", None)
    return raw


def _zone(step: Step, raw: str) -> str:
    if raw not in zones_for(step.notes.get("country")):
        raise steps.Invalid(
            step.t._("Please use the buttons above to answer, or send /cancel to stop.")
        )
    return raw


def _mode(step: Step, raw: str) -> str:
    return RegistrationMode(raw).value
