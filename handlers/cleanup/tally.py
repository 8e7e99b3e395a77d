"""The data card's item tally: groups, items and counts, and items of local concern."""

from html import escape

from telegram import Update

from accounts.models import User
from accounts.service import InvalidText, clean_free_text
from events import cleanup_card as card
from events.cleanup_card import (
    MAX_LOCAL_ITEMS,
    SECTIONS,
    SECTIONS_BY_KEY,
    Draft,
    InvalidFigure,
    InvalidLocalItem,
)
from handlers.cleanup.flow import (
    ADD,
    ADD_STEPS,
    BACK_TO_CATEGORIES,
    BACK_TO_SECTIONS,
    CATEGORY,
    LOCAL,
    SECTION,
    TALLY_DONE,
    Awaiting,
    edit_draft,
    figure_problem_text,
    item_label,
    items_lines,
    while_open,
)
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, answer
from handlers.kit.keyboards import rows
from handlers.kit.reprompts import text_problem_message
from i18n import Translator


def _tally_summary(t: Translator, draft: Draft) -> str:
    lines = items_lines(t, draft.card.items)
    return "\n".join(lines) if lines else t._("Nothing counted yet.")


async def _show_sections(
    update: Update, context: TidelineContext, draft: Draft, *, edit: bool
) -> Awaiting:
    t = context.t
    buttons = [context.button(t._(section.label), SECTION, section.key) for section in SECTIONS]
    keyboard = rows(buttons, 2) + [
        [context.button(t._("Items of local concern"), LOCAL)],
        [context.button(t._("Done"), TALLY_DONE)],
    ]
    text = "\n".join(
        [
            t._("<b>Item tally</b>"),
            t._("Choose a group, then tap an item to count it."),
            "",
            _tally_summary(t, draft),
        ]
    )
    await answer(update, context, text, keyboard, edit=edit)
    return Awaiting.SECTION


async def _show_categories(
    update: Update, context: TidelineContext, draft: Draft, *, edit: bool
) -> Awaiting:
    t = context.t
    section = SECTIONS_BY_KEY[draft.section or SECTIONS[0].key]
    items = draft.card.items
    buttons = [
        context.button(
            t._(category.label)
            + (f" · {t.number(items[category.key])}" if category.key in items else ""),
            CATEGORY,
            category.key,
        )
        for category in section.categories
    ]
    keyboard = rows(buttons, 2) + [[context.button(t._("Back"), BACK_TO_SECTIONS)]]
    text = "\n".join(
        [f"<b>{escape(t._(section.label))}</b>", t._("Tap an item to count it."), ""]
        + [_tally_summary(t, draft)]
    )
    await answer(update, context, text, keyboard, edit=edit)
    return Awaiting.CATEGORY


async def _show_count(
    update: Update, context: TidelineContext, draft: Draft, *, edit: bool
) -> Awaiting:
    t = context.t
    assert draft.focus is not None
    count = draft.card.items.get(draft.focus, 0)
    text = "\n".join(
        [
            f"<b>{item_label(t, draft.focus)}</b>: {t.number(count)}",
            t._("Tap to add, or type the total."),
        ]
    )
    # An item of local concern has no group to go back to.
    back = BACK_TO_SECTIONS if card.local_label(draft.focus) is not None else BACK_TO_CATEGORIES
    keyboard = [
        [context.button(f"+{step}", ADD, step) for step in ADD_STEPS],
        [context.button(t._("Back"), back)],
    ]
    await answer(update, context, text, keyboard, edit=edit)
    return Awaiting.COUNT


@while_open
async def open_tally(update: Update, context: TidelineContext) -> Awaiting:
    draft, _ = await edit_draft(update, context, lambda draft, _: None)
    return await _show_sections(update, context, draft, edit=True)


@while_open
async def choose_section(update: Update, context: TidelineContext) -> Awaiting:
    (section,) = button_args(update)
    draft, _ = await edit_draft(
        update, context, lambda draft, _: setattr(draft, "section", section)
    )
    return await _show_categories(update, context, draft, edit=True)


@while_open
async def choose_category(update: Update, context: TidelineContext) -> Awaiting:
    (category,) = button_args(update)
    draft, _ = await edit_draft(update, context, lambda draft, _: setattr(draft, "focus", category))
    return await _show_count(update, context, draft, edit=True)


@while_open
async def add_to_count(update: Update, context: TidelineContext) -> Awaiting:
    step = int(button_args(update)[0])

    def add(draft: Draft, _: User) -> None:
        assert draft.focus is not None
        card.add_items(draft, draft.focus, step)

    try:
        draft, _ = await edit_draft(update, context, add)
    except InvalidFigure as problem:
        await context.answer_query(update, figure_problem_text(context.t, problem), True)
        return Awaiting.COUNT
    return await _show_count(update, context, draft, edit=True)


@while_open
async def type_count(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        count = card.parse_count(message.text, card.MAX_ITEM_COUNT, context.t.locale)
    except InvalidFigure as problem:
        await answer(update, context, figure_problem_text(context.t, problem))
        return None

    def set_count(draft: Draft, _: User) -> None:
        assert draft.focus is not None
        card.set_item_count(draft, draft.focus, count)

    draft, _ = await edit_draft(update, context, set_count)
    return await _show_count(update, context, draft, edit=False)


@while_open
async def back_to_sections(update: Update, context: TidelineContext) -> Awaiting:
    def leave(draft: Draft, _: User) -> None:
        draft.focus = draft.section = None

    draft, _ = await edit_draft(update, context, leave)
    return await _show_sections(update, context, draft, edit=True)


@while_open
async def back_to_categories(update: Update, context: TidelineContext) -> Awaiting:
    draft, _ = await edit_draft(update, context, lambda draft, _: setattr(draft, "focus", None))
    return await _show_categories(update, context, draft, edit=True)


@while_open
async def ask_local_item(update: Update, context: TidelineContext) -> Awaiting:
    await answer(
        update,
        context,
        context.t._(
            "What did you find that matters here? Type a short name, for example coconut husks."
        ),
        edit=True,
    )
    return Awaiting.LOCAL_LABEL


@while_open
async def type_local_item(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    try:
        label = clean_free_text(message.text, card.LOCAL_LABEL_MAX_LENGTH)
        draft, _ = await edit_draft(
            update, context, lambda draft, _: card.focus_local_item(draft, label)
        )
    except InvalidText as problem:
        await answer(update, context, text_problem_message(t, problem))
        return None
    except InvalidLocalItem:
        await answer(
            update,
            context,
            t.ngettext(
                "A data card holds up to {count} item of local concern.",
                "A data card holds up to {count} items of local concern.",
                MAX_LOCAL_ITEMS,
            ).format(count=t.number(MAX_LOCAL_ITEMS)),
        )
        return None
    return await _show_count(update, context, draft, edit=False)
