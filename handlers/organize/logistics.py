"""Writing to the people registered for an event (events.logistics): who gets it, the message
with the formatting the organizer applied, a preview with the number of people, then the
outbox sends it."""

from html import escape

from telegram import Update
from telegram.ext import ConversationHandler

from accounts.service import Permission
from broadcasts.service import utf16_length
from events import logistics, rules
from events.logistics import Audience
from events.models import Event, EventStatus
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, requires
from handlers.organize import steps
from handlers.organize.flow import (
    CARD,
    MESSAGE_SEND,
    MESSAGE_TO,
    Awaiting,
    Next,
    Refused,
    Screen,
    Step,
    card_screen,
    focus,
    focused,
    int_args,
    managed,
    retry,
    run,
)


async def _open_event(step: Step, event_id: int) -> Event:
    event = await managed(step, event_id, changing=True)
    if event.status != EventStatus.PUBLISHED:
        raise Refused(step.t._("Publish the event first: nobody can register for a draft."))
    return event


def _count_text(step: Step, count: int) -> str:
    return step.t.ngettext("{count} person", "{count} people", count).format(
        count=step.t.number(count)
    )


def _text_prompt(step: Step, count: int) -> Screen:
    t = step.t
    text = t._(
        "Type the message for {people}. Formatting you apply is kept. It reaches them whether "
        "or not they subscribed to news, so keep it to what they need to know for this event."
    ).format(people=_count_text(step, count))
    return Screen(text, None, Awaiting.MESSAGE_TEXT)


@requires(Permission.ORGANIZE)
async def start_message(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        context, t = step.context, step.t
        event = await _open_event(step, event_id)
        focus(step, event)
        confirmed = await logistics.audience_size(step.session, event, Audience.CONFIRMED)
        registered = await logistics.audience_size(step.session, event, Audience.REGISTERED)
        text = t._(
            "Write to the people registered for “{title}”: where to meet, what to bring, a "
            "change of plan. Who should get it?"
        ).format(title=escape(steps.event_title(event, t.language)))
        keyboard = [
            [
                context.button(
                    t._("Confirmed only ({count})").format(count=t.number(confirmed)),
                    MESSAGE_TO,
                    Audience.CONFIRMED.value,
                )
            ],
            [
                context.button(
                    t._("Everyone registered ({count})").format(count=t.number(registered)),
                    MESSAGE_TO,
                    Audience.REGISTERED.value,
                )
            ],
            [context.button(t._("« Back"), CARD, event.id)],
        ]
        return Screen(text, keyboard, Awaiting.MESSAGE_AUDIENCE)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def choose_audience(update: Update, context: TidelineContext) -> Next:
    (raw,) = button_args(update)

    async def work(step: Step) -> Screen:
        event = await focused(step)
        audience = Audience(raw)
        step.notes["audience"] = audience.value
        return _text_prompt(step, await logistics.audience_size(step.session, event, audience))

    return await run(update, context, work)


def _preview(step: Step, event: Event, count: int, html: str) -> Screen:
    context, t = step.context, step.t
    text = t._("This goes to {people} now:").format(people=_count_text(step, count)) + "\n\n" + html
    keyboard = [
        [context.button(t._("Send"), MESSAGE_SEND)],
        [context.button(t._("« Back"), CARD, event.id)],
    ]
    return Screen(text, keyboard, Awaiting.MESSAGE_CONFIRM)


@requires(Permission.ORGANIZE)
async def type_message(update: Update, context: TidelineContext) -> Next:
    message = update.effective_message
    assert message is not None and message.text is not None
    # text_html keeps the formatting the organizer applied and escapes everything else.
    html, length = message.text_html, utf16_length(message.text)

    async def work(step: Step) -> Screen:
        t = step.t
        event = await focused(step)
        audience = Audience(step.notes["audience"])
        count = await logistics.audience_size(step.session, event, audience)
        limit = rules.LOGISTICS_MESSAGE_MAX_LENGTH
        if length > limit:
            problem = steps.Invalid(
                t.ngettext(
                    "That is too long: please keep it under {count} character.",
                    "That is too long: please keep it under {count} characters.",
                    limit,
                ).format(count=t.number(limit))
            )
            return retry(step, problem, _text_prompt(step, count))
        step.notes["message"] = html
        return _preview(step, event, count, html)

    return await run(update, context, work, edit=False)


@requires(Permission.ORGANIZE)
async def send_message(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        t = step.t
        event = await focused(step)
        if "message" not in step.notes:
            raise Refused(t._("That step is over. Send /organize to start again."))
        audience = Audience(step.notes["audience"])
        sent = await logistics.send_message(
            step.session, event, audience, step.notes["message"], now=step.now
        )
        step.notes = steps.wizard_answers(step.notes)
        notice = t.ngettext(
            "✉️ Your message is on its way to {count} person.",
            "✉️ Your message is on its way to {count} people.",
            sent,
        ).format(count=t.number(sent))
        return await card_screen(step, event, notice, ConversationHandler.END)

    return await run(update, context, work)
