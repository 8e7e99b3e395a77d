"""Registering for an event from its card: the invite code and the organizers' questions when the
event has them, then a confirmation with the calendar file; pending approval and the waitlist are
told apart."""

from enum import StrEnum
from html import escape

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from events import service
from events.models import Event, QuestionKind, Registration
from events.models import RegistrationStatus as Status
from events.registration_desk import TapVerdict
from events.service import EventRefused
from events.texts import as_question, question_choices, question_text
from handlers.events import actions
from handlers.events.cards import refusal_text, send_calendar_file, status_line, title_of
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.reprompts import expect_text, reject_answer
from i18n.fallback import shown_in_note
from questions import InvalidAnswer, answer_chosen, answer_typed


class Awaiting(StrEnum):
    INVITE_CODE = "invite_code"
    ANSWER = "answer"


async def begin(update: Update, context: TidelineContext) -> Awaiting | int:
    (event_id,) = button_args(update)
    t = context.t
    assert update.effective_user is not None
    # Taps of many people at once are written together: see events.registration_desk.
    tapped = await context.services.registration_desk.tap(
        int(event_id), update.effective_user.id, now=context.now()
    )
    if tapped.verdict == TapVerdict.SET_UP_FIRST:
        await answer(update, context, t._("Let's finish setting you up first: send /start."))
        return ConversationHandler.END
    if tapped.verdict == TapVerdict.REFUSED:
        await answer(update, context, refusal_text(t, tapped.refusal or service.Refusal.NOT_FOUND))
        return ConversationHandler.END
    if tapped.verdict == TapVerdict.REGISTERED:
        assert tapped.event is not None and tapped.result is not None
        registration, created = tapped.result.registration, tapped.result.created
        await _tell_outcome(update, context, tapped.event, registration, created=created)
        return ConversationHandler.END
    return await _start_steps(update, context, int(event_id))


async def _start_steps(update: Update, context: TidelineContext, event_id: int) -> Awaiting | int:
    """An invite code or questions: a draft registration keeps each answer as it comes."""
    session = await context.session()
    reader = await account_of(session, update)
    event = await service.find_event(session, event_id)
    refusal = service.refusal_to_register(event, now=context.now())
    if refusal is not None or event is None:
        await answer(update, context, refusal_text(context.t, refusal or service.Refusal.NOT_FOUND))
        return ConversationHandler.END
    registration = await service.start_registration(session, event, reader, now=context.now())
    if registration.status != Status.DRAFT:
        await _tell_outcome(update, context, event, registration, created=False)
        return ConversationHandler.END
    return await _next_step(update, context, event, registration)


async def _next_step(
    update: Update, context: TidelineContext, event: Event, registration: Registration
) -> Awaiting | int:
    t = context.t
    if service.needs_invite_code(event, registration):
        await answer(update, context, t._("Please type the invite code the organizers gave you."))
        return Awaiting.INVITE_CODE
    question = service.next_question(event, registration)
    if question is None:
        return await _finish(update, context, event, reader_registration=registration)
    picked = question_text(event, question, t.language)
    position = event.questions.index(question) + 1
    heading = t._("Question {number} of {total}").format(
        number=position, total=len(event.questions)
    )
    prompt = f"<i>{heading}</i>\n{escape(str(picked.text.get('prompt', '')))}"
    note = shown_in_note(t, picked)
    if note:
        prompt += f"\n<i>{escape(note)}</i>"
    if question.kind == QuestionKind.CHOICE:
        choices = question_choices(event, question, t.language)
        keyboard = [
            [context.button(choice[:60], actions.CHOOSE, question.id, index)]
            for index, choice in enumerate(choices)
        ]
        await answer(update, context, prompt, keyboard)
    else:
        await answer(update, context, prompt)
    return Awaiting.ANSWER


async def type_invite_code(update: Update, context: TidelineContext) -> Awaiting | int | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    session = await context.session()
    reader = await account_of(session, update)
    current = await service.current_draft(session, reader)
    if current is None:
        return await _lost(update, context)
    registration, event = current
    try:
        service.give_invite_code(event, registration, message.text, now=context.now())
    except EventRefused as refused:
        await answer(update, context, refusal_text(context.t, refused.refusal))
        return None  # the same question stays open (an edit of this message may answer it)
    return await _next_step(update, context, event, registration)


async def type_answer(update: Update, context: TidelineContext) -> Awaiting | int | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    session = await context.session()
    reader = await account_of(session, update)
    current = await service.current_draft(session, reader)
    if current is None:
        return await _lost(update, context)
    registration, event = current
    question = service.next_question(event, registration)
    if question is None:
        return await _finish(update, context, event, reader_registration=registration)
    try:
        value = answer_typed(as_question(event, question), message.text)
    except InvalidAnswer as problem:
        await reject_answer(update, context, problem)
        return None  # the same question stays open (an edit of this message may answer it)
    service.save_answer(registration, question, value, now=context.now())
    return await _next_step(update, context, event, registration)


async def choose_answer(update: Update, context: TidelineContext) -> Awaiting | int:
    question_id, index = button_args(update)
    session = await context.session()
    reader = await account_of(session, update)
    current = await service.current_draft(session, reader)
    if current is None:
        return await _lost(update, context)
    registration, event = current
    question = service.next_question(event, registration)
    if question is None or str(question.id) != question_id:
        await context.answer_query(
            update, context.t._("That question is already answered."), show_alert=True
        )
        return Awaiting.ANSWER
    try:
        value = answer_chosen(as_question(event, question), int(index))
    except (ValueError, InvalidAnswer):
        return await _lost(update, context)
    service.save_answer(registration, question, value, now=context.now())
    await context.answer_query(update)
    return await _next_step(update, context, event, registration)


async def _finish(
    update: Update,
    context: TidelineContext,
    event: Event,
    *,
    reader_registration: Registration | None,
) -> int:
    session = await context.session()
    reader = await account_of(session, update)
    fresh = await service.find_event(session, event.id)
    assert fresh is not None
    try:
        result = await service.register(session, fresh, reader, now=context.now())
    except EventRefused as refused:
        if reader_registration is not None:
            await service.abandon_draft(session, reader_registration)
        await answer(update, context, refusal_text(context.t, refused.refusal))
        return ConversationHandler.END
    await _tell_outcome(update, context, fresh, result.registration, created=result.created)
    return ConversationHandler.END


async def _tell_outcome(
    update: Update,
    context: TidelineContext,
    event: Event,
    registration: Registration,
    *,
    created: bool,
) -> None:
    t = context.t
    title = escape(title_of(t, event))
    lead = (
        t._("Thank you! Your registration for <b>{title}</b> is in.")
        if created
        else t._("You are already registered for <b>{title}</b>.")
    ).format(title=title)
    keyboard = [[context.button(t._("My registration"), actions.MY_CARD, registration.id)]]
    place = await service.waitlist_place(await context.session(), registration)
    status = status_line(t, registration, event, place=place)
    await answer(update, context, f"{lead}\n{status}", keyboard)
    if created and registration.status == Status.CONFIRMED:
        await send_calendar_file(
            update, context, event, registration, caption=t._("Add it to your calendar.")
        )


async def _lost(update: Update, context: TidelineContext) -> int:
    await answer(
        update,
        context,
        context.t._("That registration is no longer in progress. Open the event to start again."),
    )
    return ConversationHandler.END


async def cancel(update: Update, context: TidelineContext) -> int:
    session = await context.session()
    reader = await account_of(session, update)
    current = await service.current_draft(session, reader)
    if current is not None:
        await service.abandon_draft(session, current[0])
    await answer(update, context, context.t._("Registration stopped. You are not registered."))
    return ConversationHandler.END


def build_registration() -> ConversationHandler:
    not_command = ~filters.COMMAND
    expects_text: list[BaseHandler] = [MessageHandler(not_command, expect_text)]
    return ConversationHandler(
        name="registration",
        persistent=True,
        allow_reentry=True,
        entry_points=[CallbackQueryHandler(begin, pattern=action_pattern(actions.REGISTER))],
        states={
            Awaiting.INVITE_CODE: [
                MessageHandler(filters.TEXT & not_command, type_invite_code),
                *expects_text,
            ],
            Awaiting.ANSWER: [
                CallbackQueryHandler(choose_answer, pattern=action_pattern(actions.CHOOSE)),
                MessageHandler(filters.TEXT & not_command, type_answer),
                *expects_text,
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
