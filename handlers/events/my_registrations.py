"""/my: a person's registrations, each with what they can do next — the calendar file, the
check-in code, cancelling, accepting a seat offer, answering "still coming?"."""

from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from events import service
from events.checkin_code import checkin_qr_png
from events.models import Event, EventKind, EventStatus, Registration
from events.models import RegistrationStatus as Status
from events.service import EventRefused, Refusal
from handlers.events import actions
from handlers.events.cards import (
    event_card,
    refusal_text,
    send_calendar_file,
    status_line,
    title_of,
)
from handlers.events.checkin import CHECKIN_LINK, checkin_caption
from handlers.kit.actions import answer_survey_button, report_cleanup_button
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from i18n.shorten import shorten
from surveys.waiting import waiting_surveys
from surveys.wording import survey_title


async def list_mine(update: Update, context: TidelineContext) -> None:
    t = context.t
    session = await context.session()
    reader = await account_of(session, update)
    rows = await service.registrations_of(session, reader, now=context.now())
    lines: list[str] = []
    keyboard: list[list[InlineKeyboardButton]] = []
    surveys = await waiting_surveys(session, reader.id, now=context.now())
    if surveys:
        lines.append(t._("<b>Surveys waiting for your answers</b>"))
        for survey in surveys:
            title = survey_title(survey, t.language)
            lines.append(f"• {escape(title)}")
            keyboard.append([answer_survey_button(context, survey.id, shorten(title, 40))])
        lines.append("")
    if not rows:
        lines.append(t._("You have no registrations yet. Send /events to find one."))
        await answer(update, context, "\n".join(lines), keyboard, edit=True)
        return
    lines.append(t._("<b>Your registrations</b>"))
    for number, (registration, event) in enumerate(rows, start=1):
        title = title_of(t, event)
        place = await service.waitlist_place(session, registration)
        lines.append(
            f"\n{number}. <b>{escape(title)}</b>\n"
            f"   🗓 {t.moment(event.starts_at, event.timezone)}\n"
            f"   {status_line(t, registration, event, place=place)}"
        )
        label = f"{number}. {shorten(title, 36)}"
        keyboard.append([context.button(label, actions.MY_CARD, registration.id)])
    await answer(update, context, "\n".join(lines), keyboard, edit=True)


async def _pressed_registration(
    session: AsyncSession, update: Update, context: TidelineContext
) -> Registration | None:
    """The pressed button's registration if it is the reader's own; otherwise they are told."""
    (registration_id,) = button_args(update)
    reader = await account_of(session, update)
    registration = await service.find_registration(session, int(registration_id))
    if registration is None or registration.user_id != reader.id:
        await context.answer_query(
            update, refusal_text(context.t, Refusal.NOT_REGISTERED), show_alert=True
        )
        return None
    return registration


async def _own_registration(
    update: Update, context: TidelineContext
) -> tuple[Registration, Event] | None:
    session = await context.session()
    registration = await _pressed_registration(session, update, context)
    if registration is None:
        return None
    event = await service.find_event(session, registration.event_id)
    assert event is not None
    return registration, event


async def show_card(update: Update, context: TidelineContext) -> None:
    found = await _own_registration(update, context)
    if found is not None:
        await _send_card(update, context, *found, edit=True)


async def _send_card(
    update: Update,
    context: TidelineContext,
    registration: Registration,
    event: Event,
    *,
    edit: bool,
    note: str = "",
) -> None:
    session = await context.session()
    place = await service.waitlist_place(session, registration)
    text = event_card(context.t, event, registration=registration, place=place)
    if note:
        text = f"{note}\n\n{text}"
    await answer(update, context, text, _card_keyboard(context, registration, event), edit=edit)


def _card_keyboard(
    context: TidelineContext, registration: Registration, event: Event
) -> list[list[InlineKeyboardButton]]:
    t = context.t
    rows: list[list[InlineKeyboardButton]] = []
    open_event = event.status == EventStatus.PUBLISHED and context.now() < event.ends_at
    status = registration.status
    if status == Status.OFFERED and open_event:
        rows.append(
            [
                context.button(t._("Accept the seat"), actions.ACCEPT_OFFER, registration.id),
                context.button(t._("Decline"), actions.DECLINE_OFFER, registration.id),
            ]
        )
    if status == Status.CONFIRMED and event.status != EventStatus.CANCELLED:
        rows.append(
            [
                context.button(t._("Check-in code"), actions.CODE, registration.id),
                context.button(t._("Calendar file"), actions.CALENDAR, registration.id),
            ]
        )
        if event.kind == EventKind.CLEANUP and context.now() >= event.starts_at:
            rows.append([report_cleanup_button(context, event.id)])
    withdrawable = status in (Status.CONFIRMED, Status.PENDING, Status.WAITLISTED)
    if withdrawable and open_event and context.now() < event.starts_at:
        rows.append(
            [context.button(t._("Cancel my registration"), actions.CANCEL, registration.id)]
        )
    rows.append([context.button(t._("◀ My registrations"), actions.MY)])
    return rows


async def send_calendar(update: Update, context: TidelineContext) -> None:
    found = await _own_registration(update, context)
    if found is None:
        return
    registration, event = found
    if registration.status != Status.CONFIRMED:
        await context.answer_query(update, status_line(context.t, registration, event))
        return
    await context.answer_query(update)
    await send_calendar_file(update, context, event, registration)


async def send_code(update: Update, context: TidelineContext) -> None:
    found = await _own_registration(update, context)
    if found is None:
        return
    registration, event = found
    t = context.t
    if registration.status != Status.CONFIRMED:
        await context.answer_query(update, refusal_text(t, Refusal.NOT_CONFIRMED), show_alert=True)
        return
    link = CHECKIN_LINK.url(context.bot.username, registration.checkin_token)
    await context.answer_query(update)
    chat = update.effective_chat
    assert chat is not None
    caption = checkin_caption(t, event)
    picture = checkin_qr_png(link)
    await context.send(
        lambda: chat.send_photo(
            InputFile(picture, filename="check-in.png"), caption=caption, parse_mode="HTML"
        )
    )


async def ask_cancel(update: Update, context: TidelineContext) -> None:
    found = await _own_registration(update, context)
    if found is None:
        return
    registration, event = found
    t = context.t
    keyboard = [
        [
            context.button(t._("Yes, cancel it"), actions.CANCEL_SURE, registration.id),
            context.button(t._("No, keep it"), actions.MY_CARD, registration.id),
        ]
    ]
    question = t._("Cancel your registration for <b>{title}</b>?").format(
        title=escape(title_of(t, event))
    )
    await answer(update, context, question, keyboard, edit=True)


async def cancel_for_good(update: Update, context: TidelineContext) -> None:
    await _withdraw(update, context, context.t._("Your registration is cancelled."))


async def cannot_come(update: Update, context: TidelineContext) -> None:
    await _withdraw(
        update,
        context,
        context.t._("Thank you for letting us know: your seat goes to someone waiting."),
    )


async def decline_offer(update: Update, context: TidelineContext) -> None:
    await _withdraw(update, context, context.t._("Offer declined. Thank you for telling us."))


async def _withdraw(update: Update, context: TidelineContext, done: str) -> None:
    t = context.t
    session = await context.session()
    registration = await _pressed_registration(session, update, context)
    if registration is None:
        return
    held_seat = registration.status == Status.CONFIRMED
    try:
        await service.cancel_registration(session, registration, now=context.now())
    except EventRefused as refused:
        await answer(update, context, refusal_text(t, refused.refusal))
        return
    event = await service.find_event(session, registration.event_id)
    assert event is not None
    await _send_card(update, context, registration, event, edit=True, note=done)
    if held_seat:
        await send_calendar_file(
            update,
            context,
            event,
            registration,
            withdrawn=True,
            caption=t._("Open this file to remove the event from your calendar."),
        )


async def accept_offer(update: Update, context: TidelineContext) -> None:
    t = context.t
    session = await context.session()
    registration = await _pressed_registration(session, update, context)
    if registration is None:
        return
    # A second tap on Accept finds the seat already confirmed: no second calendar file.
    already = registration.status == Status.CONFIRMED
    try:
        await service.accept_offer(session, registration, now=context.now())
        refusal = None
    except EventRefused as refused:
        refusal = refused.refusal
    event = await service.find_event(session, registration.event_id)
    assert event is not None
    if refusal is not None:
        await answer(update, context, refusal_text(t, refusal))
        return
    await _send_card(update, context, registration, event, edit=True, note=t._("Seat confirmed!"))
    if not already:
        await send_calendar_file(update, context, event, registration)


async def still_coming(update: Update, context: TidelineContext) -> None:
    found = await _own_registration(update, context)
    if found is None:
        return
    registration, event = found
    t = context.t
    if registration.status != Status.CONFIRMED or event.status == EventStatus.CANCELLED:
        await answer(update, context, status_line(t, registration, event))
        return
    await answer(update, context, t._("Great, see you there!"), edit=False)


def build_my_registrations() -> list[BaseHandler]:
    buttons = {
        actions.MY: list_mine,
        actions.MY_CARD: show_card,
        actions.CALENDAR: send_calendar,
        actions.CODE: send_code,
        actions.CANCEL: ask_cancel,
        actions.CANCEL_SURE: cancel_for_good,
        actions.ACCEPT_OFFER: accept_offer,
        actions.DECLINE_OFFER: decline_offer,
        actions.STILL_COMING: still_coming,
        actions.CANNOT_COME: cannot_come,
    }
    return [
        CommandHandler("my", list_mine),
        *(
            CallbackQueryHandler(callback, pattern=action_pattern(action))
            for action, callback in buttons.items()
        ),
    ]
