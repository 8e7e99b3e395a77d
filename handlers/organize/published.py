"""What organizers change on an event from its Edit menu besides the time, venue and capacity:
who organizes it with them, how people register; and copying it for the next one."""

from html import escape

from telegram import Update
from telegram.ext import ConversationHandler

from accounts.models import User
from accounts.service import Permission
from events import organizing, rules
from events.models import Event, EventStatus, RegistrationMode
from events.rules import EventRefused
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, requires
from handlers.organize import steps
from handlers.organize.flow import (
    CARD,
    EDIT,
    NEW_MODE,
    OPTION,
    REMOVE_CO_ORGANIZER,
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
    refusal_text,
    retry,
    run,
    start_prompt,
    summary_screen,
)


async def _co_organizers_screen(step: Step, event: Event, notice: str | None = None) -> Screen:
    context, t = step.context, step.t
    ids = [link.user_id for link in event.organizers if link.user_id != event.created_by]
    people = [person for person in [await step.session.get(User, id_) for id_ in ids] if person]
    lines = [notice, ""] if notice else []
    lines.append(
        t._("<b>Co-organizers of {title}</b>").format(
            title=escape(steps.event_title(event, t.language))
        )
    )
    if not people:
        lines.append(t._("Nobody organizes this event with you yet."))
    keyboard = [
        [
            context.button(
                t._("Remove {name}").format(name=steps.person_name(person))[:60],
                REMOVE_CO_ORGANIZER,
                event.id,
                person.id,
            )
        ]
        for person in people
    ]
    keyboard.append(
        [context.button(t._("Add co-organizer"), OPTION, event.id, Awaiting.CO_ORGANIZER)]
    )
    keyboard.append([context.button(t._("« Back"), EDIT, event.id)])
    return Screen("\n".join(line for line in lines if line is not None), keyboard)


@requires(Permission.ORGANIZE)
async def show_co_organizers(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        event = await managed(step, event_id, changing=True)
        return await _co_organizers_screen(step, event)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def remove_co_organizer(update: Update, context: TidelineContext) -> Next:
    event_id, user_id = int_args(update)

    async def work(step: Step) -> Screen:
        t = step.t
        event = await managed(step, event_id, changing=True)
        person = await step.session.get(User, user_id)
        try:
            removed = organizing.remove_co_organizer(event, user_id, now=step.now)
        except EventRefused as refused:
            raise Refused(refusal_text(t, refused.refusal)) from None
        name = escape(steps.person_name(person)) if person else "–"
        notice = (
            t._("{person} no longer organizes this event.").format(person=name)
            if removed
            else t._("{person} was not organizing this event.").format(person=name)
        )
        await step.session.flush()
        return await _co_organizers_screen(step, event, notice)

    return await run(update, context, work)


def _mode_prompt(step: Step, event: Event) -> Screen:
    context, t = step.context, step.t
    current = t._(steps.MODE_SUMMARY_LABELS[event.registration_mode])
    text = (
        t._("Registration is {mode} now. How should people register from now on?").format(
            mode=escape(current)
        )
        + "\n"
        + t._("Nobody already registered loses their place.")
    )
    keyboard = [
        [context.button(t._(label), NEW_MODE, mode.value)]
        for mode, label in steps.MODE_LABELS.items()
    ]
    keyboard.append([context.button(t._("« Back"), CARD, event.id)])
    return Screen(text, keyboard, Awaiting.NEW_MODE)


def _invite_code_prompt(step: Step) -> Screen:
    text = step.t._("Type the invite code people must enter to register (up to 64 characters).")
    return Screen(text, None, Awaiting.NEW_INVITE_CODE)


@requires(Permission.ORGANIZE)
async def show_modes(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        event = await managed(step, event_id, changing=True)
        focus(step, event)
        return _mode_prompt(step, event)

    return await run(update, context, work)


async def _set_mode(
    step: Step, event: Event, mode: RegistrationMode, invite_code: str | None
) -> Screen:
    t = step.t
    before = event.registration_mode
    accepted = await organizing.set_registration_mode(
        step.session, event, mode, invite_code, now=step.now
    )
    if event.status == EventStatus.DRAFT:
        return await summary_screen(step, event)
    lines = [
        t._("Saved: registration is {mode}.").format(
            mode=escape(t._(steps.MODE_SUMMARY_LABELS[mode]))
        )
    ]
    if accepted:
        lines.append(
            t.ngettext(
                "The {count} request waiting for your approval was accepted: it takes a seat "
                "while seats last, else a place on the waitlist, and the person has been told.",
                "The {count} requests waiting for your approval were accepted, in the order "
                "they came: they take seats while seats last, the rest join the waitlist, and "
                "each person has been told.",
                accepted,
            ).format(count=t.number(accepted))
        )
    elif mode != before:
        lines.append(
            t._("Nobody already registered loses their place; only new registrations change.")
        )
    return await card_screen(step, event, "\n".join(lines), ConversationHandler.END)


@requires(Permission.ORGANIZE)
async def choose_mode(update: Update, context: TidelineContext) -> Next:
    (raw,) = button_args(update)

    async def work(step: Step) -> Screen:
        event = await focused(step)
        mode = RegistrationMode(raw)
        if mode == RegistrationMode.INVITE_CODE:
            return _invite_code_prompt(step)
        return await _set_mode(step, event, mode, None)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def type_invite_code(update: Update, context: TidelineContext) -> Next:
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text

    async def work(step: Step) -> Screen:
        event = await focused(step)
        try:
            code = steps.parse_line(step.t, text, rules.INVITE_CODE_MAX_LENGTH)
        except steps.Invalid as problem:
            return retry(step, problem, _invite_code_prompt(step))
        return await _set_mode(step, event, RegistrationMode.INVITE_CODE, code)

    return await run(update, context, work, edit=False)


@requires(Permission.ORGANIZE)
async def duplicate(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        t = step.t
        event = await managed(step, event_id, changing=False)
        copy = await organizing.duplicate_event(step.session, event, step.account, now=step.now)
        focus(step, copy)
        text = (
            t._(
                "Copied “{title}” as a new draft, with its venue, seats, questions and "
                "co-organizers; nobody is registered and the deadlines are not copied."
            ).format(title=escape(steps.event_title(copy, t.language)))
            + "\n\n"
            + start_prompt(step, copy.timezone)
        )
        return Screen(text, None, Awaiting.NEW_START)

    return await run(update, context, work)
