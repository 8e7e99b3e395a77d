"""The organizers' review of a cleanup's data cards: mark them reviewed, correct a figure."""

from telegram import Update
from telegram.ext import ConversationHandler

from events import cleanup_card as card
from events.cleanup_card import Figure, InvalidFigure, Refusal, ReportRefused
from events.models import CleanupReport, Event
from handlers.cleanup.flow import (
    CLOSE_REVIEW,
    CORRECT,
    CORRECT_FIGURE,
    EXPORT_CARDS,
    FIGURE_LABELS,
    REVIEW,
    REVIEW_PAGE,
    REVIEWED,
    SHOW_PHOTOS,
    Awaiting,
    admins,
    draft_key,
    escaped_title,
    figure_problem_text,
    figures_line,
    items_lines,
    while_open,
)
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.keyboards import Keyboard, rows
from i18n import Translator


def _report_line(t: Translator, report: CleanupReport, event: Event) -> str:
    status = t._("reviewed") if report.reviewed_at is not None else t._("waiting for review")
    head = t._("<b>Report {number}</b> · {date} · {status}").format(
        number=report.id, date=t.date(report.submitted_at, event.timezone, "medium"), status=status
    )
    lines = [head, figures_line(t, report), *items_lines(t, report.items)]
    photos = len(report.photo_file_ids)
    if photos:
        lines.append(
            t.ngettext("{count} photo", "{count} photos", photos).format(count=t.number(photos))
        )
    return "\n".join(lines)


@while_open
async def open_review(update: Update, context: TidelineContext) -> Awaiting | int:
    event_id, *page = button_args(update)
    return await show_review(
        update, context, int(event_id), edit=True, page=int(page[0]) if page else 0
    )


async def show_review(
    update: Update, context: TidelineContext, event_id: int, *, edit: bool, page: int = 0
) -> Awaiting:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    reports = await card.reports_to_review(session, account, event_id, admins(context))
    event = await session.get(Event, event_id)
    totals = await card.event_totals(session, event_id)
    assert event is not None
    # Unreviewed cards come first; later pages hold the rest, ten at a time.
    pages = max((len(reports) + REVIEW_PAGE - 1) // REVIEW_PAGE, 1)
    page = min(max(page, 0), pages - 1)
    shown = reports[page * REVIEW_PAGE : (page + 1) * REVIEW_PAGE]
    lines = [
        t._("<b>Data cards</b> – {title}").format(title=escaped_title(t, event)),
        t._("<b>Total</b>: {figures}").format(figures=figures_line(t, totals)),
        t._("{reviewed} of {reports} reviewed").format(
            reviewed=t.number(totals.reviewed), reports=t.number(totals.reports)
        ),
    ]
    lines += ["\n" + _report_line(t, report, event) for report in shown]
    keyboard: Keyboard = []
    for report in shown:
        row = [context.button(t._("Correct {number}").format(number=report.id), CORRECT, report.id)]
        if report.reviewed_at is None:
            row.append(
                context.button(
                    t._("Mark {number} reviewed").format(number=report.id), REVIEWED, report.id
                )
            )
        if report.photo_file_ids:
            row.append(
                context.button(
                    t._("📷 Photos {number}").format(number=report.id), SHOW_PHOTOS, report.id
                )
            )
        keyboard.append(row)
    paging = []
    if page > 0:
        paging.append(context.button(t._("‹ Previous"), REVIEW, event_id, page - 1))
    if page + 1 < pages:
        paging.append(context.button(t._("Next ›"), REVIEW, event_id, page + 1))
    if paging:
        keyboard.append(paging)
    if reports:
        keyboard.append(
            [
                context.button(t._("Export CSV"), EXPORT_CARDS, event_id, "csv"),
                context.button(t._("Export XLSX"), EXPORT_CARDS, event_id, "xlsx"),
            ]
        )
    keyboard.append([context.button(t._("Close"), CLOSE_REVIEW)])
    await answer(update, context, "\n".join(lines), keyboard, edit=edit)
    return Awaiting.REVIEW


@while_open
async def confirm_reviewed(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    report = await card.mark_reviewed(
        session,
        report_id=int(button_args(update)[0]),
        organizer=await account_of(session, update),
        now=context.now(),
        admin_ids=admins(context),
    )
    return await show_review(update, context, report.event_id, edit=True)


@while_open
async def choose_correction(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    report_id = int(button_args(update)[0])
    session = await context.session()
    report = await session.get(CleanupReport, report_id)
    if report is None:
        raise ReportRefused(Refusal.NO_SUCH_EVENT)
    keyboard = rows(
        [
            context.button(t._(label), CORRECT_FIGURE, report_id, figure.value)
            for figure, label in FIGURE_LABELS.items()
        ],
        2,
    ) + [[context.button(t._("Back"), REVIEW, report.event_id)]]
    await answer(
        update,
        context,
        t._("Which figure of report {number} needs correcting?").format(number=report_id),
        keyboard,
        edit=True,
    )
    return Awaiting.CORRECTION_FIGURE


@while_open
async def ask_correction(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    report_id, figure_value = button_args(update)
    figure = Figure(figure_value)
    session = await context.session()
    report = await card.begin_correction(
        session,
        draft_key(update),
        report_id=int(report_id),
        figure=figure,
        organizer=await account_of(session, update),
        admin_ids=admins(context),
    )
    current = card.Card(report.bags, report.weight_kg, report.people, report.distance_m)
    await answer(
        update,
        context,
        t._("{figure} of report {number} is now {value}. Type the correct figure.").format(
            figure=t._(FIGURE_LABELS[figure]),
            number=report.id,
            value=t.number(current.figure(figure)),
        ),
        edit=True,
    )
    return Awaiting.CORRECTION_VALUE


@while_open
async def type_correction(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        session = await context.session()
        report = await card.finish_correction(
            session,
            draft_key(update),
            text=message.text,
            locale=context.t.locale,
            organizer=await account_of(session, update),
            admin_ids=admins(context),
        )
    except InvalidFigure as problem:
        await answer(update, context, figure_problem_text(context.t, problem))
        return None
    await answer(update, context, context.t._("Corrected."))
    return await show_review(update, context, report.event_id, edit=False)


async def close_review(update: Update, context: TidelineContext) -> int:
    await answer(update, context, context.t._("Review closed."), edit=True)
    return ConversationHandler.END
