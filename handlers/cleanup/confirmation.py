"""The summary a participant checks before Submit, and changing one quick figure from it."""

from telegram import Update

from accounts.models import User
from events import cleanup_card as card
from events.cleanup_card import Draft, Figure, InvalidFigure, Refusal, ReportRefused
from events.models import Event
from handlers.cleanup.flow import (
    BRAND_AUDIT,
    CHANGE_FIGURE,
    FIGURE_LABELS,
    SUBMIT,
    TALLY,
    Awaiting,
    brand_lines,
    draft_key,
    edit_draft,
    escaped_title,
    figure_problem_text,
    figure_prompt,
    figures_line,
    items_lines,
    while_open,
)
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.keyboards import rows


async def show_confirmation(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    draft = await card.load_draft(session, draft_key(update))
    event = await session.get(Event, draft.event_id)
    if event is None:
        raise ReportRefused(Refusal.NO_SUCH_EVENT)
    lines = [
        t._("<b>Please check your data card</b> – {title}").format(title=escaped_title(t, event)),
        figures_line(t, draft.card),
        *items_lines(t, draft.card.items),
        *brand_lines(t, draft.card.brands),
    ]
    # Photos sent before the consent was withdrawn are not kept (see submit_report).
    photos = len(draft.card.photo_file_ids) if card.may_add_photos(account) else 0
    if photos:
        lines.append(
            t.ngettext("{count} photo", "{count} photos", photos).format(count=t.number(photos))
        )
    lines += ["", t._("Tap a figure to change it, or Submit.")]
    tally_label = t._("Edit item tally") if draft.card.items else t._("Add item tally")
    brands_label = t._("Edit brand audit") if draft.card.brands else t._("Add brand audit")
    change_buttons = [
        context.button("✏️ " + t._(label), CHANGE_FIGURE, figure.value)
        for figure, label in FIGURE_LABELS.items()
    ]
    await answer(
        update,
        context,
        "\n".join(lines),
        [
            [context.button(t._("Submit"), SUBMIT)],
            *rows(change_buttons, 2),
            [context.button(tally_label, TALLY)],
            [context.button(brands_label, BRAND_AUDIT)],
        ],
    )
    return Awaiting.CONFIRMATION


@while_open
async def change_figure(update: Update, context: TidelineContext) -> Awaiting:
    """A figure's button on the summary: ask for it again, saying what it is now."""
    t = context.t
    figure = Figure(button_args(update)[0])

    def focus(draft: Draft, _: User) -> None:
        draft.changing = figure.value

    draft, _ = await edit_draft(update, context, focus)
    await context.answer_query(update)
    await answer(
        update,
        context,
        t._("{figure} is now {value}.").format(
            figure=t._(FIGURE_LABELS[figure]), value=t.number(draft.card.figure(figure))
        )
        + "\n"
        + figure_prompt(t, figure),
    )
    return Awaiting.CHANGE_VALUE


@while_open
async def type_changed_figure(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    session = await context.session()
    draft = await card.load_draft(session, draft_key(update))
    figure = Figure(draft.changing) if draft.changing else Figure.BAGS
    try:
        value = card.parse_figure(figure, message.text, t.locale)
    except InvalidFigure as problem:
        await answer(update, context, figure_problem_text(t, problem))
        return None

    def change(draft: Draft, _: User) -> None:
        draft.card = draft.card.with_figure(figure, value)
        draft.changing = None

    await edit_draft(update, context, change)
    return await show_confirmation(update, context)
