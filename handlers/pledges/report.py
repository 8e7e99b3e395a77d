"""A member's yearly progress report: the current value of each commitment, a short narrative,
evidence (photos and documents), a summary, Submit.

Entered from the company screen and from the yearly reminder (``actions.START_REPORT``, the
reporting period). Every answer is saved in the report as it is given, so a restart or a
/cancel loses nothing: the next entry goes on from the first metric without a value. Which
metric is being asked is kept beside the conversation state. Membership is checked by the
domain on every step, so a former member's old button is refused.

Evidence: Telegram hands bots files up to 20 MB, so a larger one is refused from the size the
message states, before any download; a file within it is downloaded once to hash its content
(the same file twice is kept once) and only its file id is stored."""

import hashlib
import json
from decimal import Decimal
from enum import StrEnum
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, Message, Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.models import User
from db.conversations import load_state, save_state
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.person_state import person_key
from handlers.kit.reprompts import expect_buttons, expect_text
from handlers.kit.steps import StepCallback
from handlers.pledges import actions
from handlers.pledges.progress_texts import (
    PROGRESS_LABELS,
    VERDICT_LABELS,
    bounds_text,
    company_name,
    day_text,
    metric_name,
    target_text,
    value_problem_text,
)
from handlers.pledges.progress_texts import value_text as shown_value
from i18n import Translator
from i18n.input_problems import ambiguous_number
from i18n.numbers import NumberProblem, UnreadableNumber, read_decimal
from pledges import service
from pledges.content import STATEMENT_MAX_LENGTH, InvalidContent, ProblemKind
from pledges.models import (
    Commitment,
    Company,
    Decision,
    EvidenceKind,
    Pledge,
    ProgressReport,
    ReportingPeriod,
)
from pledges.service import EVIDENCE_MAX_BYTES, EVIDENCE_MAX_FILES, NotAMember, WrongStatus

SKIP_NARRATIVE = "pl.rp.skip"  # report id
EVIDENCE_DONE = "pl.rp.done"  # report id
SUBMIT = "pl.rp.send"  # report id
CHANGE_VALUE = "pl.rp.chv"  # report id, commitment id
CHANGE_NARRATIVE = "pl.rp.chn"  # report id
ADD_EVIDENCE = "pl.rp.add"  # report id

DRAFT_STORE = "pledge_report_draft"
MEGABYTE = 1024 * 1024


class Awaiting(StrEnum):
    VALUE = "value"
    NARRATIVE = "narrative"
    EVIDENCE = "evidence"
    SUMMARY = "summary"


Keyboard = list[list[InlineKeyboardButton]]


async def _save(session: AsyncSession, update: Update, draft: dict[str, Any]) -> None:
    await save_state(session, DRAFT_STORE, person_key(update), json.dumps(draft))


async def _draft(session: AsyncSession, update: Update) -> dict[str, Any] | None:
    stored = await load_state(session, DRAFT_STORE, person_key(update))
    return None if stored is None else dict(json.loads(stored))


async def _forget(session: AsyncSession, update: Update) -> None:
    await save_state(session, DRAFT_STORE, person_key(update), None)


def _not_member(t: Translator) -> str:
    return t._("Only members of the company can do that.")


def _closed(t: Translator) -> str:
    return t._("Every figure of this report was verified, so it cannot change any more.")


def _gone(t: Translator) -> str:
    return t._("That report is no longer there. Open it again from your company screen.")


class Report:
    """The report a step works on, with what it belongs to and who is at the keyboard."""

    def __init__(
        self,
        report: ProgressReport,
        period: ReportingPeriod,
        pledge: Pledge,
        company: Company,
        account: User,
    ) -> None:
        self.report = report
        self.period = period
        self.pledge = pledge
        self.company = company
        self.account = account

    @property
    def values(self) -> dict[int, float]:
        return {value.commitment_id: value.value for value in self.report.values}

    def first_missing(self) -> Commitment | None:
        values = self.values
        return next((c for c in self.pledge.commitments if c.id not in values), None)

    def commitment(self, commitment_id: int) -> Commitment | None:
        return next((c for c in self.pledge.commitments if c.id == commitment_id), None)


async def _load(
    session: AsyncSession, update: Update, report_id: int, *, member_check: bool = True
) -> Report:
    account = await account_of(session, update)
    report = await session.get(ProgressReport, report_id)
    if report is None:
        raise LookupError(report_id)
    period = await session.get(ReportingPeriod, report.period_id)
    assert period is not None
    pledge = await session.get(Pledge, period.pledge_id)
    assert pledge is not None
    company = await session.get(Company, pledge.company_id)
    assert company is not None
    if member_check and not await service.is_member(session, company.id, account.id):
        raise NotAMember(company.id)
    return Report(report, period, pledge, company, account)


async def _current(update: Update, context: TidelineContext) -> Report:
    session = await context.session()
    draft = await _draft(session, update)
    if draft is None:
        raise LookupError("no draft")
    return await _load(session, update, int(draft["report_id"]))


async def _refuse(update: Update, context: TidelineContext, text: str) -> int:
    if update.callback_query is not None:
        await context.answer_query(update, text, show_alert=True)
    else:
        await answer(update, context, text)
    await _forget(await context.session(), update)
    return ConversationHandler.END


async def _guarded(update: Update, context: TidelineContext, run: StepCallback) -> Any:
    """Runs a step, turning the domain's refusals into their localized answers."""
    t = context.t
    try:
        return await run(update, context)
    except NotAMember:
        return await _refuse(update, context, _not_member(t))
    except WrongStatus:
        return await _refuse(update, context, _closed(t))
    except LookupError:
        return await _refuse(update, context, _gone(t))


# -- asking ---------------------------------------------------------------------------------------


async def _ask_value(
    update: Update, context: TidelineContext, current: Report, commitment: Commitment
) -> Awaiting:
    t = context.t
    await _save(
        await context.session(),
        update,
        {"report_id": current.report.id, "commitment_id": commitment.id},
    )
    lines = [
        t._("<b>{company}</b>: progress report on {year}").format(
            company=company_name(current.company, t.language), year=current.period.year
        ),
        t._("{metric} ({target}): where does it stand now? Type {bounds}.").format(
            metric=metric_name(t, commitment),
            target=target_text(t, commitment),
            bounds=bounds_text(t, commitment),
        ),
    ]
    earlier = current.values.get(commitment.id)
    if earlier is not None:
        lines.append(t._("Saved so far: {value}").format(value=shown_value(t, commitment, earlier)))
    await answer(update, context, "\n".join(lines))
    return Awaiting.VALUE


async def _ask_narrative(update: Update, context: TidelineContext, current: Report) -> Awaiting:
    t = context.t
    await _save(await context.session(), update, {"report_id": current.report.id})
    await answer(
        update,
        context,
        t._(
            "In a few sentences, what did the company do this year, and what held it back? "
            "It is shown with your figures."
        ),
        [[context.button(t._("Skip"), SKIP_NARRATIVE, current.report.id)]],
    )
    return Awaiting.NARRATIVE


async def _ask_evidence(update: Update, context: TidelineContext, current: Report) -> Awaiting:
    t = context.t
    await _save(await context.session(), update, {"report_id": current.report.id})
    limit = EVIDENCE_MAX_BYTES // MEGABYTE
    await answer(
        update,
        context,
        t._(
            "Send evidence for your figures: documents or photos (audits, invoices, supplier "
            "certificates), up to {megabytes} MB each. Only your company and the reviewers see "
            "them. Tap Continue when done."
        ).format(megabytes=t.number(limit)),
        [[context.button(t._("Continue"), EVIDENCE_DONE, current.report.id)]],
    )
    return Awaiting.EVIDENCE


async def _summary(update: Update, context: TidelineContext, current: Report) -> Awaiting:
    t = context.t
    session = await context.session()
    await _save(session, update, {"report_id": current.report.id})
    standing = await service.verdicts(session, current.report.id)
    values = current.values
    lines = [
        t._("<b>{company}</b>: progress report on {year}").format(
            company=company_name(current.company, t.language), year=current.period.year
        ),
        t._("Due by {deadline}").format(deadline=day_text(t, current.period.deadline)),
    ]
    keyboard: Keyboard = []
    for commitment in current.pledge.commitments:
        value = values.get(commitment.id)
        if value is None:
            continue
        progress = service.progress_of(current.pledge, commitment, current.period.year, value)
        line = t._("{metric}: {value} ({progress}; {target})").format(
            metric=metric_name(t, commitment),
            value=shown_value(t, commitment, value),
            progress=t._(PROGRESS_LABELS[progress]),
            target=target_text(t, commitment),
        )
        verdict = standing.get(commitment.id)
        if verdict is not None:
            line += " — " + t._(VERDICT_LABELS[verdict])
        lines.append(f"• {line}")
        if verdict != Decision.VERIFIED:
            keyboard.append(
                [
                    context.button(
                        t._("Change: {metric}").format(metric=metric_name(t, commitment)),
                        CHANGE_VALUE,
                        current.report.id,
                        commitment.id,
                    )
                ]
            )
    narrative = current.report.narratives.get(current.account.language)
    if narrative:
        lines.append(f"<i>{escape(narrative)}</i>")
    count = len(current.report.evidence)
    lines.append(
        t.ngettext("{count} evidence file", "{count} evidence files", count).format(
            count=t.number(count)
        )
    )
    submitted = current.report.submitted_at is not None
    keyboard += [
        [
            context.button(t._("Change the narrative"), CHANGE_NARRATIVE, current.report.id),
            context.button(t._("Add evidence"), ADD_EVIDENCE, current.report.id),
        ],
        [
            context.button(
                t._("Submit again") if submitted else t._("Submit the report"),
                SUBMIT,
                current.report.id,
            )
        ],
    ]
    await answer(update, context, "\n".join(lines), keyboard)
    return Awaiting.SUMMARY


async def _next(update: Update, context: TidelineContext, current: Report) -> Awaiting:
    missing = current.first_missing()
    if missing is not None:
        return await _ask_value(update, context, current, missing)
    return await _summary(update, context, current)


# -- steps ----------------------------------------------------------------------------------------


async def _start(update: Update, context: TidelineContext) -> Awaiting | int:
    session = await context.session()
    account = await account_of(session, update)
    period = await session.get(ReportingPeriod, int(button_args(update)[0]))
    if period is None:
        raise LookupError("no period")
    report = await service.start_report(session, period, by=account, now=context.now())
    current = await _load(session, update, report.id)
    standing = await service.verdicts(session, report.id)
    if report.values and all(
        standing.get(value.commitment_id) == Decision.VERIFIED for value in report.values
    ):
        raise WrongStatus("verified")
    await context.answer_query(update)
    return await _next(update, context, current)


async def start(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _start)


def _read_number(t: Translator, text: str, commitment: Commitment) -> float:
    """The typed value; ValueError with what to tell the person."""
    try:
        return float(read_decimal(text, t.locale, lambda value: value >= Decimal(0)))
    except UnreadableNumber as problem:
        if problem.problem == NumberProblem.AMBIGUOUS:
            raise ValueError(ambiguous_number(t, problem)) from None
        raise ValueError(value_problem_text(t, ProblemKind.NOT_A_NUMBER, commitment)) from None


async def _type_value(update: Update, context: TidelineContext) -> Awaiting | int:
    t = context.t
    session = await context.session()
    draft = await _draft(session, update)
    if draft is None or "commitment_id" not in draft:
        raise LookupError("no metric asked")
    current = await _load(session, update, int(draft["report_id"]))
    commitment = current.commitment(int(draft["commitment_id"]))
    if commitment is None:
        raise LookupError("no such metric")
    message = update.effective_message
    assert message is not None
    try:
        value = _read_number(t, message.text or "", commitment)
        await service.record_values(
            session, current.report, {commitment.id: value}, by=current.account, now=context.now()
        )
    except ValueError as problem:
        text = (
            value_problem_text(t, problem.problems[0].kind, commitment)
            if isinstance(problem, InvalidContent)
            else str(problem)
        )
        await answer(update, context, text)
        return Awaiting.VALUE
    changing = bool(draft.get("changing"))
    await answer(
        update,
        context,
        t._("Saved: {metric} {value}.").format(
            metric=metric_name(t, commitment), value=shown_value(t, commitment, value)
        ),
    )
    if current.first_missing() is not None:
        return await _next(update, context, current)
    if changing:
        return await _summary(update, context, current)
    return await _ask_narrative(update, context, current)


async def type_value(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _type_value)


async def expect_number(update: Update, context: TidelineContext) -> Awaiting | int:
    """A sticker, photo or anything else where a number was asked."""

    async def remind(update: Update, context: TidelineContext) -> Awaiting:
        session = await context.session()
        draft = await _draft(session, update)
        current = await _current(update, context)
        commitment = current.commitment(int((draft or {}).get("commitment_id", 0)))
        if commitment is None:
            raise LookupError("no metric asked")
        await answer(
            update,
            context,
            context.t._("Please type a number: {bounds}. Send /cancel to stop.").format(
                bounds=bounds_text(context.t, commitment)
            ),
        )
        return Awaiting.VALUE

    return await _guarded(update, context, remind)


async def _type_narrative(update: Update, context: TidelineContext) -> Awaiting | int:
    t = context.t
    current = await _current(update, context)
    message = update.effective_message
    assert message is not None
    try:
        await service.record_narrative(
            await context.session(),
            current.report,
            current.account.language,
            message.text or "",
            by=current.account,
        )
    except InvalidContent:
        await answer(
            update,
            context,
            t.ngettext(
                "That is too long: please keep it under {count} character.",
                "That is too long: please keep it under {count} characters.",
                STATEMENT_MAX_LENGTH,
            ).format(count=t.number(STATEMENT_MAX_LENGTH)),
        )
        return Awaiting.NARRATIVE
    if current.report.evidence:
        return await _summary(update, context, current)
    return await _ask_evidence(update, context, current)


async def type_narrative(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _type_narrative)


async def _skip_narrative(update: Update, context: TidelineContext) -> Awaiting | int:
    current = await _load(await context.session(), update, int(button_args(update)[0]))
    return await _ask_evidence(update, context, current)


async def skip_narrative(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _skip_narrative)


def _attachment(message: Message) -> tuple[EvidenceKind, str, int | None]:
    if message.photo:
        largest = message.photo[-1]
        return EvidenceKind.PHOTO, largest.file_id, largest.file_size
    assert message.document is not None
    return EvidenceKind.DOCUMENT, message.document.file_id, message.document.file_size


async def receive_evidence(update: Update, context: TidelineContext) -> Awaiting | int:
    t = context.t
    message = update.effective_message
    assert message is not None
    kind, file_id, size = _attachment(message)
    if size is not None and size > EVIDENCE_MAX_BYTES:
        await answer(
            update,
            context,
            t._(
                "That file is {size} MB; evidence files can be up to {megabytes} MB each, the "
                "most the bot can read. Please send a smaller file (a scan at a lower "
                "resolution, or the pages that matter), or tap Continue."
            ).format(
                size=t.number(round(size / MEGABYTE, 1)),
                megabytes=t.number(EVIDENCE_MAX_BYTES // MEGABYTE),
            ),
        )
        return Awaiting.EVIDENCE
    # Downloaded before this step's transaction begins: no Bot API call inside one.
    telegram_file = await context.bot.get_file(file_id)
    content = bytes(await telegram_file.download_as_bytearray())

    async def keep(update: Update, context: TidelineContext) -> Awaiting:
        current = await _current(update, context)
        before = len(current.report.evidence)
        try:
            await service.add_evidence(
                await context.session(),
                current.report,
                kind=kind,
                file_id=file_id,
                content_hash=hashlib.sha256(content).hexdigest(),
                size_bytes=len(content),
                by=current.account,
                now=context.now(),
            )
        except InvalidContent:
            await answer(
                update,
                context,
                t.ngettext(
                    "A report holds up to {count} evidence file.",
                    "A report holds up to {count} evidence files.",
                    EVIDENCE_MAX_FILES,
                ).format(count=t.number(EVIDENCE_MAX_FILES)),
                [[context.button(t._("Continue"), EVIDENCE_DONE, current.report.id)]],
            )
            return Awaiting.EVIDENCE
        count = len(current.report.evidence)
        text = (
            t._("You sent that file already; it is kept once.")
            if count == before
            else t.ngettext(
                "{count} evidence file added.", "{count} evidence files added.", count
            ).format(count=t.number(count))
        )
        await answer(
            update,
            context,
            text,
            [[context.button(t._("Continue"), EVIDENCE_DONE, current.report.id)]],
        )
        return Awaiting.EVIDENCE

    return await _guarded(update, context, keep)


async def expect_evidence(update: Update, context: TidelineContext) -> None:
    await answer(
        update,
        context,
        context.t._("Please send a document or a photo, or tap Continue. Send /cancel to stop."),
    )


async def _evidence_done(update: Update, context: TidelineContext) -> Awaiting | int:
    current = await _load(await context.session(), update, int(button_args(update)[0]))
    return await _summary(update, context, current)


async def evidence_done(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _evidence_done)


async def _change_value(update: Update, context: TidelineContext) -> Awaiting | int:
    report_id, commitment_id = (int(arg) for arg in button_args(update))
    current = await _load(await context.session(), update, report_id)
    commitment = current.commitment(commitment_id)
    if commitment is None:
        raise LookupError("no such metric")
    state = await _ask_value(update, context, current, commitment)
    await _save(
        await context.session(),
        update,
        {"report_id": report_id, "commitment_id": commitment_id, "changing": True},
    )
    return state


async def change_value(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _change_value)


async def _change_narrative(update: Update, context: TidelineContext) -> Awaiting | int:
    current = await _load(await context.session(), update, int(button_args(update)[0]))
    return await _ask_narrative(update, context, current)


async def change_narrative(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _change_narrative)


async def _add_evidence(update: Update, context: TidelineContext) -> Awaiting | int:
    current = await _load(await context.session(), update, int(button_args(update)[0]))
    return await _ask_evidence(update, context, current)


async def add_evidence(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _add_evidence)


async def _submit(update: Update, context: TidelineContext) -> Awaiting | int:
    t = context.t
    session = await context.session()
    current = await _load(session, update, int(button_args(update)[0]))
    await service.submit_report(session, current.report, by=current.account, now=context.now())
    await _forget(session, update)
    await answer(
        update,
        context,
        t._(
            "Thank you: the progress report on {year} of {company} was submitted. The reviewers "
            "check each figure against its evidence, and you will hear from them here."
        ).format(year=current.period.year, company=company_name(current.company, t.language)),
        edit=True,
    )
    return ConversationHandler.END


async def submit(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _guarded(update, context, _submit)


async def cancel(update: Update, context: TidelineContext) -> int:
    await _forget(await context.session(), update)
    await answer(
        update,
        context,
        context.t._(
            "Stopped. Everything you gave is saved in the report: open it again to go on and "
            "submit it."
        ),
    )
    return ConversationHandler.END


def _button(action: str, callback: StepCallback) -> CallbackQueryHandler[TidelineContext, Any]:
    return CallbackQueryHandler(callback, pattern=action_pattern(action))


def build_progress_report() -> ConversationHandler[TidelineContext]:
    typed = filters.TEXT & ~filters.COMMAND
    not_command = ~filters.COMMAND
    summary_buttons: list[BaseHandler[Update, TidelineContext, Any]] = [
        _button(CHANGE_VALUE, change_value),
        _button(CHANGE_NARRATIVE, change_narrative),
        _button(ADD_EVIDENCE, add_evidence),
        _button(SUBMIT, submit),
    ]
    return ConversationHandler(
        name="progress_report",
        persistent=True,
        allow_reentry=True,
        entry_points=[_button(actions.START_REPORT, start)],
        states={
            Awaiting.VALUE: [
                MessageHandler(typed, type_value),
                MessageHandler(not_command, expect_number),
            ],
            Awaiting.NARRATIVE: [
                _button(SKIP_NARRATIVE, skip_narrative),
                MessageHandler(typed, type_narrative),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.EVIDENCE: [
                MessageHandler(filters.PHOTO | filters.Document.ALL, receive_evidence),
                _button(EVIDENCE_DONE, evidence_done),
                MessageHandler(not_command, expect_evidence),
            ],
            Awaiting.SUMMARY: [*summary_buttons, MessageHandler(not_command, expect_buttons)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
