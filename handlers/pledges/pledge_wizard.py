"""The pledge wizard: a company member writes the company's pledge one thing at a time – the
baseline, each commitment with its target and target year, the public statement – and submits
it from a summary. Units and bounds are said with every question; every answer is kept in the
draft at once (``service.save_answers``), so a restart or a pause loses nothing, and answering a
change request is the same wizard on the pledge sent back."""

import json
from enum import StrEnum
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import (
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
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.person_state import person_key
from handlers.kit.reprompts import earlier_step_button, expect_buttons, expect_text
from handlers.pledges.company import START_PLEDGE, show_screen
from handlers.pledges.pledge_texts import (
    ITEM_LABELS,
    METRIC_LABELS,
    NOT_A_MEMBER,
    Unreadable,
    metric_label,
    problem_message,
    read_number,
    read_year,
)
from i18n import Translator
from pledges import service
from pledges.content import (
    COUNT_MAX,
    FREE_COMMITMENTS_MAX,
    STATEMENT_MAX_LENGTH,
    YEAR_MAX,
    InvalidContent,
    Problem,
)
from pledges.models import (
    PERCENT_METRICS,
    Company,
    Metric,
    Pledge,
    PledgeStatus,
    ProblematicItem,
)
from pledges.service import EDITABLE_STATUSES, NotAMember, WrongStatus


class Awaiting(StrEnum):
    BASELINE_YEAR = "baseline_year"
    BASELINE_TONNES = "baseline_tonnes"
    COMMITMENT = "commitment"  # the list of commitments: add, change or remove one
    BASELINE_VALUE = "baseline_value"
    TARGET_VALUE = "target_value"
    TARGET_YEAR = "target_year"
    ITEMS = "items"
    OTHER_ITEM = "other_item"
    LABEL = "label"
    UNIT = "unit"
    STATEMENT = "statement"
    SUMMARY = "summary"


METRIC = "pl.wz.metric"  # a metric: add it, or change it when the pledge has it
ADD_FREE = "pl.wz.add_free"
EDIT_FREE = "pl.wz.edit_free"  # index in the commitments
ASK_REMOVE = "pl.wz.ask_remove"
REMOVE = "pl.wz.remove"  # index in the commitments
COMMITMENTS_DONE = "pl.wz.commitments_done"
ADD_ITEM = "pl.wz.add_item"  # a ProblematicItem
REMOVE_ITEM = "pl.wz.remove_item"  # a ProblematicItem
ITEMS_DONE = "pl.wz.items_done"
SUBMIT = "pl.wz.submit"
EDIT = "pl.wz.edit"  # an Awaiting: the baseline year, the commitments or the statement

# Which pledge and which of its commitments the person is on, beside the conversation's own
# state (same key, so /deleteme forgets it too); the answers themselves are in the draft.
POSITION = "pledges.wizard"

FIXED_METRICS = tuple(metric for metric in Metric if metric != Metric.FREE)


async def _position(session: AsyncSession, update: Update) -> dict[str, Any]:
    stored = await load_state(session, POSITION, person_key(update))
    return dict(json.loads(stored)) if stored else {}


async def _save_position(
    session: AsyncSession, update: Update, position: dict[str, Any] | None
) -> None:
    await save_state(
        session, POSITION, person_key(update), json.dumps(position) if position else None
    )


class Draft:
    """The pledge the person is writing, as one step found it."""

    def __init__(self, account: User, pledge: Pledge, position: dict[str, Any]) -> None:
        self.account = account
        self.pledge = pledge
        self.position = position
        self.answers: dict[str, Any] = json.loads(json.dumps(pledge.answers or {}))

    @property
    def commitments(self) -> list[dict[str, Any]]:
        listed: list[dict[str, Any]] = self.answers.setdefault("commitments", [])
        return listed

    @property
    def entry(self) -> dict[str, Any]:
        return self.commitments[int(self.position["index"])]


async def _draft(update: Update, context: TidelineContext) -> Draft | None:
    """The draft this step continues; None (the person told why) when it can no longer be
    changed here: withdrawn, submitted from another chat, or the person left the company."""
    session = await context.session()
    account = await account_of(session, update)
    position = await _position(session, update)
    pledge = await session.get(Pledge, int(position.get("pledge_id", 0)))
    t = context.t
    if pledge is None or not await service.is_member(session, pledge.company_id, account.id):
        await _tell(update, context, t._(NOT_A_MEMBER))
        return None
    if pledge.status not in EDITABLE_STATUSES or pledge.slot is None:
        await _tell(update, context, t._("This pledge can no longer be changed here."))
        return None
    return Draft(account, pledge, position)


async def _tell(update: Update, context: TidelineContext, text: str) -> None:
    if update.callback_query is not None:
        await context.answer_query(update, text, show_alert=True)
    else:
        await answer(update, context, text)


async def _keep(update: Update, context: TidelineContext, draft: Draft) -> bool:
    """Saves the draft's answers; a refused answer is explained and nothing is kept."""
    session = await context.session()
    try:
        await service.save_answers(
            session, draft.pledge, draft.answers, by=draft.account, now=context.now()
        )
    except InvalidContent as invalid:
        await answer(update, context, problem_message(context.t, invalid.problems[0]))
        return False
    except (NotAMember, WrongStatus):
        await _tell(update, context, context.t._("This pledge can no longer be changed here."))
        return False
    return True


# What each question says.


def _value(t: Translator, value: Any) -> str:
    return "…" if value is None else t.number(value)


def _year(value: Any) -> str:
    """Years are written without grouping: 2030, not 2,030."""
    return "…" if value is None else str(int(value))


def commitment_line(t: Translator, entry: dict[str, Any]) -> str:
    metric = Metric(entry["metric"])
    label = metric_label(t, entry)
    year = _year(entry.get("target_year"))
    if metric == Metric.PROBLEMATIC_ITEMS:
        items = [
            escape(entry.get("other_item") or t._(ITEM_LABELS[ProblematicItem.OTHER]))
            if item == ProblematicItem.OTHER
            else t._(ITEM_LABELS[ProblematicItem(item)])
            for item in entry.get("items") or []
        ]
        what = ", ".join(items) or "…"
        return t._("{label}: {items}, by {year}").format(label=label, items=what, year=year)
    target = _value(t, entry.get("target_value"))
    if metric == Metric.VIRGIN_REDUCTION:
        return t._("{label}: cut by {target}%, by {year}").format(
            label=label, target=target, year=year
        )
    if metric in PERCENT_METRICS:
        return t._("{label}: from {baseline}% to {target}%, by {year}").format(
            label=label, baseline=_value(t, entry.get("baseline_value")), target=target, year=year
        )
    if metric == Metric.REUSE_MODELS:
        described = next(iter((entry.get("labels") or {}).values()), "…")
        return t._("{label}: {target} ({what}), by {year}").format(
            label=label, target=target, what=escape(described), year=year
        )
    return t._("{label}: from {baseline} to {target} {unit}, by {year}").format(
        label=label,
        baseline=_value(t, entry.get("baseline_value")),
        target=target,
        unit=escape(entry.get("unit") or ""),
        year=year,
    )


def _menu(context: TidelineContext, draft: Draft) -> tuple[str, Keyboard]:
    t = context.t
    lines = [t._("<b>Your commitments</b>")]
    lines += [f"• {commitment_line(t, entry)}" for entry in draft.commitments]
    if not draft.commitments:
        lines.append(t._("None yet."))
    lines.append(
        t._(
            "Tap a commitment to add it, or to change it if you have it (✓). Each has a "
            "target and a year to reach it by."
        )
    )
    present = {entry["metric"] for entry in draft.commitments}
    buttons = [
        context.button(
            ("✓ " if metric in present else "") + t._(METRIC_LABELS[metric]), METRIC, metric
        )
        for metric in FIXED_METRICS
    ]
    keyboard = rows(buttons, 1)
    for index, entry in enumerate(draft.commitments):
        if entry["metric"] == Metric.FREE:
            keyboard.append([context.button("✓ " + metric_label(t, entry), EDIT_FREE, index)])
    free = sum(1 for entry in draft.commitments if entry["metric"] == Metric.FREE)
    if free < FREE_COMMITMENTS_MAX:
        keyboard.append([context.button(t._("Add a commitment of your own"), ADD_FREE)])
    if draft.commitments:
        keyboard.append([context.button(t._("Remove a commitment"), ASK_REMOVE)])
        keyboard.append([context.button(t._("Continue"), COMMITMENTS_DONE)])
    return "\n".join(lines), keyboard


def _summary(context: TidelineContext, draft: Draft) -> tuple[str, Keyboard]:
    t = context.t
    answers = draft.answers
    lines = [t._("<b>Your pledge</b>")]
    if draft.pledge.status == PledgeStatus.CHANGES_REQUESTED and draft.pledge.review_note:
        lines.append(
            t._("The reviewers asked: {note}").format(note=escape(draft.pledge.review_note))
        )
    lines.append(
        t._("Baseline: {year}, {tonnes} tonnes of plastic packaging").format(
            year=_year(answers.get("baseline_year")),
            tonnes=_value(t, answers.get("baseline_tonnes")),
        )
    )
    lines += [f"• {commitment_line(t, entry)}" for entry in draft.commitments]
    statements: dict[str, str] = answers.get("statements") or {}
    statement = statements.get(t.language) or next(iter(statements.values()), "…")
    lines.append(t._("Public statement: {statement}").format(statement=escape(statement)))
    lines.append(t._("Submit it to the reviewers? Once they accept it, it is public."))
    keyboard = [
        [context.button(t._("Submit"), SUBMIT)],
        [
            context.button(t._("Change the baseline"), EDIT, Awaiting.BASELINE_YEAR),
            context.button(t._("Change commitments"), EDIT, Awaiting.COMMITMENT),
        ],
        [context.button(t._("Change the statement"), EDIT, Awaiting.STATEMENT)],
    ]
    return "\n".join(lines), keyboard


def _question(context: TidelineContext, draft: Draft, state: Awaiting) -> str:
    t = context.t
    year = draft.answers.get("baseline_year")
    if state == Awaiting.BASELINE_YEAR:
        return t._(
            "<b>The baseline</b>\nWhich year do your commitments start from? A year you have "
            "figures for, {last} at the latest, for example {example}."
        ).format(last=context.now().year, example=context.now().year - 1)
    if state == Awaiting.BASELINE_TONNES:
        return t._(
            "How much plastic packaging did the company put on the market in {year}, in "
            "tonnes? A number, 0 or more, for example 1250.5."
        ).format(year=year)
    if state == Awaiting.STATEMENT:
        return t.ngettext(
            "Last step: your public statement, shown with the pledge once it is accepted. "
            "Write it in {language}, up to {count} character.",
            "Last step: your public statement, shown with the pledge once it is accepted. "
            "Write it in {language}, up to {count} characters.",
            STATEMENT_MAX_LENGTH,
        ).format(language=t.language_name(t.language), count=t.number(STATEMENT_MAX_LENGTH))
    entry = draft.entry
    metric = Metric(entry["metric"])
    label = metric_label(t, entry)
    if state == Awaiting.TARGET_YEAR:
        return t._("{label}: by which year? A year after {year}, up to {last}.").format(
            label=label, year=year, last=YEAR_MAX
        )
    if state == Awaiting.ITEMS:
        return t._(
            "Which problematic or unnecessary items will you eliminate? Tap an item to add "
            "it (✓ marks those added, tap again to remove), then Done."
        )
    if state == Awaiting.OTHER_ITEM:
        return t._("Which other item will you eliminate? Type its name.")
    if state == Awaiting.LABEL:
        if metric == Metric.REUSE_MODELS:
            return t._(
                "Which reuse models will you introduce? Describe them in a line, for "
                "example: refill stations in our shops."
            )
        return t._("What is your commitment? Describe it in a line.")
    if state == Awaiting.UNIT:
        return t._("In which unit is it measured? For example: tonnes, shops, %.")
    unit = escape(entry.get("unit") or "")
    if state == Awaiting.BASELINE_VALUE:
        if metric in PERCENT_METRICS:
            return t._("{label}: where did you stand in {year}, in percent from 0 to 100?").format(
                label=label, year=year
            )
        return t._(
            "{label}: where did you stand in {year}, in {unit}? A number, 0 or more."
        ).format(label=label, year=year, unit=unit)
    if metric == Metric.VIRGIN_REDUCTION:
        return t._(
            "By how many percent will you cut your use of virgin plastic compared with {year}? "
            "A number from 0 to 100."
        ).format(year=year)
    if metric in PERCENT_METRICS:
        return t._(
            "{label}: what share of your packaging will it be, in percent from 0 to 100? "
            "It must be more than {baseline}%, where it stood in {year}."
        ).format(label=label, baseline=_value(t, entry.get("baseline_value")), year=year)
    if metric == Metric.REUSE_MODELS:
        return t._("How many reuse models will you introduce? A whole number up to {most}.").format(
            most=t.number(COUNT_MAX)
        )
    return t._("{label}: what is your target, in {unit}? A number, 0 or more.").format(
        label=label, unit=unit
    )


def _items_keyboard(context: TidelineContext, draft: Draft) -> Keyboard:
    t = context.t
    chosen = set(draft.entry.get("items") or [])
    buttons = [
        context.button("✓ " + t._(label), REMOVE_ITEM, item)
        if item in chosen
        else context.button(t._(label), ADD_ITEM, item)
        for item, label in ITEM_LABELS.items()
    ]
    keyboard = rows(buttons, 2)
    keyboard.append([context.button(t._("Done"), ITEMS_DONE)])
    return keyboard


async def ask(
    update: Update, context: TidelineContext, draft: Draft, state: Awaiting, *, edit: bool = False
) -> Awaiting:
    """Puts the question of ``state``, with its buttons, and remembers where the person is."""
    session = await context.session()
    await _save_position(session, update, draft.position)
    if state == Awaiting.COMMITMENT:
        text, keyboard = _menu(context, draft)
    elif state == Awaiting.SUMMARY:
        text, keyboard = _summary(context, draft)
    elif state == Awaiting.ITEMS:
        text, keyboard = _question(context, draft, state), _items_keyboard(context, draft)
    else:
        text, keyboard = _question(context, draft, state), []
    await answer(update, context, text, keyboard or None, edit=edit)
    return state


def _steps(entry: dict[str, Any]) -> list[Awaiting]:
    """The questions of one commitment, in order."""
    metric = Metric(entry["metric"])
    if metric == Metric.VIRGIN_REDUCTION:
        return [Awaiting.TARGET_VALUE, Awaiting.TARGET_YEAR]
    if metric in PERCENT_METRICS:
        return [Awaiting.BASELINE_VALUE, Awaiting.TARGET_VALUE, Awaiting.TARGET_YEAR]
    if metric == Metric.PROBLEMATIC_ITEMS:
        # The other item's name is asked as it is added (see add_item).
        return [Awaiting.ITEMS, Awaiting.TARGET_YEAR]
    if metric == Metric.REUSE_MODELS:
        return [Awaiting.LABEL, Awaiting.TARGET_VALUE, Awaiting.TARGET_YEAR]
    return [
        Awaiting.LABEL,
        Awaiting.UNIT,
        Awaiting.BASELINE_VALUE,
        Awaiting.TARGET_VALUE,
        Awaiting.TARGET_YEAR,
    ]


async def _next(
    update: Update, context: TidelineContext, draft: Draft, after: Awaiting
) -> Awaiting:
    steps = _steps(draft.entry)
    following = steps.index(after) + 1
    if following < len(steps):
        return await ask(update, context, draft, steps[following])
    draft.position["index"] = None
    return await ask(update, context, draft, Awaiting.COMMITMENT)


def _first_unanswered(draft: Draft) -> Awaiting:
    answers = draft.answers
    if answers.get("baseline_year") is None:
        return Awaiting.BASELINE_YEAR
    if answers.get("baseline_tonnes") is None:
        return Awaiting.BASELINE_TONNES
    if not answers.get("commitments"):
        return Awaiting.COMMITMENT
    if not answers.get("statements"):
        return Awaiting.STATEMENT
    return Awaiting.SUMMARY


# Entry: the company screen's "Make a pledge", "Continue the pledge", "Edit and resubmit".


async def start(update: Update, context: TidelineContext) -> Awaiting | int:
    session = await context.session()
    account = await account_of(session, update)
    company = await session.get(Company, int(button_args(update)[0]))
    t = context.t
    if company is None or company.merged_into_id is not None:
        await _tell(update, context, t._(NOT_A_MEMBER))
        return ConversationHandler.END
    try:
        pledge = await service.start_pledge(session, company, by=account, now=context.now())
    except NotAMember:
        await _tell(update, context, t._(NOT_A_MEMBER))
        return ConversationHandler.END
    if pledge.status not in EDITABLE_STATUSES:
        await _tell(
            update,
            context,
            t._("Your pledge is with the reviewers: you will hear from them here."),
        )
        return ConversationHandler.END
    draft = Draft(account, pledge, {"pledge_id": pledge.id, "index": None})
    if pledge.status == PledgeStatus.CHANGES_REQUESTED and pledge.review_note:
        await answer(
            update,
            context,
            t._(
                "The reviewers asked for changes: {note}\nChange what they asked for, then "
                "submit again."
            ).format(note=escape(pledge.review_note)),
        )
    return await ask(update, context, draft, _first_unanswered(draft))


# Typed answers.


def _message_text(update: Update) -> str:
    message = update.effective_message
    assert message is not None and message.text is not None
    return message.text


async def type_baseline_year(update: Update, context: TidelineContext) -> Awaiting | int | None:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    try:
        draft.answers["baseline_year"] = read_year(context.t, _message_text(update))
    except Unreadable as unreadable:
        await answer(update, context, unreadable.message)
        return None
    if not await _keep(update, context, draft):
        return None
    return await ask(update, context, draft, Awaiting.BASELINE_TONNES)


async def type_baseline_tonnes(update: Update, context: TidelineContext) -> Awaiting | int | None:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    try:
        draft.answers["baseline_tonnes"] = read_number(context.t, _message_text(update))
    except Unreadable as unreadable:
        await answer(update, context, unreadable.message)
        return None
    if not await _keep(update, context, draft):
        return None
    return await ask(update, context, draft, Awaiting.COMMITMENT)


def _number_step(key: str, state: Awaiting):  # type: ignore[no-untyped-def]
    async def typed(update: Update, context: TidelineContext) -> Awaiting | int | None:
        draft = await _draft(update, context)
        if draft is None:
            return ConversationHandler.END
        try:
            reader = read_year if state == Awaiting.TARGET_YEAR else read_number
            draft.entry[key] = reader(context.t, _message_text(update))
        except Unreadable as unreadable:
            await answer(update, context, unreadable.message)
            return None
        if not await _keep(update, context, draft):
            return None
        return await _next(update, context, draft, state)

    typed.__name__ = f"type_{key}"
    return typed


type_baseline_value = _number_step("baseline_value", Awaiting.BASELINE_VALUE)
type_target_value = _number_step("target_value", Awaiting.TARGET_VALUE)
type_target_year = _number_step("target_year", Awaiting.TARGET_YEAR)


async def type_other_item(update: Update, context: TidelineContext) -> Awaiting | int | None:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    items = [item for item in draft.entry.get("items") or [] if item != ProblematicItem.OTHER]
    draft.entry["items"] = [*items, str(ProblematicItem.OTHER)]
    draft.entry["other_item"] = _message_text(update)
    if not await _keep(update, context, draft):
        return None
    return await ask(update, context, draft, Awaiting.ITEMS)


async def type_label(update: Update, context: TidelineContext) -> Awaiting | int | None:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    draft.entry["labels"] = {context.t.language: _message_text(update)}
    if not await _keep(update, context, draft):
        return None
    return await _next(update, context, draft, Awaiting.LABEL)


async def type_unit(update: Update, context: TidelineContext) -> Awaiting | int | None:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    draft.entry["unit"] = _message_text(update)
    if not await _keep(update, context, draft):
        return None
    return await _next(update, context, draft, Awaiting.UNIT)


async def type_statement(update: Update, context: TidelineContext) -> Awaiting | int | None:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    statements = dict(draft.answers.get("statements") or {})
    statements[context.t.language] = _message_text(update)
    draft.answers["statements"] = statements
    if not await _keep(update, context, draft):
        return None
    return await ask(update, context, draft, Awaiting.SUMMARY)


async def expect_number(update: Update, context: TidelineContext) -> None:
    await answer(
        update,
        context,
        context.t._("Please type a number as a text message, or send /cancel to stop."),
    )


# Buttons.


async def choose_metric(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    metric = Metric(button_args(update)[0])
    present = [i for i, entry in enumerate(draft.commitments) if entry["metric"] == metric]
    if present:
        draft.position["index"] = present[0]
    else:
        draft.commitments.append({"metric": str(metric)})
        draft.position["index"] = len(draft.commitments) - 1
        if not await _keep(update, context, draft):
            return Awaiting.COMMITMENT
    return await ask(update, context, draft, _steps(draft.entry)[0], edit=True)


async def add_free(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    draft.commitments.append({"metric": str(Metric.FREE)})
    draft.position["index"] = len(draft.commitments) - 1
    if not await _keep(update, context, draft):
        return Awaiting.COMMITMENT
    return await ask(update, context, draft, Awaiting.LABEL, edit=True)


def _index(draft: Draft, update: Update) -> int | None:
    index = int(button_args(update)[0])
    return index if 0 <= index < len(draft.commitments) else None


async def edit_free(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    index = _index(draft, update)
    if index is None:
        return await ask(update, context, draft, Awaiting.COMMITMENT, edit=True)
    draft.position["index"] = index
    return await ask(update, context, draft, Awaiting.LABEL, edit=True)


async def ask_remove(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    t = context.t
    keyboard = [
        [context.button(t._("Remove: {label}").format(label=metric_label(t, entry)), REMOVE, index)]
        for index, entry in enumerate(draft.commitments)
    ]
    keyboard.append([context.button(t._("Keep them all"), EDIT, Awaiting.COMMITMENT)])
    await answer(update, context, t._("Which commitment should be removed?"), keyboard, edit=True)
    return Awaiting.COMMITMENT


async def remove(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    index = _index(draft, update)
    if index is not None:
        draft.commitments.pop(index)
        if not await _keep(update, context, draft):
            return Awaiting.COMMITMENT
    draft.position["index"] = None
    return await ask(update, context, draft, Awaiting.COMMITMENT, edit=True)


async def commitments_done(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    if not draft.commitments:
        await _tell(update, context, context.t._("Please add at least one commitment."))
        return Awaiting.COMMITMENT
    following = Awaiting.STATEMENT if not draft.answers.get("statements") else Awaiting.SUMMARY
    return await ask(update, context, draft, following, edit=True)


async def _change_item(update: Update, context: TidelineContext, add: bool) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    if draft.position.get("index") is None:
        return await ask(update, context, draft, Awaiting.COMMITMENT, edit=True)
    item = ProblematicItem(button_args(update)[0])
    if add and item == ProblematicItem.OTHER:
        # "Other" is kept with its name, so the name comes first.
        return await ask(update, context, draft, Awaiting.OTHER_ITEM, edit=True)
    items = [chosen for chosen in draft.entry.get("items") or [] if chosen != item]
    if add:
        items.append(str(item))
    if items:
        draft.entry["items"] = items
    else:
        draft.entry.pop("items", None)
    if item == ProblematicItem.OTHER and not add:
        draft.entry.pop("other_item", None)
    if not await _keep(update, context, draft):
        return Awaiting.ITEMS
    return await ask(update, context, draft, Awaiting.ITEMS, edit=True)


async def add_item(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _change_item(update, context, add=True)


async def remove_item(update: Update, context: TidelineContext) -> Awaiting | int:
    return await _change_item(update, context, add=False)


async def items_done(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    if not draft.entry.get("items"):
        await _tell(update, context, context.t._("Please choose at least one item."))
        return Awaiting.ITEMS
    return await _next(update, context, draft, Awaiting.ITEMS)


async def edit(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    draft.position["index"] = None
    return await ask(update, context, draft, Awaiting(button_args(update)[0]), edit=True)


def _where(t: Translator, problem: Problem, draft: Draft) -> str:
    if problem.field.startswith("commitments["):
        index = int(problem.field.removeprefix("commitments[").split("]")[0])
        if index < len(draft.commitments):
            return metric_label(t, draft.commitments[index])
    if problem.field.startswith("statements"):
        return t._("Public statement")
    if problem.field.startswith("baseline"):
        return t._("The baseline")
    return t._("Your commitments")


async def submit(update: Update, context: TidelineContext) -> Awaiting | int:
    draft = await _draft(update, context)
    if draft is None:
        return ConversationHandler.END
    session = await context.session()
    t = context.t
    try:
        await service.submit_pledge(session, draft.pledge, by=draft.account, now=context.now())
    except InvalidContent as invalid:
        lines = [t._("Before submitting, please finish these:")]
        lines += [
            f"• {_where(t, problem, draft)}: {problem_message(t, problem)}"
            for problem in invalid.problems
        ]
        await answer(update, context, "\n".join(lines))
        return Awaiting.SUMMARY
    await _save_position(session, update, None)
    await answer(
        update,
        context,
        t._("Submitted. The reviewers will look at it, and you will hear from them here."),
        edit=True,
    )
    company = await session.get(Company, draft.pledge.company_id)
    assert company is not None
    await show_screen(update, context, company)
    return ConversationHandler.END


async def cancel(update: Update, context: TidelineContext) -> int:
    await _save_position(await context.session(), update, None)
    await answer(
        update,
        context,
        context.t._(
            "Paused. Every answer so far is kept in the draft: send /company and tap "
            "Continue the pledge to go on."
        ),
    )
    return ConversationHandler.END


def build_pledge_wizard() -> ConversationHandler:
    not_command = ~filters.COMMAND
    typed = filters.TEXT & not_command

    def button(action: str, callback) -> CallbackQueryHandler:  # type: ignore[no-untyped-def]
        return CallbackQueryHandler(callback, pattern=action_pattern(action))

    def text_step(callback, reprompt=expect_text) -> list:  # type: ignore[no-untyped-def]
        return [MessageHandler(typed, callback), MessageHandler(not_command, reprompt)]

    return ConversationHandler(
        name="pledge",
        persistent=True,
        allow_reentry=True,
        entry_points=[button(START_PLEDGE, start)],
        states={
            Awaiting.BASELINE_YEAR: text_step(type_baseline_year, expect_number),
            Awaiting.BASELINE_TONNES: text_step(type_baseline_tonnes, expect_number),
            Awaiting.COMMITMENT: [
                button(METRIC, choose_metric),
                button(ADD_FREE, add_free),
                button(EDIT_FREE, edit_free),
                button(ASK_REMOVE, ask_remove),
                button(REMOVE, remove),
                button(COMMITMENTS_DONE, commitments_done),
                button(EDIT, edit),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.BASELINE_VALUE: text_step(type_baseline_value, expect_number),
            Awaiting.TARGET_VALUE: text_step(type_target_value, expect_number),
            Awaiting.TARGET_YEAR: text_step(type_target_year, expect_number),
            Awaiting.ITEMS: [
                button(ADD_ITEM, add_item),
                button(REMOVE_ITEM, remove_item),
                button(ITEMS_DONE, items_done),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.OTHER_ITEM: text_step(type_other_item),
            Awaiting.LABEL: text_step(type_label),
            Awaiting.UNIT: text_step(type_unit),
            Awaiting.STATEMENT: text_step(type_statement),
            Awaiting.SUMMARY: [
                button(SUBMIT, submit),
                button(EDIT, edit),
                MessageHandler(not_command, expect_buttons),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(earlier_step_button, pattern=r"^pl\.wz\."),
        ],
    )
