"""What the parts of /organize share: its states and buttons, how one update runs as a step
(``run``), who may act on an event, and the screens and questions several parts show.

Answers given before the draft event exists are kept in the organizer's notes
(handlers.organize.steps), so a restart loses nothing.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, Update
from telegram.ext import ConversationHandler

from accounts.models import User
from events import rules
from events.models import Event, EventStatus, RegistrationStatus
from events.service import (
    Refusal,
    attended_count,
    find_event,
    is_organizer_of,
    organized_by,
    status_counts,
)
from handlers.kit import deep_links
from handlers.kit.actions import event_survey_button
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.keyboards import Keyboard
from handlers.organize import steps
from i18n import Translator
from i18n.shorten import shorten


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
    NEW_MODE = "new_mode"
    NEW_INVITE_CODE = "new_invite_code"
    # Writing to the people registered.
    MESSAGE_AUDIENCE = "message_audience"
    MESSAGE_TEXT = "message_text"
    MESSAGE_CONFIRM = "message_confirm"
    # Declining a request for approval with a reason.
    REJECTION_REASON = "rejection_reason"


# Buttons of one wizard step (state handlers); a stale one gets "belongs to an earlier step".
KIND = "ow.kind"  # kind
SKIP = "ow.skip"
COUNTRY = "ow.country"  # country code
CITY_MATCH = "ow.city"  # GeoNames id, or city_choice.KEEP
ZONE = "ow.tz"  # zone
MODE = "ow.mode"  # registration mode
LANGUAGE = "ow.lang"  # language code
QUESTION_KIND = "ow.qkind"  # question kind
QUESTION_DONE = "ow.qdone"
NO_VALUE = "ow.none"
NEW_MODE = "ow.newmode"  # registration mode
MESSAGE_TO = "ow.msgto"  # audience
MESSAGE_SEND = "ow.msgsend"
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
CO_ORGANIZERS = "om.co"  # event id
REMOVE_CO_ORGANIZER = "om.rmco"  # event id, user id
MODE_MENU = "om.mode"  # event id
DUPLICATE = "om.dup"  # event id
MESSAGE = "om.msg"  # event id
REJECT_SURE = "om.rej"  # registration id, REJECT_NOW or REJECT_WITH_REASON, page (on a list)
REJECT_NOW, REJECT_WITH_REASON = "now", "why"

EVENTS_PER_PAGE = 5
PEOPLE_PER_PAGE = 10

# What each registration list shows.
REGISTRATIONS, WAITLIST, PENDING = "reg", "wait", "pend"
VIEW_STATUSES: dict[str, tuple[RegistrationStatus, ...]] = {
    REGISTRATIONS: (RegistrationStatus.CONFIRMED, RegistrationStatus.OFFERED),
    WAITLIST: (RegistrationStatus.WAITLISTED,),
    PENDING: (RegistrationStatus.PENDING,),
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


async def run(
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
        await context.unit.discard_changes()
        screen = Screen(refusal.text, alert=True, state=ConversationHandler.END)
    except steps.Invalid as problem:
        await context.unit.discard_changes()
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


def refusal_text(t: Translator, refusal: Refusal) -> str:
    texts = {
        Refusal.CANCELLED: t._("This event has been cancelled, so it can no longer be changed."),
        Refusal.OVER: t._("This event is over, so it can no longer be changed."),
        Refusal.TOO_MANY_QUESTIONS: t.ngettext(
            "An event can have at most {count} question.",
            "An event can have at most {count} questions.",
            rules.QUESTIONS_MAX,
        ).format(count=t.number(rules.QUESTIONS_MAX)),
        Refusal.ALREADY_DECIDED: t._("This was already decided by another organizer."),
        Refusal.NOT_ALLOWED: t._("Only the organizers of this event can do that."),
        Refusal.NOT_CONFIRMED: t._("Only people with a confirmed seat can be ticked off."),
        Refusal.OUTSIDE_WINDOW: t._(
            "Attendance can be recorded from the day before the event until six hours after "
            "it ends."
        ),
    }
    return texts.get(refusal, t._("That is no longer possible."))


async def managed(step: Step, event_id: int, *, changing: bool) -> Event:
    """The event, if this person organizes it; ``changing`` also refuses closed events."""
    t = step.t
    event = await find_event(step.session, event_id)
    if event is None:
        raise Refused(t._("That event no longer exists."))
    if not is_organizer_of(event, step.account, step.admins):
        raise Refused(t._("Only the organizers of this event can do that."))
    refusal = rules.may_change(event, step.now) if changing else None
    if refusal is not None:
        raise Refused(refusal_text(t, refusal))
    return event


async def focused(step: Step) -> Event:
    """The event a typed answer is about (remembered in the notes when the step was asked)."""
    if "event_id" not in step.notes:
        raise Refused(step.t._("That step is over. Send /organize to start again."))
    return await managed(step, int(step.notes["event_id"]), changing=True)


def focus(step: Step, event: Event, **scratch: object) -> None:
    """From now on typed answers are about ``event``; an unfinished wizard's answers stay."""
    step.notes = {**steps.wizard_answers(step.notes), "event_id": event.id, **scratch}


def int_args(update: Update) -> list[int]:
    return [int(arg) for arg in button_args(update) if arg.lstrip("-").isdigit()]


# ---- screens --------------------------------------------------------------------------------


async def list_screen(step: Step, page: int, notice: str | None = None) -> Screen:
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
        label = t._("Continue: {title}").format(title=shorten(title, 40))
        keyboard.append([context.button(label, RESUME)])
    for event in shown:
        label = "{title} · {day} · {status}".format(
            title=shorten(steps.event_title(event, t.language), 28),
            # "medium" is the reader's own and unambiguous: "Dec 5, 2026", "5 ธ.ค. 2569".
            day=t.date(event.starts_at, event.timezone, "medium"),
            status=t._(steps.EVENT_STATUS_LABELS[event.status]),
        )
        keyboard.append([context.button(label, CARD, event.id)])
    paging = steps.paging_row(context, page, pages, LIST)
    if paging:
        keyboard.append(paging)
    return Screen("\n".join(lines), keyboard)


async def card_screen(
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
        return Screen("\n".join(lines), _draft_card_keyboard(step, event) + [back], state)
    open_event = event.status == EventStatus.PUBLISHED and event.ends_at > step.now
    keyboard: Keyboard = []
    if open_event:
        link = event_link(step, event)
        lines += ["", t._("Link to the event: {link}").format(link=link)]
        keyboard.append([InlineKeyboardButton(t._("📤 Share"), url=share_url(step, event, link))])
    keyboard += [
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
    if open_event:
        keyboard.append([context.button(t._("✉️ Message registrants"), MESSAGE, event.id)])
        keyboard.append(
            [
                context.button(t._("Edit"), EDIT, event.id),
                context.button(t._("Cancel event"), CANCEL, event.id),
            ]
        )
    if event.status != EventStatus.CANCELLED:
        keyboard.append([event_survey_button(context, event.id)])
    keyboard.append([context.button(t._("Duplicate event"), DUPLICATE, event.id)])
    keyboard.append(back)
    return Screen("\n".join(lines), keyboard, state)


def _draft_card_keyboard(step: Step, event: Event) -> Keyboard:
    context, t = step.context, step.t
    return [
        [
            context.button(t._("Continue editing"), SUMMARY, event.id),
            context.button(t._("Publish"), PUBLISH, event.id),
        ],
        [
            context.button(t._("Edit"), EDIT, event.id),
            context.button(t._("Discard draft"), CANCEL, event.id),
        ],
    ]


def event_link(step: Step, event: Event) -> str:
    bot_name = step.context.bot.username
    return step.context.services.deep_links.url(bot_name, deep_links.EVENT, event.id)


def share_url(step: Step, event: Event, link: str) -> str:
    """Telegram's share link: the organizer picks chats, and the message carries the event's
    link with its title and date in the organizer's language."""
    t = step.t
    text = f"{steps.event_title(event, t.language)} · {t.date(event.starts_at, event.timezone)}"
    return "https://t.me/share/url?" + urlencode({"url": link, "text": text}, quote_via=quote)


async def _co_organizers(step: Step, event: Event) -> list[User]:
    ids = [link.user_id for link in event.organizers if link.user_id != event.created_by]
    if not ids:
        return []
    return list(await step.session.scalars(select(User).where(User.id.in_(ids))))


async def summary_screen(step: Step, event: Event, notice: str | None = None) -> Screen:
    if event.status != EventStatus.DRAFT:
        # A published event edited from its card (texts in other languages) goes back there.
        return await card_screen(step, event, notice, ConversationHandler.END)
    context, t = step.context, step.t
    focus(step, event)
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


def location_prompt(t: Translator) -> str:
    return t._(
        "Where exactly is it? Share a location pin (📎 → Location), or type the coordinates as "
        "latitude, longitude – for example 13.7563, 100.5018."
    )


def start_prompt(step: Step, zone: str) -> str:
    t = step.t
    return t._(
        "When does it start? Type the local date and time in {zone} as YYYY-MM-DD HH:MM, "
        "for example {example}."
    ).format(zone=escape(t.zone_name(zone, step.now)), example=steps.example_start(step.now, zone))


def end_prompt(t: Translator) -> str:
    return t._(
        "When does it end? Type the time as HH:MM if it ends the same day, or the date and time "
        "as YYYY-MM-DD HH:MM."
    )


def retry(step: Step, problem: steps.Invalid, screen: Screen) -> Screen:
    """The problem, then the same question again; earlier answers stay as they were."""
    return Screen(problem.message + "\n\n" + screen.text, screen.keyboard, None)
