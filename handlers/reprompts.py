"""Answers for input a conversation step did not ask for."""

from telegram import Update

from handlers.common import TidelineContext, answer


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
