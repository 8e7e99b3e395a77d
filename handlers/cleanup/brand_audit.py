"""The data card's optional brand audit: for items counted, the brand printed on them and how
many, typed or picked from the registered companies' brands (pledges.brand_audits)."""

from html import escape

from telegram import Update

from accounts.models import User
from events import cleanup_card as card
from events.cleanup_card import Draft, InvalidFigure
from handlers.cleanup.confirmation import show_confirmation
from handlers.cleanup.flow import (
    BRAND,
    BRANDS_DONE,
    Awaiting,
    brand_lines,
    edit_draft,
    figure_problem_text,
    while_open,
)
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, answer
from handlers.kit.keyboards import rows
from pledges import brand_audits
from pledges.brand_audits import BrandProblem


async def _ask_brand(
    update: Update, context: TidelineContext, draft: Draft, *, lead: str | None, edit: bool
) -> Awaiting:
    t = context.t
    session = await context.session()
    offered = await brand_audits.suggestions(session)
    lines = ([lead] if lead else []) + brand_lines(t, draft.card.brands)
    if lines:
        lines.append("")
    lines.append(
        t._(
            "Which brand was printed on items you counted? Type it as printed, or tap one of "
            "the partnership's companies' brands."
        )
    )
    buttons = [
        context.button(suggestion.brand, BRAND, suggestion.company_id, suggestion.index)
        for suggestion in offered
    ]
    await answer(
        update,
        context,
        "\n".join(lines),
        [*rows(buttons, 2), [context.button(t._("Done with brands"), BRANDS_DONE)]],
        edit=edit,
    )
    return Awaiting.BRAND


@while_open
async def open_brand_audit(update: Update, context: TidelineContext) -> Awaiting:
    draft, _ = await edit_draft(update, context, lambda draft, _: setattr(draft, "brand", None))
    return await _ask_brand(update, context, draft, lead=None, edit=True)


async def _ask_count(update: Update, context: TidelineContext, brand: str) -> Awaiting:
    def focus(draft: Draft, _: User) -> None:
        draft.brand = brand

    await edit_draft(update, context, focus)
    await answer(
        update,
        context,
        context.t._("How many items carried the brand {brand}? Type a number.").format(
            brand=f"<b>{escape(brand)}</b>"
        ),
    )
    return Awaiting.BRAND_COUNT


@while_open
async def choose_brand(update: Update, context: TidelineContext) -> Awaiting | None:
    company_id, index = button_args(update)
    session = await context.session()
    brand = await brand_audits.suggested_brand(session, int(company_id), int(index))
    if brand is None:
        await context.answer_query(
            update, context.t._("That brand is no longer offered. Please type it."), True
        )
        return None
    await context.answer_query(update)
    return await _ask_count(update, context, brand)


@while_open
async def type_brand(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    session = await context.session()
    try:
        brand = await brand_audits.known_spelling(session, message.text)
    except BrandProblem as problem:
        await answer(
            update,
            context,
            t._("That brand name is too long. Please type it shorter.")
            if problem.too_long
            else t._("Please type the brand with its letters, for example Siam Fresh."),
        )
        return None
    return await _ask_count(update, context, brand)


@while_open
async def type_brand_count(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    try:
        count = card.parse_count(message.text, card.MAX_ITEM_COUNT, t.locale)
    except InvalidFigure as problem:
        await answer(update, context, figure_problem_text(t, problem))
        return None
    counted: list[tuple[str, int]] = []

    def add(draft: Draft, _: User) -> None:
        assert draft.brand is not None
        counted.append((draft.brand, brand_audits.add_brand(draft.card.brands, draft.brand, count)))
        draft.brand = None

    try:
        draft, _ = await edit_draft(update, context, add)
    except OverflowError:
        await answer(
            update,
            context,
            t.ngettext(
                "A data card holds up to {count} brand.",
                "A data card holds up to {count} brands.",
                brand_audits.BRANDS_PER_CARD_MAX,
            ).format(count=t.number(brand_audits.BRANDS_PER_CARD_MAX)),
        )
        return None
    ((brand, total),) = counted
    lead = t.ngettext(
        "{brand}: {count} item so far.", "{brand}: {count} items so far.", total
    ).format(brand=escape(brand), count=t.number(total))
    return await _ask_brand(update, context, draft, lead=lead, edit=False)


@while_open
async def brands_done(update: Update, context: TidelineContext) -> Awaiting:
    await context.answer_query(update)
    await edit_draft(update, context, lambda draft, _: setattr(draft, "brand", None))
    await context.send(update.callback_query.edit_message_reply_markup)  # type: ignore[union-attr]
    return await show_confirmation(update, context)
