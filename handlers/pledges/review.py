"""/review: reviewers (and administrators) work through submitted pledges and progress reports.

A pledge is accepted or sent back with a note; each metric of a report is marked verified, not
aligned (with the reason) or needs evidence. A report comes back to the queue when a metric
marked *needs evidence* got new evidence since. Every button says what it does and carries the
pledge, report and metric it is about; the role is checked on each one, and the domain checks
the status again, so an old button cannot decide twice. Every decision is kept with who and when
(``pledges.models.ReviewDecision``) and each member of the company is told through the outbox
(``notices.tell_members``)."""

import json
from collections.abc import Awaitable, Callable
from contextlib import suppress
from enum import StrEnum
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from telegram import InlineKeyboardButton, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.models import User
from accounts.service import Permission
from db.conversations import load_state, save_state
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer, requires
from handlers.kit.person_state import person_key
from handlers.kit.profile_fields import country_label
from handlers.kit.reprompts import expect_text
from handlers.kit.steps import StepCallback
from handlers.pledges.notices import tell_members
from handlers.pledges.pledge_wizard import commitment_line
from handlers.pledges.progress_texts import (
    PROGRESS_LABELS,
    VERDICT_LABELS,
    company_name,
    day_text,
    metric_name,
    target_text,
    value_text,
)
from i18n import Translator, lazy
from i18n.fallback import pick
from pledges import service
from pledges.content import InvalidContent, ProblemKind, answers_of
from pledges.models import (
    Commitment,
    Company,
    Decision,
    Evidence,
    EvidenceKind,
    Pledge,
    PledgeStatus,
    ProgressReport,
    ReportingPeriod,
    ReviewDecision,
)
from pledges.service import NOTE_MAX_LENGTH, PledgeError, WrongStatus

QUEUE = "pl.rv.q"
OPEN_PLEDGE = "pl.rv.p"  # pledge id
ACCEPT = "pl.rv.ok"  # pledge id
ASK_CHANGES = "pl.rv.chg"  # pledge id
OPEN_REPORT = "pl.rv.r"  # report id
SHOW_EVIDENCE = "pl.rv.ev"  # report id
VERDICT = "pl.rv.v"  # report id, commitment id, Decision value

# What a reviewer is about to write a note or reason for, kept beside the conversation state.
PENDING_STORE = "pledge_review_pending"
QUEUE_LIMIT = 20
VERDICT_MARKS = {Decision.VERIFIED: "✅", Decision.NOT_ALIGNED: "❌", Decision.NEEDS_EVIDENCE: "❓"}
DECISION_LABELS: dict[Decision, str] = {
    Decision.ACCEPTED: lazy("accepted"),
    Decision.CHANGES_REQUESTED: lazy("changes requested"),
    Decision.IMPORTED: lazy("imported as accepted"),
    **VERDICT_LABELS,
}


class Awaiting(StrEnum):
    CHANGE_NOTE = "change_note"
    NOT_ALIGNED_REASON = "not_aligned_reason"


Keyboard = list[list[InlineKeyboardButton]]


async def _remember(session: AsyncSession, update: Update, pending: dict[str, int]) -> None:
    await save_state(session, PENDING_STORE, person_key(update), json.dumps(pending))


async def _recall(session: AsyncSession, update: Update) -> dict[str, int] | None:
    """What the reviewer was about to write for, forgotten once read."""
    stored = await load_state(session, PENDING_STORE, person_key(update))
    await save_state(session, PENDING_STORE, person_key(update), None)
    if stored is None:
        return None
    pending: dict[str, int] = json.loads(stored)
    return pending


def _admins(context: TidelineContext) -> frozenset[int]:
    return context.services.settings.ADMIN_IDS


def _when(t: Translator, context: TidelineContext, decision: ReviewDecision) -> str:
    return t.moment(decision.decided_at, context.services.settings.DEFAULT_TIMEZONE)


async def _reviewer_name(session: AsyncSession, user_id: int | None) -> str:
    person = None if user_id is None else await session.get(User, user_id)
    if person is None:
        return "—"
    return escape(person.first_name or (f"@{person.username}" if person.username else "—"))


async def _refuse(update: Update, context: TidelineContext, text: str) -> None:
    if update.callback_query is not None:
        await context.answer_query(update, text, show_alert=True)
    else:
        await answer(update, context, text)


def _gone(t: Translator) -> str:
    return t._("That is no longer there: it may have been withdrawn or deleted.")


def _already_decided(t: Translator) -> str:
    return t._(
        "This is no longer waiting for review, so nothing changed. Send /review for the queue."
    )


# -- the queue ------------------------------------------------------------------------------------


async def _new_evidence_for(session: AsyncSession) -> list[ProgressReport]:
    """Reports back in the queue: a metric still stands at *needs evidence* and the company has
    added evidence since that verdict."""
    asked = aliased(ReviewDecision)
    newer = (
        select(Evidence.id)
        .where(Evidence.report_id == asked.report_id, Evidence.uploaded_at > asked.decided_at)
        .exists()
    )
    rows = await session.execute(
        select(ProgressReport, asked.commitment_id)
        .join(asked, asked.report_id == ProgressReport.id)
        .where(asked.decision == Decision.NEEDS_EVIDENCE, newer)
        .order_by(ProgressReport.submitted_at, ProgressReport.id)
    )
    waiting: dict[int, ProgressReport] = {}
    for report, commitment_id in rows:
        standing = await service.verdicts(session, report.id)
        if commitment_id is not None and standing.get(commitment_id) == Decision.NEEDS_EVIDENCE:
            waiting.setdefault(report.id, report)
    return list(waiting.values())


async def _queue_screen(
    context: TidelineContext, session: AsyncSession
) -> tuple[str, Keyboard | None]:
    t = context.t
    queue = await service.review_queue(session)
    queue.reports.extend(
        report
        for report in await _new_evidence_for(session)
        if report.id not in {queued.id for queued in queue.reports}
    )
    if not queue.pledges and not queue.reports:
        return t._("Nothing is waiting for review."), None
    lines = [
        t._("<b>Waiting for review</b>"),
        t.ngettext("{count} pledge", "{count} pledges", len(queue.pledges)).format(
            count=t.number(len(queue.pledges))
        ),
        t.ngettext(
            "{count} progress report", "{count} progress reports", len(queue.reports)
        ).format(count=t.number(len(queue.reports))),
    ]
    keyboard: Keyboard = []
    for pledge in queue.pledges[:QUEUE_LIMIT]:
        company = await session.get(Company, pledge.company_id)
        assert company is not None
        label = t._("Pledge: {company}").format(
            company=pick(company.names, t.language, company.main_language).text
        )
        keyboard.append([context.button(label, OPEN_PLEDGE, pledge.id)])
    for report in queue.reports[:QUEUE_LIMIT]:
        period = await session.get(ReportingPeriod, report.period_id)
        assert period is not None
        pledge_of = await session.get(Pledge, period.pledge_id)
        assert pledge_of is not None
        company = await session.get(Company, pledge_of.company_id)
        assert company is not None
        label = t._("Report on {year}: {company}").format(
            year=period.year, company=pick(company.names, t.language, company.main_language).text
        )
        keyboard.append([context.button(label, OPEN_REPORT, report.id)])
    return "\n".join(lines), keyboard


@requires(Permission.REVIEW)
async def show_queue(update: Update, context: TidelineContext) -> int:
    session = await context.session()
    text, keyboard = await _queue_screen(context, session)
    await answer(update, context, text, keyboard, edit=update.callback_query is not None)
    return ConversationHandler.END


# -- pledges --------------------------------------------------------------------------------------


async def _decision_lines(
    t: Translator, context: TidelineContext, session: AsyncSession, decisions: list[ReviewDecision]
) -> list[str]:
    lines = []
    for decision in decisions:
        line = t._("{when}: {decision} by {reviewer}").format(
            when=_when(t, context, decision),
            decision=t._(DECISION_LABELS[Decision(decision.decision)]),
            reviewer=await _reviewer_name(session, decision.reviewer_id),
        )
        if decision.note:
            line += f" — <i>{escape(decision.note)}</i>"
        lines.append(line)
    return lines


async def _pledge_screen(
    context: TidelineContext, session: AsyncSession, pledge: Pledge
) -> tuple[str, Keyboard]:
    t = context.t
    company = await session.get(Company, pledge.company_id)
    assert company is not None
    lines = [
        t._("<b>Pledge of {company}</b>").format(company=company_name(company, t.language)),
        country_label(t, company.country),
        t._("Baseline: {year}, {tonnes} tonnes of plastic packaging").format(
            year=pledge.baseline_year, tonnes=t.number(pledge.baseline_tonnes or 0)
        ),
    ]
    # Said as the company wrote it: the baseline share it starts from, the items it drops.
    for entry in answers_of(service.content_of(pledge))["commitments"]:
        lines.append(f"• {commitment_line(t, entry)}")
    if pledge.statements:
        statement = pick(pledge.statements, t.language, company.main_language)
        lines.append(f"<i>{escape(statement.text)}</i>")
    decisions = [d for d in await service.decisions_on(session, pledge.id) if d.report_id is None]
    if decisions:
        lines += [
            "",
            t._("<b>Decisions</b>"),
            *await _decision_lines(t, context, session, decisions),
        ]
    keyboard: Keyboard = []
    if pledge.status == PledgeStatus.SUBMITTED:
        keyboard.append(
            [
                context.button(t._("Accept"), ACCEPT, pledge.id),
                context.button(t._("Ask for changes"), ASK_CHANGES, pledge.id),
            ]
        )
    keyboard.append([context.button(t._("Back to the queue"), QUEUE)])
    return "\n".join(lines), keyboard


async def _button_pledge(update: Update, context: TidelineContext) -> Pledge | None:
    session = await context.session()
    pledge = await session.get(Pledge, int(button_args(update)[0]))
    if pledge is None:
        await _refuse(update, context, _gone(context.t))
    return pledge


@requires(Permission.REVIEW)
async def open_pledge(update: Update, context: TidelineContext) -> int:
    pledge = await _button_pledge(update, context)
    if pledge is not None:
        text, keyboard = await _pledge_screen(context, await context.session(), pledge)
        await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


@requires(Permission.REVIEW)
async def accept(update: Update, context: TidelineContext) -> int:
    pledge = await _button_pledge(update, context)
    if pledge is None:
        return ConversationHandler.END
    session = await context.session()
    reviewer = await account_of(session, update)
    try:
        await service.accept_pledge(
            session, pledge, reviewer=reviewer, admin_ids=_admins(context), now=context.now()
        )
    except WrongStatus:
        await _refuse(update, context, _already_decided(context.t))
        return ConversationHandler.END
    await _told(context, session, pledge)
    await context.answer_query(update, context.t._("Accepted: the pledge is public now."))
    text, keyboard = await _pledge_screen(context, session, pledge)
    await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


async def _told(context: TidelineContext, session: AsyncSession, pledge: Pledge) -> None:
    decision = (await service.decisions_on(session, pledge.id))[-1]
    await tell_members(session, decision, pledge.company_id, now=context.now())


@requires(Permission.REVIEW)
async def ask_changes(update: Update, context: TidelineContext) -> Awaiting | int:
    pledge = await _button_pledge(update, context)
    if pledge is None:
        return ConversationHandler.END
    if pledge.status != PledgeStatus.SUBMITTED:
        await _refuse(update, context, _already_decided(context.t))
        return ConversationHandler.END
    await _remember(await context.session(), update, {"pledge_id": pledge.id})
    await answer(
        update,
        context,
        context.t._(
            "What should the company change? Type your note: the members receive it in the chat "
            "with the pledge. /cancel stops."
        ),
    )
    return Awaiting.CHANGE_NOTE


def _note_problem(t: Translator, error: InvalidContent) -> str:
    if error.problems and error.problems[0].kind == ProblemKind.TOO_LONG:
        return t.ngettext(
            "That is too long: please keep it under {count} character.",
            "That is too long: please keep it under {count} characters.",
            NOTE_MAX_LENGTH,
        ).format(count=t.number(NOTE_MAX_LENGTH))
    return t._("Please type it as text.")


@requires(Permission.REVIEW)
async def type_change_note(update: Update, context: TidelineContext) -> Awaiting | int:
    t = context.t
    session = await context.session()
    pending = await _recall(session, update)
    pledge = None if pending is None else await session.get(Pledge, pending.get("pledge_id", 0))
    if pledge is None:
        await answer(update, context, _gone(t))
        return ConversationHandler.END
    reviewer = await account_of(session, update)
    message = update.effective_message
    assert message is not None
    try:
        await service.request_changes(
            session,
            pledge,
            reviewer=reviewer,
            admin_ids=_admins(context),
            note=message.text or "",
            now=context.now(),
        )
    except WrongStatus:
        await answer(update, context, _already_decided(t))
        return ConversationHandler.END
    except InvalidContent as error:
        await _remember(session, update, pending or {})
        await answer(update, context, _note_problem(t, error))
        return Awaiting.CHANGE_NOTE
    await _told(context, session, pledge)
    await answer(update, context, t._("Sent back to the company with your note."))
    text, keyboard = await _pledge_screen(context, session, pledge)
    await answer(update, context, text, keyboard)
    return ConversationHandler.END


# -- reports --------------------------------------------------------------------------------------


async def _report_context(
    session: AsyncSession, report: ProgressReport
) -> tuple[ReportingPeriod, Pledge, Company]:
    period = await session.get(ReportingPeriod, report.period_id)
    assert period is not None
    pledge = await session.get(Pledge, period.pledge_id)
    assert pledge is not None
    company = await session.get(Company, pledge.company_id)
    assert company is not None
    return period, pledge, company


async def _report_screen(
    context: TidelineContext, session: AsyncSession, report: ProgressReport
) -> tuple[str, Keyboard]:
    t = context.t
    period, pledge, company = await _report_context(session, report)
    standing = await service.verdicts(session, report.id)
    values = {value.commitment_id: value.value for value in report.values}
    lines = [
        t._("<b>{company}</b>: progress report on {year}").format(
            company=company_name(company, t.language), year=period.year
        ),
        t._("Due by {deadline}").format(deadline=day_text(t, period.deadline)),
    ]
    if report.total_tonnes is not None:
        lines.append(
            t._("Plastic packaging: {tonnes} tonnes").format(tonnes=t.number(report.total_tonnes))
        )
    keyboard: Keyboard = []
    reported: list[Commitment] = [c for c in pledge.commitments if c.id in values]
    for number, commitment in enumerate(reported, start=1):
        value = values[commitment.id]
        progress = service.progress_of(pledge, commitment, period.year, value)
        verdict = standing.get(commitment.id)
        judged = (
            t._("not judged yet")
            if verdict is None
            else f"{VERDICT_MARKS[verdict]} {t._(VERDICT_LABELS[verdict])}"
        )
        lines.append(
            t._("{number}. {metric}: {value} ({progress}; {target}) — {verdict}").format(
                number=number,
                metric=metric_name(t, commitment),
                value=value_text(t, commitment, value),
                progress=t._(PROGRESS_LABELS[progress]),
                target=target_text(t, commitment),
                verdict=judged,
            )
        )
        keyboard.append(
            [
                context.button(
                    f"{VERDICT_MARKS[choice]} {number}",
                    VERDICT,
                    report.id,
                    commitment.id,
                    choice.value,
                )
                for choice in (Decision.VERIFIED, Decision.NOT_ALIGNED, Decision.NEEDS_EVIDENCE)
            ]
        )
    if report.narratives:
        narrative = pick(report.narratives, t.language, company.main_language)
        lines.append(f"<i>{escape(narrative.text)}</i>")
    lines.append(
        t.ngettext("{count} evidence file", "{count} evidence files", len(report.evidence)).format(
            count=t.number(len(report.evidence))
        )
    )
    lines.append(
        t._(
            "Mark each metric: ✅ verified, ❌ not aligned (you give the reason), "
            "❓ needs evidence."
        )
    )
    decisions = [
        d for d in await service.decisions_on(session, pledge.id) if d.report_id == report.id
    ]
    if decisions:
        lines += [
            "",
            t._("<b>Decisions</b>"),
            *await _decision_lines(t, context, session, decisions),
        ]
    if report.evidence:
        keyboard.append([context.button(t._("Show the evidence"), SHOW_EVIDENCE, report.id)])
    keyboard.append([context.button(t._("Back to the queue"), QUEUE)])
    return "\n".join(lines), keyboard


async def _button_report(update: Update, context: TidelineContext) -> ProgressReport | None:
    session = await context.session()
    report = await session.get(ProgressReport, int(button_args(update)[0]))
    if report is None or report.submitted_at is None:
        await _refuse(update, context, _gone(context.t))
        return None
    return report


@requires(Permission.REVIEW)
async def open_report(update: Update, context: TidelineContext) -> int:
    report = await _button_report(update, context)
    if report is not None:
        text, keyboard = await _report_screen(context, await context.session(), report)
        await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


@requires(Permission.REVIEW)
async def show_evidence(update: Update, context: TidelineContext) -> int:
    report = await _button_report(update, context)
    chat = update.effective_chat
    if report is None or chat is None:
        return ConversationHandler.END
    await context.answer_query(update)
    for evidence in report.evidence:
        await context.send(_evidence_sender(context, chat.id, evidence.kind, evidence.file_id))
    return ConversationHandler.END


def _evidence_sender(
    context: TidelineContext, chat_id: int, kind: str, file_id: str
) -> Callable[[], Awaitable[object]]:
    async def deliver() -> None:
        # A file Telegram no longer has must not hide the others.
        with suppress(BadRequest, Forbidden):
            if kind == EvidenceKind.PHOTO:
                await context.bot.send_photo(chat_id, file_id)
            else:
                await context.bot.send_document(chat_id, file_id)

    return deliver


async def _judge(
    update: Update,
    context: TidelineContext,
    report: ProgressReport,
    commitment_id: int,
    verdict: Decision,
    reason: str | None,
) -> ReviewDecision | None:
    session = await context.session()
    commitment = await session.get(Commitment, commitment_id)
    if commitment is None:
        await _refuse(update, context, _gone(context.t))
        return None
    reviewer = await account_of(session, update)
    decision = await service.judge_metric(
        session,
        report,
        commitment,
        verdict=verdict,
        reviewer=reviewer,
        admin_ids=_admins(context),
        now=context.now(),
        reason=reason,
    )
    _, pledge, _ = await _report_context(session, report)
    await tell_members(session, decision, pledge.company_id, now=context.now())
    return decision


@requires(Permission.REVIEW)
async def judge(update: Update, context: TidelineContext) -> Awaiting | int:
    t = context.t
    report = await _button_report(update, context)
    if report is None:
        return ConversationHandler.END
    _, commitment_arg, verdict_arg = button_args(update)
    verdict = Decision(verdict_arg)
    session = await context.session()
    if verdict == Decision.NOT_ALIGNED:
        commitment = await session.get(Commitment, int(commitment_arg))
        if commitment is None:
            await _refuse(update, context, _gone(t))
            return ConversationHandler.END
        await _remember(session, update, {"report_id": report.id, "commitment_id": commitment.id})
        await answer(
            update,
            context,
            t._(
                "Why is {metric} not aligned? Type the reason, e.g. a recyclability claim that "
                "does not meet the definition. The company receives it. /cancel stops."
            ).format(metric=metric_name(t, commitment)),
        )
        return Awaiting.NOT_ALIGNED_REASON
    try:
        decision = await _judge(update, context, report, int(commitment_arg), verdict, None)
    except (PledgeError, InvalidContent):
        await _refuse(update, context, _already_decided(t))
        return ConversationHandler.END
    if decision is not None:
        await context.answer_query(
            update, t._("Marked {verdict}.").format(verdict=t._(VERDICT_LABELS[verdict]))
        )
        text, keyboard = await _report_screen(context, session, report)
        await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


@requires(Permission.REVIEW)
async def type_reason(update: Update, context: TidelineContext) -> Awaiting | int:
    t = context.t
    session = await context.session()
    pending = await _recall(session, update)
    report = (
        None if pending is None else await session.get(ProgressReport, pending.get("report_id", 0))
    )
    if pending is None or report is None:
        await answer(update, context, _gone(t))
        return ConversationHandler.END
    message = update.effective_message
    assert message is not None
    try:
        decision = await _judge(
            update, context, report, pending["commitment_id"], Decision.NOT_ALIGNED, message.text
        )
    except InvalidContent as error:
        await _remember(session, update, pending)
        await answer(update, context, _note_problem(t, error))
        return Awaiting.NOT_ALIGNED_REASON
    except PledgeError:
        await answer(update, context, _already_decided(t))
        return ConversationHandler.END
    if decision is not None:
        await answer(update, context, t._("Marked not aligned; the company is told why."))
        text, keyboard = await _report_screen(context, session, report)
        await answer(update, context, text, keyboard)
    return ConversationHandler.END


async def cancel(update: Update, context: TidelineContext) -> int:
    await _recall(await context.session(), update)
    await answer(update, context, context.t._("Cancelled. Nothing was decided."))
    return ConversationHandler.END


def _button(action: str, callback: StepCallback) -> CallbackQueryHandler[TidelineContext, Any]:
    return CallbackQueryHandler(callback, pattern=action_pattern(action))


def build_review() -> ConversationHandler[TidelineContext]:
    typed = filters.TEXT & ~filters.COMMAND
    entry_points: list[BaseHandler[Update, TidelineContext, Any]] = [
        CommandHandler("review", show_queue),
        _button(QUEUE, show_queue),
        _button(OPEN_PLEDGE, open_pledge),
        _button(ACCEPT, accept),
        _button(ASK_CHANGES, ask_changes),
        _button(OPEN_REPORT, open_report),
        _button(SHOW_EVIDENCE, show_evidence),
        _button(VERDICT, judge),
    ]
    return ConversationHandler(
        name="pledge_review",
        persistent=True,
        allow_reentry=True,
        entry_points=entry_points,
        states={
            Awaiting.CHANGE_NOTE: [
                MessageHandler(typed, type_change_note),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
            Awaiting.NOT_ALIGNED_REASON: [
                MessageHandler(typed, type_reason),
                MessageHandler(~filters.COMMAND, expect_text),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
