"""Answers for input a conversation step did not ask for, or could not use."""

from telegram import Update

from accounts.service import InvalidText, TextProblem
from handlers.kit.context import TidelineContext, answer
from i18n import Translator
from questions import InvalidAnswer, Problem


async def expect_buttons(update: Update, context: TidelineContext) -> None:
    await answer(
        update,
        context,
        context.t._("Please use the buttons above to answer, or send /cancel to stop."),
    )


async def expect_text(update: Update, context: TidelineContext) -> None:
    await answer(
        update,
        context,
        context.t._("Please type your answer as a text message, or send /cancel to stop."),
    )


async def earlier_step_button(update: Update, context: TidelineContext) -> None:
    assert update.callback_query is not None
    await context.answer_query(
        update,
        context.t._("That button belongs to an earlier step. Please answer the latest question."),
        show_alert=True,
    )


def out_of_date_notice(t: Translator) -> str:
    """For a button whose state is older than what is stored: nothing is applied, its message
    is refreshed."""
    return t._("Those buttons were out of date, so nothing changed. They now show your choices.")


def text_problem_message(t: Translator, problem: InvalidText) -> str:
    limit = problem.limit
    if problem.problem == TextProblem.EMPTY:
        return t._("Please type it as text.")
    if problem.problem == TextProblem.NO_LETTERS:
        return no_letters(t)
    return _too_long(t, limit)


def no_letters(t: Translator) -> str:
    """For a city typed as emoji, digits or punctuation alone."""
    return t._("That does not look like the name of a place: please type it in letters.")


def _too_long(t: Translator, limit: int) -> str:
    return t.ngettext(
        "That is too long: please keep it under {count} character.",
        "That is too long: please keep it under {count} characters.",
        limit,
    ).format(count=t.number(limit))


async def reject_answer(update: Update, context: TidelineContext, problem: InvalidAnswer) -> None:
    """An answer the question engine refused, said in the reader's language."""
    t = context.t
    if problem.problem == Problem.ANSWERED_BY_BUTTONS:
        await expect_buttons(update, context)
    elif problem.problem == Problem.EMPTY:
        await answer(update, context, t._("Please type it as text."))
    elif problem.problem == Problem.TOO_LONG:
        await answer(update, context, _too_long(t, problem.limit))
    else:
        await earlier_step_button(update, context)
