"""Answering a survey in the chat: one question at a time, each answer saved as it is given,
the summary before Submit, and opening it again continues where the person stopped.

The response in the database is the whole state: which question the person is at
(``surveys.responses``) and what they ticked so far in a multiple choice. The conversation only
routes typed answers, and which survey they are for is kept beside the conversation states
(``ANSWERING``), in the same transaction as the answer. Every button names its survey and
question and is an entry point, so buttons keep working after /cancel, a restart or a week's
pause, while a button of a question the person is no longer at is refused.
"""

import math
from decimal import Decimal
from enum import StrEnum
from html import escape
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.service import find_account_id
from db.conversations import load_state, save_state
from handlers.kit.actions import ANSWER_SURVEY, answer_survey_button
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, answer
from handlers.kit.deep_links import SURVEY, DeepLink
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.person_state import person_key
from handlers.kit.reprompts import (
    earlier_step_button,
    expect_buttons,
    expect_text,
    out_of_date_notice,
    reject_answer,
)
from handlers.surveys import actions
from i18n import Translator
from i18n.fallback import Picked, shown_in_note
from i18n.input_problems import ambiguous_number
from i18n.numbers import NumberProblem, UnreadableNumber
from i18n.shorten import shorten
from questions import InvalidAnswer, Kind, Problem, answer_typed
from questions.engine import MULTIPLE_SEPARATOR, NO, OTHER, YES, option_labels, rating_points
from surveys import responses
from surveys.answer_desk import (
    ANSWERING,
    AnswerTap,
    Press,
    StartTap,
    SubmitTap,
    TapOutcome,
    TapVerdict,
)
from surveys.definitions import SURVEY_TEXT_MAX_LENGTH, answerable, as_question
from surveys.models import Survey, SurveyQuestion, SurveyResponse, SurveyStatus
from surveys.responses import ConstraintFailed, Refusal, ResponseRefused
from surveys.wording import message_for, question_texts, survey_texts, survey_title

CONVERSATION = "survey"
# Telegram shows at most eight buttons in a row: a 0–10 scale takes two.
ROW_WIDTH = 8
SUMMARY_ANSWER_LENGTH = 120
# Characters of the summary's labels and answers together, so that with the escaping and the
# fixed lines it stays within Telegram's 4,096 for a form of up to 100 questions.
SUMMARY_BUDGET = 1000
MAX_CHANGE_BUTTONS = 96


class Awaiting(StrEnum):
    ANSWER = "answer"  # the answer to the question the person is at (or a summary button)
    OTHER_TEXT = "other_text"  # what "other, please say" is


async def _find_survey(
    session: AsyncSession, context: TidelineContext, survey_id: int
) -> Survey | None:
    """The survey as this process keeps it (``surveys.answer_desk.DefinitionCache``): read only,
    its state as stored now."""
    found = await context.services.survey_definitions.surveys(session, {survey_id})
    survey = found.get(survey_id)
    # A draft is the organizers' own until they open it: nobody else learns it exists.
    return None if survey is None or survey.status == SurveyStatus.DRAFT else survey


def not_found(t: Translator) -> str:
    return t._("I can't find that survey. The link may be mistyped, or the survey was removed.")


def not_answerable(t: Translator, survey: Survey, context: TidelineContext) -> str:
    if survey.opens_at is not None and context.now() < survey.opens_at:
        return t._("This survey is not open yet.")
    return t._("This survey is closed, so answers can no longer be given or changed.")


def already_answered(t: Translator) -> str:
    return t._("You have already answered this survey. Thank you!")


def _refusal_text(context: TidelineContext, survey: Survey, refusal: Refusal) -> str:
    """A refusal of ``surveys.responses`` in the reader's words."""
    t = context.t
    if refusal == Refusal.NOT_ANSWERABLE:
        return not_answerable(t, survey, context)
    if refusal == Refusal.ALREADY_SUBMITTED:
        return already_answered(t)
    return _lost(t)


def _lost(t: Translator) -> str:
    return t._("That survey is no longer in progress. Open it again to continue.")


def _with_note(text: str, t: Translator, *picked: Picked[dict[str, Any]]) -> str:
    notes = {note for each in picked if (note := shown_in_note(t, each))}
    return text + "".join(f"\n<i>{escape(note)}</i>" for note in sorted(notes))


# Opening


async def open_link(update: Update, context: TidelineContext, survey_id: str | None) -> None:
    """``sv_<id>``: the survey's card with the button that starts it (or continues it)."""
    t = context.t
    session = await context.session()
    survey = await _find_survey(session, context, int(survey_id)) if survey_id else None
    if survey is None:
        await answer(update, context, not_found(t))
        return
    reader_id = await _account_id(session, update)
    if not answerable(survey, context.now()):
        await answer(update, context, not_answerable(t, survey, context))
        return
    if survey.anonymous and await responses.has_submitted(session, survey, reader_id):
        await answer(update, context, already_answered(t))
        return
    texts = survey_texts(survey, t.language)
    title = escape(survey_title(survey, t.language))
    response = await responses.response_of(session, survey, reader_id)
    if response is None:
        count = sum(1 for question in survey.questions if question.kind != Kind.NOTE)
        status = t.ngettext("{count} question.", "{count} questions.", count).format(
            count=t.number(count)
        )
    elif response.submitted:
        status = t._("You have answered this survey. You can change your answers until it closes.")
    else:
        left = responses.questions_left(survey, response)
        status = t.ngettext(
            "You have started it: {count} question left.",
            "You have started it: {count} questions left.",
            left,
        ).format(count=t.number(left))
    text = _with_note(f"<b>{title}</b>\n{status}", t, texts)
    await answer(update, context, text, [[answer_survey_button(context, survey.id)]])


SURVEY_LINK = DeepLink(SURVEY, r"\d{1,12}", open_link)


async def begin(update: Update, context: TidelineContext) -> Awaiting | int:
    """The Answer button (an invitation, /my, the link's card): the person's one response,
    new or where they stopped."""
    t = context.t
    (survey_id,) = button_args(update)
    user = update.effective_user
    assert user is not None
    # Many people tapping at once (an invitation just went out) are written together.
    outcome = await context.services.answer_desk.start(
        StartTap(int(survey_id), user.id, person_key(update), t.language, context.now())
    )
    survey, started = outcome.survey, outcome.started
    if survey is None:
        await answer(update, context, not_found(t))
        return ConversationHandler.END
    if started is None:
        refusal = outcome.refusal or Refusal.NOT_ANSWERABLE
        await answer(update, context, _refusal_text(context, survey, refusal))
        return ConversationHandler.END
    response = started.response
    if started.created:
        await _send_introduction(update, context, survey)
        note = ""
    elif response.submitted:
        note = t._("You have answered this survey. You can change your answers until it closes.")
    else:
        note = t._("Welcome back: you continue where you stopped.")
    return await _show(update, context, survey, response, note=note, keep_pressed=True)


async def _send_introduction(update: Update, context: TidelineContext, survey: Survey) -> None:
    t = context.t
    texts = survey_texts(survey, t.language)
    lines = [f"<b>{escape(survey_title(survey, t.language))}</b>"]
    if texts.text.get("introduction"):
        lines.append(escape(str(texts.text["introduction"])))
    if survey.anonymous:
        lines.append(t._("Your answers are anonymous: they are kept without your name."))
    lines.append(t._("Each answer is saved as you give it: you can stop and continue later."))
    await answer(update, context, _with_note("\n\n".join(lines), t, texts))


# Showing the question the person is at, or the summary


async def _show(
    update: Update,
    context: TidelineContext,
    survey: Survey,
    response: SurveyResponse,
    *,
    note: str = "",
    keep_pressed: bool = False,
) -> Awaiting:
    """A button pressed on the chat's newest message turns that message into the question the
    person is at (or the summary): one edit, and only that question has live buttons. Pressed on
    an older message (the person typed since, a typed label, a reminder came), the answer comes
    anew below and the pressed message loses its buttons; a list such as /my keeps its own
    (``keep_pressed``)."""
    query = update.callback_query
    pressed = query.message if query is not None and not keep_pressed else None
    in_place = pressed is not None and context.services.latest_messages.is_newest(
        pressed.chat.id, pressed.message_id
    )
    if pressed is not None and not in_place and query is not None:
        await context.send(lambda: _drop_buttons(query))
    question = responses.current_question(survey, response)
    if question is None:
        text, keyboard = _summary(context, survey, response)
    else:
        text, keyboard = _question_screen(context, survey, response, question)
    if note:
        text = f"{note}\n\n{text}"
    await answer(update, context, text, keyboard, edit=in_place)
    return Awaiting.ANSWER


async def _drop_buttons(query: CallbackQuery) -> None:
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as error:
        # A repeated tap asks for the same edit again: the buttons are already gone.
        if "not modified" not in error.message:
            raise


def _question_screen(
    context: TidelineContext, survey: Survey, response: SurveyResponse, question: SurveyQuestion
) -> tuple[str, Keyboard]:
    t = context.t
    number, total = responses.question_number(survey, response)
    texts = question_texts(survey, question, t.language)
    lines = [
        "<i>"
        + escape(
            t._("Question {number} of {total}").format(
                number=t.number(number), total=t.number(total)
            )
        )
        + "</i>",
        f"<b>{escape(str(texts.text.get('label', '')))}</b>",
    ]
    if texts.text.get("hint"):
        lines.append(f"<i>{escape(str(texts.text['hint']))}</i>")
    scale = _scale_ends(survey, question, t.language)
    if scale:
        lines.append(escape(scale))
    instruction = _instruction(t, question)
    if instruction:
        lines.append(instruction)
    given = _answer_of(response, question)
    if given is not None and question.kind not in (Kind.MULTIPLE, Kind.NOTE):
        shown = escape(shorten(_answer_text(t, survey, question, given), SUMMARY_ANSWER_LENGTH))
        lines.append(t._("Your answer: {answer}").format(answer=shown))
    text = _with_note("\n".join(lines), t, texts)
    return text, _question_keyboard(context, survey, response, question, given)


def _scale_ends(survey: Survey, question: SurveyQuestion, reader: str) -> str:
    """A rating's labelled points ("1 = Poor · 5 = Excellent")."""
    if question.kind != Kind.RATING or not question.options:
        return ""
    engine_question = as_question(survey, question)
    labels = option_labels(engine_question, reader)
    return " · ".join(
        f"{option.value} = {label}"
        for option, label in zip(engine_question.options, labels, strict=True)
        if label
    )


def _instruction(t: Translator, question: SurveyQuestion) -> str:
    if question.kind == Kind.TEXT:
        return t._("Type your answer.")
    if question.kind == Kind.INTEGER:
        return t._("Type a whole number.")
    if question.kind == Kind.DECIMAL:
        return t._("Type a number.")
    if question.kind == Kind.DATE:
        return t._("Type the date as year-month-day, for example {example}.").format(
            example="2026-12-31"
        )
    if question.kind == Kind.MULTIPLE:
        return t._("Tick every answer that applies, then tap Done.")
    return ""


def _answer_of(response: SurveyResponse, question: SurveyQuestion) -> str | None:
    return next((a.value for a in response.answers if a.question_id == question.id), None)


def _other_of(response: SurveyResponse, question: SurveyQuestion) -> str | None:
    return next((a.other_text for a in response.answers if a.question_id == question.id), None)


def _choices(t: Translator, survey: Survey, question: SurveyQuestion) -> list[tuple[str, str]]:
    """(stored value, label shown) of every option the person can tap, "other" last."""
    engine_question = as_question(survey, question)
    labels = option_labels(engine_question, t.language)
    choices = [
        (option.value, label) for option, label in zip(engine_question.options, labels, strict=True)
    ]
    if question.kind == Kind.YES_NO and not choices:
        choices = [(YES, t._("Yes")), (NO, t._("No"))]
    if question.other:
        choices.append((OTHER, t._("Other (please say)")))
    return choices


def _question_keyboard(
    context: TidelineContext,
    survey: Survey,
    response: SurveyResponse,
    question: SurveyQuestion,
    given: str | None,
) -> Keyboard:
    t = context.t
    ids = (survey.id, question.id)
    keyboard: Keyboard = []
    if question.kind in (Kind.CHOICE, Kind.YES_NO):
        for index, (value, label) in enumerate(_choices(t, survey, question)):
            shown = f"✅ {label}" if value == given else label
            keyboard.append([context.button(shorten(shown, 60), actions.CHOOSE, *ids, index)])
    elif question.kind == Kind.MULTIPLE:
        ticked = set((given or "").split(MULTIPLE_SEPARATOR))
        for index, (value, label) in enumerate(_choices(t, survey, question)):
            if value in ticked:
                button = context.button(shorten(f"✅ {label}", 60), actions.UNSELECT, *ids, index)
            else:
                button = context.button(shorten(label, 60), actions.SELECT, *ids, index)
            keyboard.append([button])
        keyboard.append([context.button(t._("Done"), actions.DONE, *ids)])
    elif question.kind == Kind.RATING:
        points = [
            context.button(
                f"✅ {t.number(point)}" if str(point) == given else t.number(point),
                actions.RATE,
                *ids,
                point,
            )
            for point in rating_points(as_question(survey, question))
        ]
        # As evenly as Telegram's row width allows: 0–10 is six and five.
        lines_needed = max(math.ceil(len(points) / ROW_WIDTH), 1)
        keyboard += rows(points, max(math.ceil(len(points) / lines_needed), 1))
    elif question.kind == Kind.NOTE:
        keyboard.append([context.button(t._("Continue"), actions.NEXT, *ids)])
    navigation = []
    if responses.question_number(survey, response)[0] > 1:
        navigation.append(context.button(t._("« Back"), actions.BACK, *ids))
    if not question.required and question.kind != Kind.NOTE:
        navigation.append(context.button(t._("Skip"), actions.SKIP, *ids))
    if navigation:
        keyboard.append(navigation)
    return keyboard


def _answer_text(t: Translator, survey: Survey, question: SurveyQuestion, value: str) -> str:
    if question.kind in (Kind.CHOICE, Kind.YES_NO, Kind.MULTIPLE):
        labels = dict(_choices(t, survey, question))
        return ", ".join(labels.get(part, part) for part in value.split(MULTIPLE_SEPARATOR))
    if question.kind in (Kind.INTEGER, Kind.DECIMAL, Kind.RATING):
        return t.number(Decimal(value))
    return value


def _summary(
    context: TidelineContext, survey: Survey, response: SurveyResponse
) -> tuple[str, Keyboard]:
    t = context.t
    title = survey_texts(survey, t.language)
    lines = [f"<b>{escape(survey_title(survey, t.language))}</b>", t._("Your answers:")]
    buttons = []
    picked: list[Picked[dict[str, Any]]] = [title]
    shown_questions = responses.summary(survey, response)
    # Every label and answer gets its share of one message (a long form's are cut shorter).
    length = max(min(SUMMARY_ANSWER_LENGTH, SUMMARY_BUDGET // max(len(shown_questions), 1)), 10)
    for number, (question, given) in enumerate(shown_questions, start=1):
        texts = question_texts(survey, question, t.language)
        picked.append(texts)
        label = shorten(str(texts.text.get("label", "")), length)
        if given is None:
            shown = t._("(skipped)")
        else:
            shown = _answer_text(t, survey, question, given.value)
            if given.other_text:
                shown += f" – {given.other_text}"
        shown = shorten(shown, length)
        lines.append(f"{t.number(number)}. {escape(label)}\n   <b>{escape(shown)}</b>")
        buttons.append(
            context.button(f"✏️ {t.number(number)}", actions.CHANGE, survey.id, question.id)
        )
    lines.append(t._("Tap a number to change that answer, or Submit."))
    # Telegram takes at most 100 buttons a message: the last questions of a 100-question form
    # are reached with Back.
    keyboard = rows(buttons[:MAX_CHANGE_BUTTONS], 4)
    keyboard.append([context.button(t._("« Back"), actions.BACK, survey.id, 0)])
    keyboard.append([context.button(t._("Submit"), actions.SUBMIT, survey.id)])
    return _with_note("\n".join(lines), t, *picked), keyboard


# Buttons


class _Stale(Exception):
    """The step was refused and the person told why; nothing was changed."""


async def _response_for(
    update: Update, context: TidelineContext, survey_id: int
) -> tuple[Survey, SurveyResponse]:
    """The pressed button's survey and the person's response to it, still answerable."""
    t = context.t
    session = await context.session()
    survey = await _find_survey(session, context, survey_id)
    if survey is None:
        await _refuse(update, context, not_found(t))
        raise _Stale
    if not answerable(survey, context.now()):
        await _refuse(update, context, not_answerable(t, survey, context))
        raise _Stale
    reader_id = await _account_id(session, update)
    response = await responses.response_of(session, survey, reader_id)
    if response is None:
        submitted = await responses.has_submitted(session, survey, reader_id)
        await _refuse(
            update,
            context,
            _refusal_text(
                context, survey, Refusal.ALREADY_SUBMITTED if submitted else Refusal.NOT_THIS_SURVEY
            ),
        )
        raise _Stale
    await save_state(session, ANSWERING, person_key(update), str(survey.id))
    return survey, response


async def _account_id(session: AsyncSession, update: Update) -> int:
    """The id of the account behind the update, without loading the account and its consents
    (``account_of``): every tap needs it, and only the id."""
    user = update.effective_user
    assert user is not None
    account_id = await find_account_id(session, user.id)
    if account_id is None:
        raise LookupError("resolve_reader runs before every handler")
    return account_id


async def _refuse(update: Update, context: TidelineContext, text: str) -> None:
    if update.callback_query is not None:
        await context.answer_query(update, text, show_alert=True)
    else:
        await answer(update, context, text)


async def _at_question(
    update: Update, context: TidelineContext
) -> tuple[Survey, SurveyResponse, SurveyQuestion, list[str]]:
    """For a question's button: the question must be the one the person is at."""
    survey_id, question_id, *rest = button_args(update)
    survey, response = await _response_for(update, context, int(survey_id))
    question = responses.current_question(survey, response)
    if question is None or str(question.id) != question_id:
        await earlier_step_button(update, context)
        raise _Stale
    return survey, response, question, rest


async def _save(
    update: Update,
    context: TidelineContext,
    survey: Survey,
    response: SurveyResponse,
    question: SurveyQuestion,
    value: str,
    *,
    other_text: str | None = None,
) -> Awaiting:
    try:
        responses.save_answer(
            survey, response, question, value, other_text=other_text, now=context.now()
        )
    except ConstraintFailed as failed:
        return await _constraint_failed(update, context, survey, response, failed)
    await (await context.session()).flush()
    return await _show(update, context, survey, response)


async def _constraint_failed(
    update: Update,
    context: TidelineContext,
    survey: Survey,
    response: SurveyResponse,
    failed: ConstraintFailed,
) -> Awaiting:
    """Nothing is kept: the question is asked again with the organizers' reason."""
    reason = message_for(survey, failed.messages, context.t.language) or context.t._(
        "That answer does not fit this question. Please check it and answer again."
    )
    await context.answer_query(update)
    return await _show(update, context, survey, response, note=f"⚠️ {escape(reason)}")


async def _ask_other(update: Update, context: TidelineContext) -> Awaiting:
    await answer(update, context, context.t._("Please type what “other” is."))
    return Awaiting.OTHER_TEXT


async def _tap(update: Update, context: TidelineContext, press: Press) -> Awaiting | int | None:
    """A choice, yes/no or rating button: the hot path of a survey, so many people's taps are
    written together (``surveys.answer_desk``) rather than one transaction each."""
    survey_id, question_id, argument = button_args(update)
    user = update.effective_user
    assert user is not None
    tapped = await context.services.answer_desk.tap(
        AnswerTap(
            int(survey_id),
            int(question_id),
            press,
            int(argument),
            user.id,
            person_key(update),
            context.now(),
        )
    )
    if (answerable := await _answerable(update, context, tapped)) is None:
        return None
    survey, response = answerable
    if tapped.failed is not None:
        return await _constraint_failed(update, context, survey, response, tapped.failed)
    if tapped.verdict == TapVerdict.OTHER_CHOSEN:
        return await _ask_other(update, context)
    return await _show(update, context, survey, response)


async def _answerable(
    update: Update, context: TidelineContext, tapped: TapOutcome
) -> tuple[Survey, SurveyResponse] | None:
    """The survey and response a desk's tap was for, or None once the person was told why
    it was refused (nothing was changed then)."""
    t, survey, response = context.t, tapped.survey, tapped.response
    if survey is None:
        await _refuse(update, context, not_found(t))
        return None
    if tapped.verdict == TapVerdict.NOT_ANSWERABLE:
        await _refuse(update, context, not_answerable(t, survey, context))
        return None
    if response is None:
        submitted = tapped.verdict == TapVerdict.SUBMITTED
        refusal = Refusal.ALREADY_SUBMITTED if submitted else Refusal.NOT_THIS_SURVEY
        await _refuse(update, context, _refusal_text(context, survey, refusal))
        return None
    if tapped.verdict == TapVerdict.STALE:
        await earlier_step_button(update, context)
        return None
    return survey, response


async def choose(update: Update, context: TidelineContext) -> Awaiting | int | None:
    return await _tap(update, context, Press.CHOOSE)


async def rate(update: Update, context: TidelineContext) -> Awaiting | int | None:
    return await _tap(update, context, Press.RATE)


def _ticked(response: SurveyResponse, question: SurveyQuestion) -> list[str]:
    given = _answer_of(response, question)
    return given.split(MULTIPLE_SEPARATOR) if given else []


async def _tick(update: Update, context: TidelineContext, *, selected: bool) -> Awaiting | None:
    try:
        survey, response, question, (index,) = await _at_question(update, context)
    except _Stale:
        return None
    choices = [value for value, _ in _choices(context.t, survey, question)]
    if question.kind != Kind.MULTIPLE or not 0 <= int(index) < len(choices):
        await earlier_step_button(update, context)
        return None
    value = choices[int(index)]
    ticked = set(_ticked(response, question))
    if (value in ticked) == selected:
        # A double tap, or a button from before a tap on another device.
        await context.answer_query(update, out_of_date_notice(context.t), show_alert=True)
    elif selected:
        ticked.add(value)
    else:
        ticked.discard(value)
    in_order = MULTIPLE_SEPARATOR.join(v for v in choices if v in ticked)
    responses.keep_selection(survey, response, question, in_order, now=context.now())
    return await _show(update, context, survey, response)


async def select(update: Update, context: TidelineContext) -> Awaiting | None:
    return await _tick(update, context, selected=True)


async def unselect(update: Update, context: TidelineContext) -> Awaiting | None:
    return await _tick(update, context, selected=False)


async def done(update: Update, context: TidelineContext) -> Awaiting | int | None:
    try:
        survey, response, question, _ = await _at_question(update, context)
    except _Stale:
        return None
    ticked = _ticked(response, question)
    if not ticked:
        if question.required:
            await context.answer_query(update, _required_text(context, survey, question), True)
            return None
        responses.skip(survey, response, question, now=context.now())
        return await _show(update, context, survey, response)
    value = MULTIPLE_SEPARATOR.join(ticked)
    if OTHER in ticked:
        try:
            responses.check_constraint(survey, response, question, value)
        except ConstraintFailed as failed:
            return await _constraint_failed(update, context, survey, response, failed)
        return await _ask_other(update, context)
    return await _save(update, context, survey, response, question, value)


def _required_text(context: TidelineContext, survey: Survey, question: SurveyQuestion) -> str:
    messages = {
        language: str(texts["required_message"])
        for language, texts in question.texts.items()
        if texts.get("required_message")
    }
    return message_for(survey, messages, context.t.language) or context.t._(
        "This question needs an answer."
    )


async def skip(update: Update, context: TidelineContext) -> Awaiting | None:
    try:
        survey, response, question, _ = await _at_question(update, context)
    except _Stale:
        return None
    try:
        responses.skip(survey, response, question, now=context.now())
    except ResponseRefused:
        await context.answer_query(update, _required_text(context, survey, question), True)
        return None
    return await _show(update, context, survey, response)


async def next_after_note(update: Update, context: TidelineContext) -> Awaiting | None:
    try:
        survey, response, question, _ = await _at_question(update, context)
    except _Stale:
        return None
    responses.advance(survey, response, question, now=context.now())
    return await _show(update, context, survey, response)


async def go_back(update: Update, context: TidelineContext) -> Awaiting | None:
    survey_id, question_id = button_args(update)
    try:
        survey, response = await _response_for(update, context, int(survey_id))
    except _Stale:
        return None
    current = responses.current_question(survey, response)
    # The summary's Back names no question (0); a question's Back names that question.
    if (current.id if current else 0) != int(question_id):
        await earlier_step_button(update, context)
        return None
    responses.back(survey, response, now=context.now())
    return await _show(update, context, survey, response)


async def change(update: Update, context: TidelineContext) -> Awaiting | None:
    survey_id, question_id = button_args(update)
    try:
        survey, response = await _response_for(update, context, int(survey_id))
    except _Stale:
        return None
    question = next((q for q in survey.questions if str(q.id) == question_id), None)
    if question is None:
        await earlier_step_button(update, context)
        return None
    try:
        responses.go_to(survey, response, question.name, now=context.now())
    except ResponseRefused as refused:
        if refused.refusal == Refusal.NOT_SHOWN:
            await earlier_step_button(update, context)
        else:
            await _refuse(update, context, _refusal_text(context, survey, refused.refusal))
        return None
    return await _show(update, context, survey, response)


async def submit(update: Update, context: TidelineContext) -> Awaiting | int | None:
    """Written together with other people's Submit taps (``surveys.answer_desk``)."""
    t = context.t
    (survey_id,) = button_args(update)
    user = update.effective_user
    assert user is not None
    handed = await context.services.answer_desk.submit(
        SubmitTap(int(survey_id), user.id, person_key(update), context.now())
    )
    if (answerable := await _answerable(update, context, handed)) is None:
        return None
    survey, response = answerable
    if handed.missing is not None:
        note = f"⚠️ {escape(_required_text(context, survey, handed.missing))}"
        return await _show(update, context, survey, response, note=note)
    texts = survey_texts(survey, t.language)
    thanks = str(texts.text.get("thank_you") or "") or t._("Thank you! Your answers are in.")
    text = _with_note(escape(thanks), t, texts)
    keyboard = None
    if not survey.anonymous:
        text += "\n" + t._("You can change your answers until the survey closes.")
        keyboard = [[context.button(t._("Change my answers"), ANSWER_SURVEY, survey.id)]]
    await answer(update, context, text, keyboard, edit=True)
    return ConversationHandler.END


# Typed answers


async def _typed_for(
    update: Update, context: TidelineContext
) -> tuple[Survey, SurveyResponse] | None:
    session = await context.session()
    survey_id = await load_state(session, ANSWERING, person_key(update))
    if survey_id is None:
        await answer(update, context, _lost(context.t))
        return None
    try:
        return await _response_for(update, context, int(survey_id))
    except _Stale:
        return None


def _typed_choice(t: Translator, survey: Survey, question: SurveyQuestion, text: str) -> int | None:
    """The option whose label (as shown, or in any language written) is what was typed."""
    typed = " ".join(text.split()).casefold()
    shown = [label.casefold() for _, label in _choices(t, survey, question)]
    if typed in shown:
        return shown.index(typed)
    for index, option in enumerate(question.options):
        if typed in (str(label).casefold() for label in option["labels"].values()):
            return index
    return None


async def type_answer(update: Update, context: TidelineContext) -> Awaiting | int | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    found = await _typed_for(update, context)
    if found is None:
        return ConversationHandler.END
    survey, response = found
    t = context.t
    question = responses.current_question(survey, response)
    if question is None or question.kind == Kind.NOTE:
        await expect_buttons(update, context)
        return None
    if question.kind in (Kind.CHOICE, Kind.YES_NO, Kind.MULTIPLE):
        index = _typed_choice(t, survey, question, message.text)
        if index is None:
            await expect_buttons(update, context)
            return None
        value = [value for value, _ in _choices(t, survey, question)][index]
        if question.kind == Kind.MULTIPLE:
            ticked = set(_ticked(response, question)) | {value}
            choices = [v for v, _ in _choices(t, survey, question)]
            in_order = MULTIPLE_SEPARATOR.join(v for v in choices if v in ticked)
            responses.keep_selection(survey, response, question, in_order, now=context.now())
            return await _show(update, context, survey, response)
        if value == OTHER:
            responses.keep_selection(survey, response, question, OTHER, now=context.now())
            return await _ask_other(update, context)
        return await _save(update, context, survey, response, question, value)
    try:
        value = answer_typed(as_question(survey, question), message.text, t.language)
    except InvalidAnswer as problem:
        await answer(update, context, _problem_text(t, question, problem))
        return None  # the same question stays open (an edit of this message may answer it)
    return await _save(update, context, survey, response, question, value)


def _problem_text(t: Translator, question: SurveyQuestion, problem: InvalidAnswer) -> str:
    if problem.problem == Problem.AMBIGUOUS_NUMBER:
        return ambiguous_number(t, UnreadableNumber(NumberProblem.AMBIGUOUS, problem.readings))
    if problem.problem == Problem.ANSWERED_BY_BUTTONS:
        return t._("Please use the buttons above to answer, or send /cancel to stop.")
    if problem.problem in (Problem.TOO_SMALL, Problem.TOO_LARGE, Problem.NOT_WHOLE):
        low, high = question.minimum, question.maximum
        if low is not None and high is not None:
            bounds = {"low": t.number(Decimal(low)), "high": t.number(Decimal(high))}
            if question.kind == Kind.DECIMAL:
                return t._("Please type a number from {low} to {high}.").format(**bounds)
            return t._("Please type a whole number from {low} to {high}.").format(**bounds)
        if problem.problem == Problem.NOT_WHOLE:
            return t._("Please type a whole number, for example 3.")
        bound = t.number(problem.bound or 0)
        if problem.problem == Problem.TOO_SMALL:
            return t._("Please type a number of at least {bound}.").format(bound=bound)
        return t._("Please type a number of at most {bound}.").format(bound=bound)
    if problem.problem == Problem.NOT_A_NUMBER:
        return t._("Please type a number, for example {whole} or {decimal}.").format(
            whole=t.number(12), decimal=t.number(Decimal("12.5"))
        )
    if problem.problem in (Problem.NOT_A_DATE, Problem.NO_SUCH_DATE):
        return t._("Type the date as year-month-day, for example {example}.").format(
            example="2026-12-31"
        )
    if problem.problem == Problem.TOO_LONG:
        return t.ngettext(
            "That is too long: please keep it under {count} character.",
            "That is too long: please keep it under {count} characters.",
            problem.limit,
        ).format(count=t.number(problem.limit))
    return t._("Please type it as text.")


async def type_other(update: Update, context: TidelineContext) -> Awaiting | int | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    found = await _typed_for(update, context)
    if found is None:
        return ConversationHandler.END
    survey, response = found
    question = responses.current_question(survey, response)
    ticked = _ticked(response, question) if question is not None else []
    if question is None or OTHER not in ticked:
        # The question moved on (another device, a button): answer the one shown now.
        return await _show(update, context, survey, response)
    said = " ".join(message.text.split())
    if len(said) > SURVEY_TEXT_MAX_LENGTH:
        await reject_answer(
            update, context, InvalidAnswer(Problem.TOO_LONG, SURVEY_TEXT_MAX_LENGTH)
        )
        return None
    value = MULTIPLE_SEPARATOR.join(ticked)
    return await _save(update, context, survey, response, question, value, other_text=said)


async def wrong_kind(update: Update, context: TidelineContext) -> None:
    """A sticker, photo or file where an answer is expected."""
    session = await context.session()
    survey_id = await load_state(session, ANSWERING, person_key(update))
    survey = await _find_survey(session, context, int(survey_id)) if survey_id else None
    reader_id = await _account_id(session, update)
    response = await responses.response_of(session, survey, reader_id) if survey else None
    question = responses.current_question(survey, response) if survey and response else None
    if question is not None and question.kind in (
        Kind.TEXT,
        Kind.INTEGER,
        Kind.DECIMAL,
        Kind.DATE,
    ):
        await expect_text(update, context)
    else:
        await expect_buttons(update, context)


async def cancel(update: Update, context: TidelineContext) -> int:
    session = await context.session()
    await save_state(session, ANSWERING, person_key(update), None)
    await answer(
        update,
        context,
        context.t._("Stopped. Your answers so far are saved: open the survey again to continue."),
    )
    return ConversationHandler.END


BUTTONS = {
    actions.CHOOSE: choose,
    actions.RATE: rate,
    actions.SELECT: select,
    actions.UNSELECT: unselect,
    actions.DONE: done,
    actions.SKIP: skip,
    actions.NEXT: next_after_note,
    actions.BACK: go_back,
    actions.CHANGE: change,
    actions.SUBMIT: submit,
}


def build_answering() -> ConversationHandler:
    typed = filters.TEXT & ~filters.COMMAND
    not_typed = ~filters.COMMAND & ~filters.TEXT
    buttons: list[BaseHandler] = [
        CallbackQueryHandler(callback, pattern=action_pattern(action))
        for action, callback in BUTTONS.items()
    ]
    return ConversationHandler(
        name=CONVERSATION,
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CallbackQueryHandler(begin, pattern=action_pattern(ANSWER_SURVEY)),
            *buttons,
        ],
        states={
            Awaiting.ANSWER: [
                MessageHandler(typed, type_answer),
                MessageHandler(not_typed, wrong_kind),
            ],
            Awaiting.OTHER_TEXT: [
                MessageHandler(typed, type_other),
                MessageHandler(not_typed, expect_text),
            ],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
    )
