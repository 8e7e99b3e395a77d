"""Who registered for an event: the lists, ticking off attendance, the exports, and the
organizers' decisions on approval requests."""

from collections.abc import Callable
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from accounts.models import User
from accounts.service import Permission
from events import export, rules
from events.models import Event, EventStatus, Registration, RegistrationStatus
from events.rules import Refusal
from events.service import (
    EventRefused,
    decide,
    event_registrations,
    find_registration,
    mark_attendance,
)
from handlers.kit import actions as shared
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, requires
from handlers.kit.keyboards import Keyboard
from handlers.kit.reprompts import out_of_date_notice
from handlers.organize import steps
from handlers.organize.flow import (
    CARD,
    PENDING,
    PEOPLE_PER_PAGE,
    REGISTRATIONS,
    REJECT_NOW,
    REJECT_SURE,
    REJECT_WITH_REASON,
    TICK,
    TICK_INTENT,
    UNTICK,
    VIEW,
    VIEW_STATUSES,
    WAITLIST,
    Awaiting,
    Next,
    Refused,
    Screen,
    Step,
    focus,
    focused,
    int_args,
    managed,
    refusal_text,
    retry,
    run,
)


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
        event = await managed(step, int(event_id), changing=False)
        return await _view_screen(step, event, view, int(page))

    return await run(update, context, work)


async def _registration_event(step: Step, registration_id: int) -> tuple[Registration, Event]:
    registration = await find_registration(step.session, registration_id)
    if registration is None:
        raise Refused(step.t._("That registration no longer exists."))
    event = await managed(step, registration.event_id, changing=False)
    if event.status == EventStatus.CANCELLED:
        raise Refused(step.t._("This event has been cancelled, so it can no longer be changed."))
    return registration, event


@requires(Permission.ORGANIZE)
async def toggle_attendance(update: Update, context: TidelineContext) -> Next:
    registration_id, page = int_args(update)
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
            raise Refused(refusal_text(step.t, refused.refusal)) from None
        if not changed:
            await step.context.answer_query(update, out_of_date_notice(step.t), show_alert=True)
        await step.session.flush()
        return await _view_screen(step, event, REGISTRATIONS, page)

    return await run(update, context, work)


def exporter(extension: str) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def send(update: Update, context: TidelineContext) -> Next:
        (event_id,) = int_args(update)

        async def work(step: Step) -> Screen:
            t = step.t
            event = await managed(step, event_id, changing=False)
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

        return await run(update, context, work, edit=False)

    return send


# ---- approvals (standalone: the requests arrive as outbox notices) --------------------------


async def _decide(
    step: Step, registration_id: int, approve: bool, page: int | None, reason: str | None = None
) -> Screen:
    t = step.t
    registration, event = await _pending(step, registration_id)
    try:
        await decide(step.session, registration, approve=approve, now=step.now, reason=reason)
    except EventRefused as refused:
        raise Refused(refusal_text(t, refused.refusal)) from None
    name = escape(await _name(step, registration))
    if registration.status == RegistrationStatus.CONFIRMED:
        outcome = t._("Approved: {name} has a seat and has been told.")
    elif registration.status == RegistrationStatus.WAITLISTED:
        outcome = t._(
            "Approved, but the event is full: {name} is on the waitlist and has been told."
        )
    elif reason:
        outcome = t._("Not approved: {name} has been told, with your reason.")
    else:
        outcome = t._("Not approved: {name} has been told.")
    outcome = outcome.format(name=name)
    if page is not None:  # decided on the pending approvals list: show the list again
        return await _view_screen(step, event, PENDING, page, outcome)
    title = escape(steps.event_title(event, t.language))
    return Screen(f"<b>{title}</b>\n{outcome}")


async def _pending(step: Step, registration_id: int) -> tuple[Registration, Event]:
    registration, event = await _registration_event(step, registration_id)
    if event.ends_at <= step.now:
        raise Refused(step.t._("This event is over, so it can no longer be changed."))
    if registration.status != RegistrationStatus.PENDING:
        raise Refused(refusal_text(step.t, Refusal.ALREADY_DECIDED))
    return registration, event


async def _name(step: Step, registration: Registration) -> str:
    person = await step.session.get(User, registration.user_id)
    return steps.person_name(person) if person else "–"


@requires(Permission.ORGANIZE)
async def approve(update: Update, context: TidelineContext) -> None:
    registration_id, *rest = int_args(update)

    async def work(step: Step) -> Screen:
        return await _decide(step, registration_id, True, rest[0] if rest else None)

    await run(update, context, work)


@requires(Permission.ORGANIZE)
async def ask_reject(update: Update, context: TidelineContext) -> None:
    """Reject asks first, and offers to say why: the person reads the reason."""
    registration_id, *rest = int_args(update)
    page = [rest[0]] if rest else []

    async def work(step: Step) -> Screen:
        context, t = step.context, step.t
        registration, event = await _pending(step, registration_id)
        text = t._("Reject the request of {name} for “{title}”? They will be told.").format(
            name=escape(await _name(step, registration)),
            title=escape(steps.event_title(event, t.language)),
        )
        keyboard = [
            [context.button(t._("Yes, reject"), REJECT_SURE, registration.id, REJECT_NOW, *page)],
            [
                context.button(
                    t._("Reject and say why"),
                    REJECT_SURE,
                    registration.id,
                    REJECT_WITH_REASON,
                    *page,
                )
            ],
            [context.button(t._("« Back"), VIEW, event.id, PENDING, rest[0] if rest else 0)],
        ]
        return Screen(text, keyboard)

    await run(update, context, work)


def _reason_prompt(step: Step, name: str) -> Screen:
    text = step.t._("Type the reason in a few words; {name} reads it as you write it.").format(
        name=escape(name)
    )
    return Screen(text, None, Awaiting.REJECTION_REASON)


@requires(Permission.ORGANIZE)
async def reject(update: Update, context: TidelineContext) -> Next:
    registration_id, how, *rest = button_args(update)
    page = int(rest[0]) if rest else None

    async def work(step: Step) -> Screen:
        if how != REJECT_WITH_REASON:
            return await _decide(step, int(registration_id), False, page)
        registration, event = await _pending(step, int(registration_id))
        focus(step, event, reject=registration.id, page=page)
        return _reason_prompt(step, await _name(step, registration))

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def type_rejection_reason(update: Update, context: TidelineContext) -> Next:
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text

    async def work(step: Step) -> Screen:
        await focused(step)
        notes = step.notes
        if "reject" not in notes:
            raise Refused(step.t._("That step is over. Send /organize to start again."))
        registration_id, page = int(notes["reject"]), notes.get("page")
        try:
            reason = steps.parse_line(step.t, text, rules.REJECTION_REASON_MAX_LENGTH)
        except steps.Invalid as problem:
            registration, _ = await _pending(step, registration_id)
            return retry(step, problem, _reason_prompt(step, await _name(step, registration)))
        screen = await _decide(step, registration_id, False, page, reason)
        step.notes = steps.wizard_answers(notes)
        screen.state = ConversationHandler.END
        return screen

    return await run(update, context, work, edit=False)
