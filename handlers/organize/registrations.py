"""Who registered for an event: the lists, ticking off attendance, the exports, and the
organizers' decisions on approval requests."""

from collections.abc import Callable
from html import escape
from typing import Any

from telegram import Update

from accounts.models import User
from accounts.service import Permission
from events import export
from events.models import Event, EventStatus, Registration, RegistrationStatus
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
    TICK,
    TICK_INTENT,
    UNTICK,
    VIEW,
    VIEW_STATUSES,
    WAITLIST,
    Next,
    Refused,
    Screen,
    Step,
    int_args,
    managed,
    refusal_text,
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


def decider(approve: bool) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def decided(update: Update, context: TidelineContext) -> None:
        registration_id, *rest = int_args(update)

        async def work(step: Step) -> Screen:
            t = step.t
            registration, event = await _registration_event(step, registration_id)
            if event.ends_at <= step.now:
                raise Refused(t._("This event is over, so it can no longer be changed."))
            try:
                await decide(step.session, registration, approve=approve, now=step.now)
            except EventRefused as refused:
                raise Refused(refusal_text(t, refused.refusal)) from None
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

        await run(update, context, work)

    return decided
