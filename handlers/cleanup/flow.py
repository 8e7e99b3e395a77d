"""What the parts of the cleanup data card share: its states and buttons, the wording of
figures, items and refusals, and the steps' guard and draft key.

The half-filled card lives in the database (events.cleanup_card drafts), so each step reads it,
changes it and saves it in one transaction; the conversation state only says what comes next.
"""

from collections.abc import Callable, Coroutine
from decimal import Decimal
from enum import StrEnum
from functools import wraps
from html import escape
from typing import Any, Protocol

from telegram import Update
from telegram.ext import ConversationHandler

from accounts.models import User
from events import cleanup_card as card
from events.cleanup_card import (
    CATEGORIES,
    REPORTING_WINDOW_AFTER_END,
    Draft,
    Figure,
    FigureProblem,
    InvalidFigure,
    NoDraft,
    Refusal,
    ReportRefused,
)
from events.models import Event
from events.texts import event_title
from handlers.kit.context import TidelineContext, account_of, answer
from i18n import Translator, lazy
from i18n.input_problems import ambiguous_number


class Awaiting(StrEnum):
    EVENT = "event"
    BAGS = "bags"
    WEIGHT = "weight"
    PEOPLE = "people"
    DISTANCE = "distance"
    TALLY_CHOICE = "tally_choice"
    SECTION = "section"
    CATEGORY = "category"
    COUNT = "count"
    LOCAL_LABEL = "local_label"
    PHOTOS = "photos"
    CONFIRMATION = "confirmation"
    CHANGE_VALUE = "change_value"
    BRAND = "brand"
    BRAND_COUNT = "brand_count"
    REVIEW = "review"
    CORRECTION_FIGURE = "correction_figure"
    CORRECTION_VALUE = "correction_value"


PICK = "cc.pick"
REVIEW = "cc.review"
TALLY = "cc.tally"
SKIP_TALLY = "cc.notally"
SECTION = "cc.sec"
CATEGORY = "cc.cat"
LOCAL = "cc.local"
ADD = "cc.add"
BACK_TO_SECTIONS = "cc.sections"
BACK_TO_CATEGORIES = "cc.items"
TALLY_DONE = "cc.tdone"
PHOTOS_DONE = "cc.pdone"
SUBMIT = "cc.submit"
CHANGE_FIGURE = "cc.chg"
CORRECT = "cc.fix"
CORRECT_FIGURE = "cc.fixf"
REVIEWED = "cc.ok"
CLOSE_REVIEW = "cc.close"
SHOW_PHOTOS = "cc.photos"
EXPORT_CARDS = "cc.export"
BRAND_AUDIT = "cc.brands"
BRAND = "cc.brand"  # company id, index of the brand in its list
BRANDS_DONE = "cc.bdone"

STEPS = (Awaiting.BAGS, Awaiting.WEIGHT, Awaiting.PEOPLE, Awaiting.DISTANCE)
FIGURE_OF_STEP = {
    Awaiting.BAGS: Figure.BAGS,
    Awaiting.WEIGHT: Figure.WEIGHT,
    Awaiting.PEOPLE: Figure.PEOPLE,
    Awaiting.DISTANCE: Figure.DISTANCE,
}
ADD_STEPS = (1, 5, 10)
REVIEW_PAGE = 10

FIGURE_LABELS: dict[Figure, str] = {
    Figure.BAGS: lazy("Bags"),
    Figure.WEIGHT: lazy("Weight (kg)"),
    Figure.PEOPLE: lazy("People"),
    Figure.DISTANCE: lazy("Distance (m)"),
}


# -- wording --------------------------------------------------------------------------------------


class Figures(Protocol):
    bags: int
    weight_kg: float
    people: int
    distance_m: int
    items: dict[str, int]


def escaped_title(t: Translator, event: Event) -> str:
    return escape(event_title(event, t.language))


def _distance(t: Translator, metres: int) -> str:
    if metres >= 1000:
        return t._("{distance} km").format(distance=t.number(round(metres / 1000, 2)))
    return t._("{distance} m").format(distance=t.number(metres))


def figures_line(t: Translator, figures: Figures) -> str:
    parts = [
        t.ngettext("{count} bag", "{count} bags", figures.bags).format(
            count=t.number(figures.bags)
        ),
        t._("{weight} kg").format(weight=t.number(figures.weight_kg)),
        t.ngettext("{count} person", "{count} people", figures.people).format(
            count=t.number(figures.people)
        ),
        _distance(t, figures.distance_m),
    ]
    items = sum(figures.items.values())
    if items:
        parts.append(
            t.ngettext("{count} item counted", "{count} items counted", items).format(
                count=t.number(items)
            )
        )
    return " · ".join(parts)


def item_label(t: Translator, key: str) -> str:
    local = card.local_label(key)
    if local is not None:
        return escape(local)
    return t._(CATEGORIES[key].label)


def items_lines(t: Translator, items: dict[str, int]) -> list[str]:
    ordered = sorted(items.items(), key=lambda entry: (-entry[1], entry[0]))
    return [f"• {item_label(t, key)}: {t.number(count)}" for key, count in ordered]


def brand_lines(t: Translator, brands: dict[str, int]) -> list[str]:
    if not brands:
        return []
    ordered = sorted(brands.items(), key=lambda entry: (-entry[1], entry[0]))
    return [t._("<b>Brand audit</b>")] + [
        f"• {escape(brand)}: {t.number(count)}" for brand, count in ordered
    ]


def refusal_text(t: Translator, reason: Refusal) -> str:
    if reason == Refusal.NO_SUCH_EVENT:
        return t._("I can't find that cleanup any more.")
    if reason == Refusal.NOT_A_CLEANUP:
        return t._("Data cards are only for cleanups.")
    if reason == Refusal.CANCELLED:
        return t._("This cleanup was cancelled, so it takes no data card.")
    if reason == Refusal.NOT_STARTED:
        return t._("This cleanup has not started yet. You can report from its start time.")
    if reason == Refusal.CLOSED:
        days = REPORTING_WINDOW_AFTER_END.days
        return t.ngettext(
            "Reporting for this cleanup closed {count} day after it ended.",
            "Reporting for this cleanup closed {count} days after it ended.",
            days,
        ).format(count=t.number(days))
    if reason == Refusal.NOT_PARTICIPANT:
        return t._(
            "Only participants with a confirmed registration and the organizers can report "
            "for this cleanup."
        )
    if reason == Refusal.ALREADY_REVIEWED:
        return t._(
            "The organizers have already reviewed your data card for this cleanup. Ask them if "
            "a figure needs correcting."
        )
    return t._("Only the organizers of this cleanup can do that.")


def figure_problem_text(t: Translator, problem: InvalidFigure) -> str:
    if problem.unread is not None and problem.problem == FigureProblem.AMBIGUOUS:
        return ambiguous_number(t, problem.unread)
    if problem.problem == FigureProblem.WRONG_UNIT:
        return t._("That unit does not fit this question. Please type the number again.")
    if problem.problem == FigureProblem.NEGATIVE:
        return t._("That can't be negative. Please type 0 or more.")
    if problem.problem == FigureProblem.NOT_WHOLE:
        return t._("Please type a whole number, for example 3.")
    if problem.problem == FigureProblem.TOO_LARGE:
        return t._("That is more than {limit}. Please check the figure and type it again.").format(
            limit=t.number(problem.limit)
        )
    return t._("Please type a number, for example {whole} or {decimal}.").format(
        **number_examples(t)
    )


def number_examples(t: Translator) -> dict[str, str]:
    """Numbers written the reader's way, for the hints."""
    return {"whole": t.number(12), "decimal": t.number(Decimal("12.5"))}


def figure_prompt(t: Translator, figure: Figure) -> str:
    if figure == Figure.BAGS:
        return t._("How many bags of trash did your group fill? Type a number, for example 3.")
    if figure == Figure.WEIGHT:
        return t._(
            "How much did it all weigh, in kilograms? For example 12.5 or 12,5. Type 0 if you "
            "could not weigh it."
        )
    if figure == Figure.PEOPLE:
        return t._("How many people were in your group, including you?")
    return t._("How far did you clean, in metres? For example 500, or 1.5 km.")


# -- shared steps ---------------------------------------------------------------------------------


def draft_key(update: Update) -> str:
    """Drafts are keyed like conversation states, so /deleteme erases them with the state."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    return f"[{chat.id}, {user.id}]"


def admins(context: TidelineContext) -> frozenset[int]:
    return context.services.settings.ADMIN_IDS


Step = Callable[[Update, TidelineContext], Coroutine[Any, Any, Any]]


def while_open(step: Step) -> Step:
    """A step of an open card or correction: if it is gone (submitted from another message,
    cancelled, erased) or was refused meanwhile, say so and end the conversation."""

    @wraps(step)
    async def guarded(update: Update, context: TidelineContext) -> Any:
        try:
            return await step(update, context)
        except NoDraft:
            text = context.t._("This data card is closed. Send /report to start again.")
        except ReportRefused as refused:
            session = await context.session()
            await card.discard_draft(session, draft_key(update))
            text = refusal_text(context.t, refused.reason)
        await tell(update, context, text)
        return ConversationHandler.END

    return guarded


async def tell(update: Update, context: TidelineContext, text: str) -> None:
    """A refusal: an alert on the pressed button, or a message in answer to a message."""
    if update.callback_query is not None:
        await context.answer_query(update, text, show_alert=True)
    else:
        await answer(update, context, text)


async def edit_draft(
    update: Update, context: TidelineContext, change: Callable[[Draft, User], object]
) -> tuple[Draft, Event]:
    session = await context.session()
    account = await account_of(session, update)
    draft = await card.load_draft(session, draft_key(update))
    change(draft, account)
    await card.save_draft(session, draft_key(update), draft)
    event = await session.get(Event, draft.event_id)
    if event is None:
        raise ReportRefused(Refusal.NO_SUCH_EVENT)
    return draft, event
