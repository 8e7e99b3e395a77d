"""/report: the cleanup data card (quick figures, item tally, photos) and the organizers' review;
/impact: what each of the person's cleanups achieved, and their own part in it.

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
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.models import User
from accounts.service import InvalidText, clean_free_text
from events import cleanup_card as card
from events.cleanup_card import (
    CATEGORIES,
    MAX_LOCAL_ITEMS,
    MAX_PHOTOS,
    REPORTING_WINDOW_AFTER_END,
    SECTIONS,
    SECTIONS_BY_KEY,
    Draft,
    Figure,
    FigureProblem,
    InvalidFigure,
    InvalidLocalItem,
    NoDraft,
    PhotoProblem,
    PhotoRefused,
    Refusal,
    ReportRefused,
)
from events.models import CleanupReport, Event
from events.notices import Kind
from events.service import text_for
from handlers.kit import actions as shared
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.reprompts import (
    earlier_step_button,
    expect_buttons,
    expect_text,
    text_problem_message,
)
from handlers.runtime.sender import Outgoing, Renderer, RenderRequest, SkipSend
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
CORRECT = "cc.fix"
CORRECT_FIGURE = "cc.fixf"
REVIEWED = "cc.ok"
CLOSE_REVIEW = "cc.close"

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


def event_title(event: Event, language: str) -> str:
    return text_for(event, language)[0].title


def _title(t: Translator, event: Event) -> str:
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


def _admins(context: TidelineContext) -> frozenset[int]:
    return context.services.settings.ADMIN_IDS


Step = Callable[[Update, TidelineContext], Coroutine[Any, Any, Any]]


def _while_open(step: Step) -> Step:
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
        await _tell(update, context, text)
        return ConversationHandler.END

    return guarded


async def _tell(update: Update, context: TidelineContext, text: str) -> None:
    """A refusal: an alert on the pressed button, or a message in answer to a message."""
    if update.callback_query is not None:
        await context.answer_query(update, text, show_alert=True)
    else:
        await answer(update, context, text)


async def _edit_draft(
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


# -- starting -------------------------------------------------------------------------------------


@_while_open
async def choose_cleanup(update: Update, context: TidelineContext) -> Awaiting | int:
    """/report: straight into the one thing to do, or a choice when there are several."""
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    choices = await card.report_choices(session, account, context.now(), _admins(context))
    if choices.count == 0:
        await answer(
            update,
            context,
            t.ngettext(
                "You have no cleanup to report for right now. Data cards open when a cleanup you "
                "registered for starts, and stay open for {count} day after it ends.",
                "You have no cleanup to report for right now. Data cards open when a cleanup you "
                "registered for starts, and stay open for {count} days after it ends.",
                REPORTING_WINDOW_AFTER_END.days,
            ).format(count=t.number(REPORTING_WINDOW_AFTER_END.days)),
        )
        return ConversationHandler.END
    if choices.count == 1:
        if choices.to_report:
            return await _begin(update, context, choices.to_report[0].id)
        return await _show_review(update, context, choices.to_review[0].id, edit=False)
    keyboard = [
        [context.button("📝 " + event_title(event, t.language), PICK, event.id)]
        for event in choices.to_report
    ] + [
        [
            context.button(
                t._("Review: {title}").format(title=event_title(event, t.language)),
                REVIEW,
                event.id,
            )
        ]
        for event in choices.to_review
    ]
    await answer(update, context, t._("Which cleanup is it about?"), keyboard)
    return Awaiting.EVENT


@_while_open
async def open_from_button(update: Update, context: TidelineContext) -> Awaiting | int:
    """The "Report cleanup data" button (registration card) or a choice from /report."""
    return await _begin(update, context, int(button_args(update)[0]))


async def _begin(update: Update, context: TidelineContext, event_id: int) -> Awaiting:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    started = await card.start_draft(
        session, draft_key(update), account, event_id, context.now(), _admins(context)
    )
    lines = [t._("<b>Cleanup data card</b> – {title}").format(title=_title(t, started.event))]
    if started.replaces:
        lines.append(t._("You already sent a data card for this cleanup: this one replaces it."))
    lines += [t._("Send /cancel at any time to stop."), "", figure_prompt(t, Figure.BAGS)]
    await answer(update, context, "\n".join(lines), edit=update.callback_query is not None)
    return Awaiting.BAGS


# -- quick figures --------------------------------------------------------------------------------


def _figure_step(step: Awaiting) -> Step:
    figure = FIGURE_OF_STEP[step]

    @_while_open
    async def type_figure(update: Update, context: TidelineContext) -> Awaiting | None:
        message = update.effective_message
        assert message is not None and message.text is not None
        text = message.text
        t = context.t
        try:
            value = card.parse_figure(figure, text, t.locale)
        except InvalidFigure as problem:
            await answer(update, context, figure_problem_text(t, problem))
            return None
        draft, _ = await _edit_draft(
            update,
            context,
            lambda draft, _: setattr(draft, "card", draft.card.with_figure(figure, value)),
        )
        if step != Awaiting.DISTANCE:
            following = STEPS[STEPS.index(step) + 1]
            await answer(update, context, figure_prompt(t, FIGURE_OF_STEP[following]))
            return following
        await answer(
            update,
            context,
            figures_line(t, draft.card)
            + "\n\n"
            + t._("Would you like to count the items you found, by type?"),
            [
                [context.button(t._("Add item tally"), TALLY)],
                [context.button(t._("Continue without tally"), SKIP_TALLY)],
            ],
        )
        return Awaiting.TALLY_CHOICE

    type_figure.__name__ = f"type_{figure.value}"
    return type_figure


async def expect_number(update: Update, context: TidelineContext) -> None:
    t = context.t
    await answer(
        update,
        context,
        t._(
            "Please type a number, for example {whole} or {decimal}, or send /cancel to stop."
        ).format(**number_examples(t)),
    )


# -- item tally -----------------------------------------------------------------------------------


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


@_while_open
async def open_tally(update: Update, context: TidelineContext) -> Awaiting:
    draft, _ = await _edit_draft(update, context, lambda draft, _: None)
    return await _show_sections(update, context, draft, edit=True)


@_while_open
async def choose_section(update: Update, context: TidelineContext) -> Awaiting:
    (section,) = button_args(update)
    draft, _ = await _edit_draft(
        update, context, lambda draft, _: setattr(draft, "section", section)
    )
    return await _show_categories(update, context, draft, edit=True)


@_while_open
async def choose_category(update: Update, context: TidelineContext) -> Awaiting:
    (category,) = button_args(update)
    draft, _ = await _edit_draft(
        update, context, lambda draft, _: setattr(draft, "focus", category)
    )
    return await _show_count(update, context, draft, edit=True)


@_while_open
async def add_to_count(update: Update, context: TidelineContext) -> Awaiting:
    step = int(button_args(update)[0])

    def add(draft: Draft, _: User) -> None:
        assert draft.focus is not None
        card.add_items(draft, draft.focus, step)

    try:
        draft, _ = await _edit_draft(update, context, add)
    except InvalidFigure as problem:
        await context.answer_query(update, figure_problem_text(context.t, problem), True)
        return Awaiting.COUNT
    return await _show_count(update, context, draft, edit=True)


@_while_open
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

    draft, _ = await _edit_draft(update, context, set_count)
    return await _show_count(update, context, draft, edit=False)


@_while_open
async def back_to_sections(update: Update, context: TidelineContext) -> Awaiting:
    def leave(draft: Draft, _: User) -> None:
        draft.focus = draft.section = None

    draft, _ = await _edit_draft(update, context, leave)
    return await _show_sections(update, context, draft, edit=True)


@_while_open
async def back_to_categories(update: Update, context: TidelineContext) -> Awaiting:
    draft, _ = await _edit_draft(update, context, lambda draft, _: setattr(draft, "focus", None))
    return await _show_categories(update, context, draft, edit=True)


@_while_open
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


@_while_open
async def type_local_item(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    try:
        label = clean_free_text(message.text, card.LOCAL_LABEL_MAX_LENGTH)
        draft, _ = await _edit_draft(
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


# -- photos and confirmation ----------------------------------------------------------------------


@_while_open
async def after_tally(update: Update, context: TidelineContext) -> Awaiting:
    """Tally done or skipped: photos for those who allowed them, then the confirmation."""
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    draft = await card.load_draft(session, draft_key(update))
    draft.focus = draft.section = None
    await card.save_draft(session, draft_key(update), draft)
    if update.callback_query is not None:
        # The tally's buttons are done with; the next step comes as a new message.
        await context.answer_query(update)
        await context.send(update.callback_query.edit_message_reply_markup)
    if not card.may_add_photos(account):
        await answer(
            update,
            context,
            t._(
                "Photos need your consent to “Photos and location”. You can give it with "
                "/privacy and add photos next time."
            ),
        )
        return await _show_confirmation(update, context)
    await answer(
        update,
        context,
        t.ngettext(
            "You can add up to {count} photo of your cleanup. Send it now, then tap Continue.",
            "You can add up to {count} photos of your cleanup. Send them now, then tap Continue.",
            MAX_PHOTOS,
        ).format(count=t.number(MAX_PHOTOS)),
        [[context.button(t._("Continue"), PHOTOS_DONE)]],
    )
    return Awaiting.PHOTOS


@_while_open
async def receive_photo(update: Update, context: TidelineContext) -> Awaiting | int:
    message = update.effective_message
    assert message is not None and message.photo
    t = context.t
    file_id = message.photo[-1].file_id
    try:
        draft, _ = await _edit_draft(
            update, context, lambda draft, account: card.add_photo(draft, account, file_id)
        )
    except PhotoRefused as refused:
        if refused.problem == PhotoProblem.NO_CONSENT:
            await answer(
                update,
                context,
                t._(
                    "Photos need your consent to “Photos and location”. You can give it with "
                    "/privacy and add photos next time."
                ),
            )
            return await _show_confirmation(update, context)
        text = t.ngettext(
            "A data card holds up to {count} photo.",
            "A data card holds up to {count} photos.",
            MAX_PHOTOS,
        ).format(count=t.number(MAX_PHOTOS))
    else:
        count = len(draft.card.photo_file_ids)
        text = t.ngettext("{count} photo added.", "{count} photos added.", count).format(
            count=t.number(count)
        )
    await answer(update, context, text, [[context.button(t._("Continue"), PHOTOS_DONE)]])
    return Awaiting.PHOTOS


async def expect_photo(update: Update, context: TidelineContext) -> None:
    await answer(
        update,
        context,
        context.t._("Please send a photo, or tap Continue. Send /cancel to stop."),
    )


@_while_open
async def photos_done(update: Update, context: TidelineContext) -> Awaiting:
    await answer(update, context, context.t._("Photos: done."), edit=True)
    return await _show_confirmation(update, context)


async def _show_confirmation(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    draft = await card.load_draft(session, draft_key(update))
    event = await session.get(Event, draft.event_id)
    if event is None:
        raise ReportRefused(Refusal.NO_SUCH_EVENT)
    lines = [
        t._("<b>Please check your data card</b> – {title}").format(title=_title(t, event)),
        figures_line(t, draft.card),
        *items_lines(t, draft.card.items),
    ]
    # Photos sent before the consent was withdrawn are not kept (see submit_report).
    photos = len(draft.card.photo_file_ids) if card.may_add_photos(account) else 0
    if photos:
        lines.append(
            t.ngettext("{count} photo", "{count} photos", photos).format(count=t.number(photos))
        )
    tally_label = t._("Edit item tally") if draft.card.items else t._("Add item tally")
    await answer(
        update,
        context,
        "\n".join(lines),
        [[context.button(t._("Submit"), SUBMIT)], [context.button(tally_label, TALLY)]],
    )
    return Awaiting.CONFIRMATION


async def submit(update: Update, context: TidelineContext) -> int:
    """Also an entry point: a second tap on Submit, once the card is in, lands here too."""
    t = context.t
    try:
        session = await context.session()
        account = await account_of(session, update)
        report = await card.submit_draft(
            session, draft_key(update), account, context.now(), _admins(context)
        )
        event = await session.get(Event, report.event_id)
        totals = await card.event_totals(session, report.event_id)
    except NoDraft:
        await _tell(update, context, t._("This data card has already been submitted."))
        return ConversationHandler.END
    except ReportRefused as refused:
        session = await context.session()
        await card.discard_draft(session, draft_key(update))
        await _tell(update, context, refusal_text(t, refused.reason))
        return ConversationHandler.END
    assert event is not None
    await answer(
        update,
        context,
        "\n".join(
            [
                t._("Thank you! Your data card for {title} is in.").format(title=_title(t, event)),
                "",
                t._("<b>Everyone so far</b>: {figures}").format(figures=figures_line(t, totals)),
                t._("Send /impact any time to see what your cleanups achieved."),
            ]
        ),
        edit=True,
    )
    return ConversationHandler.END


# -- organizer review -----------------------------------------------------------------------------


def _report_line(t: Translator, report: CleanupReport, event: Event) -> str:
    status = t._("reviewed") if report.reviewed_at is not None else t._("waiting for review")
    head = t._("<b>Report {number}</b> · {date} · {status}").format(
        number=report.id, date=t.date(report.submitted_at, event.timezone, "medium"), status=status
    )
    lines = [head, figures_line(t, report), *items_lines(t, report.items)]
    photos = len(report.photo_file_ids)
    if photos:
        lines.append(
            t.ngettext("{count} photo", "{count} photos", photos).format(count=t.number(photos))
        )
    return "\n".join(lines)


@_while_open
async def open_review(update: Update, context: TidelineContext) -> Awaiting | int:
    event_id, *page = button_args(update)
    return await _show_review(
        update, context, int(event_id), edit=True, page=int(page[0]) if page else 0
    )


async def _show_review(
    update: Update, context: TidelineContext, event_id: int, *, edit: bool, page: int = 0
) -> Awaiting:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    reports = await card.reports_to_review(session, account, event_id, _admins(context))
    event = await session.get(Event, event_id)
    totals = await card.event_totals(session, event_id)
    assert event is not None
    # Unreviewed cards come first; later pages hold the rest, ten at a time.
    pages = max((len(reports) + REVIEW_PAGE - 1) // REVIEW_PAGE, 1)
    page = min(max(page, 0), pages - 1)
    shown = reports[page * REVIEW_PAGE : (page + 1) * REVIEW_PAGE]
    lines = [
        t._("<b>Data cards</b> – {title}").format(title=_title(t, event)),
        t._("<b>Total</b>: {figures}").format(figures=figures_line(t, totals)),
        t._("{reviewed} of {reports} reviewed").format(
            reviewed=t.number(totals.reviewed), reports=t.number(totals.reports)
        ),
    ]
    lines += ["\n" + _report_line(t, report, event) for report in shown]
    keyboard: Keyboard = []
    for report in shown:
        row = [context.button(t._("Correct {number}").format(number=report.id), CORRECT, report.id)]
        if report.reviewed_at is None:
            row.append(
                context.button(
                    t._("Mark {number} reviewed").format(number=report.id), REVIEWED, report.id
                )
            )
        keyboard.append(row)
    paging = []
    if page > 0:
        paging.append(context.button(t._("‹ Previous"), REVIEW, event_id, page - 1))
    if page + 1 < pages:
        paging.append(context.button(t._("Next ›"), REVIEW, event_id, page + 1))
    if paging:
        keyboard.append(paging)
    keyboard.append([context.button(t._("Close"), CLOSE_REVIEW)])
    await answer(update, context, "\n".join(lines), keyboard, edit=edit)
    return Awaiting.REVIEW


@_while_open
async def confirm_reviewed(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    report = await card.mark_reviewed(
        session,
        report_id=int(button_args(update)[0]),
        organizer=await account_of(session, update),
        now=context.now(),
        admin_ids=_admins(context),
    )
    return await _show_review(update, context, report.event_id, edit=True)


@_while_open
async def choose_correction(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    report_id = int(button_args(update)[0])
    session = await context.session()
    report = await session.get(CleanupReport, report_id)
    if report is None:
        raise ReportRefused(Refusal.NO_SUCH_EVENT)
    keyboard = rows(
        [
            context.button(t._(label), CORRECT_FIGURE, report_id, figure.value)
            for figure, label in FIGURE_LABELS.items()
        ],
        2,
    ) + [[context.button(t._("Back"), REVIEW, report.event_id)]]
    await answer(
        update,
        context,
        t._("Which figure of report {number} needs correcting?").format(number=report_id),
        keyboard,
        edit=True,
    )
    return Awaiting.CORRECTION_FIGURE


@_while_open
async def ask_correction(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    report_id, figure_value = button_args(update)
    figure = Figure(figure_value)
    session = await context.session()
    report = await card.begin_correction(
        session,
        draft_key(update),
        report_id=int(report_id),
        figure=figure,
        organizer=await account_of(session, update),
        admin_ids=_admins(context),
    )
    current = card.Card(report.bags, report.weight_kg, report.people, report.distance_m)
    await answer(
        update,
        context,
        t._("{figure} of report {number} is now {value}. Type the correct figure.").format(
            figure=t._(FIGURE_LABELS[figure]),
            number=report.id,
            value=t.number(current.figure(figure)),
        ),
        edit=True,
    )
    return Awaiting.CORRECTION_VALUE


@_while_open
async def type_correction(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        session = await context.session()
        report = await card.finish_correction(
            session,
            draft_key(update),
            text=message.text,
            locale=context.t.locale,
            organizer=await account_of(session, update),
            admin_ids=_admins(context),
        )
    except InvalidFigure as problem:
        await answer(update, context, figure_problem_text(context.t, problem))
        return None
    await answer(update, context, context.t._("Corrected."))
    return await _show_review(update, context, report.event_id, edit=False)


async def close_review(update: Update, context: TidelineContext) -> int:
    await answer(update, context, context.t._("Review closed."), edit=True)
    return ConversationHandler.END


# -- leaving --------------------------------------------------------------------------------------


async def cancel(update: Update, context: TidelineContext) -> int:
    session = await context.session()
    await card.discard_draft(session, draft_key(update))
    await answer(update, context, context.t._("Cancelled. Nothing was reported."))
    return ConversationHandler.END


# -- /impact --------------------------------------------------------------------------------------


def impact_text(t: Translator, impacts: list[card.EventImpact]) -> str:
    if not impacts:
        return t._(
            "None of your cleanups has data yet. After a cleanup, send /report to add your "
            "group's data card."
        )
    lines = [t._("<b>Your cleanup impact</b>")]
    for impact in impacts:
        event, totals = impact.event, impact.totals
        lines += [
            "",
            f"<b>{_title(t, event)}</b> · {t.date(event.starts_at, event.timezone)}",
            t._("<b>Everyone</b>: {figures}").format(figures=figures_line(t, totals)),
            t._("{reviewed} of {reports} data cards reviewed by the organizers").format(
                reviewed=t.number(totals.reviewed), reports=t.number(totals.reports)
            ),
        ]
        if impact.own is not None:
            lines.append(
                t._("<b>Your data card</b>: {figures}").format(figures=figures_line(t, impact.own))
            )
        else:
            lines.append(t._("You took part: thank you!"))
    return "\n".join(lines)


async def show_impact(update: Update, context: TidelineContext) -> None:
    session = await context.session()
    account = await account_of(session, update)
    impacts = await card.impact_of(session, account)
    await answer(update, context, impact_text(context.t, impacts))


# -- wiring ---------------------------------------------------------------------------------------


def _button(action: str, callback: Step) -> CallbackQueryHandler:
    return CallbackQueryHandler(callback, pattern=action_pattern(action))


def build_cleanup_card() -> ConversationHandler:
    not_command = ~filters.COMMAND
    typed = filters.TEXT & not_command
    expects_buttons: list[BaseHandler] = [MessageHandler(not_command, expect_buttons)]
    return ConversationHandler(
        name="cleanup_card",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("report", choose_cleanup),
            _button(shared.REPORT_CLEANUP, open_from_button),
            _button(SUBMIT, submit),
        ],
        states={
            Awaiting.EVENT: [
                _button(PICK, open_from_button),
                _button(REVIEW, open_review),
                *expects_buttons,
            ],
            **{
                step: [
                    MessageHandler(typed, _figure_step(step)),
                    MessageHandler(not_command, expect_number),
                ]
                for step in STEPS
            },
            Awaiting.TALLY_CHOICE: [
                _button(TALLY, open_tally),
                _button(SKIP_TALLY, after_tally),
                *expects_buttons,
            ],
            Awaiting.SECTION: [
                _button(SECTION, choose_section),
                _button(LOCAL, ask_local_item),
                _button(TALLY_DONE, after_tally),
                *expects_buttons,
            ],
            Awaiting.CATEGORY: [
                _button(CATEGORY, choose_category),
                _button(BACK_TO_SECTIONS, back_to_sections),
                *expects_buttons,
            ],
            Awaiting.COUNT: [
                _button(ADD, add_to_count),
                _button(BACK_TO_CATEGORIES, back_to_categories),
                _button(BACK_TO_SECTIONS, back_to_sections),
                MessageHandler(typed, type_count),
                MessageHandler(not_command, expect_number),
            ],
            Awaiting.LOCAL_LABEL: [
                MessageHandler(typed, type_local_item),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.PHOTOS: [
                MessageHandler(filters.PHOTO, receive_photo),
                _button(PHOTOS_DONE, photos_done),
                MessageHandler(not_command, expect_photo),
            ],
            Awaiting.CONFIRMATION: [
                _button(TALLY, open_tally),
                *expects_buttons,
            ],
            Awaiting.REVIEW: [
                _button(REVIEW, open_review),
                _button(CORRECT, choose_correction),
                _button(REVIEWED, confirm_reviewed),
                _button(CLOSE_REVIEW, close_review),
                *expects_buttons,
            ],
            Awaiting.CORRECTION_FIGURE: [
                _button(CORRECT_FIGURE, ask_correction),
                _button(REVIEW, open_review),
                *expects_buttons,
            ],
            Awaiting.CORRECTION_VALUE: [
                MessageHandler(typed, type_correction),
                MessageHandler(not_command, expect_number),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(earlier_step_button, pattern=r"^cc\."),
        ],
    )


def build_impact() -> CommandHandler:
    return CommandHandler("impact", show_impact)


async def render_impact(request: RenderRequest) -> Outgoing:
    """A day after a cleanup: what everyone collected and the person's own data card."""
    event_id = int(request.payload["event_id"])
    impacts = [
        impact
        for impact in await card.impact_of(request.session, request.user)
        if impact.event.id == event_id and impact.totals.reports
    ]
    if not impacts:
        raise SkipSend("no data card for this cleanup")
    return Outgoing(text=impact_text(request.t, impacts))


RENDERERS: dict[str, Renderer] = {Kind.IMPACT: render_impact}
