"""/report: the cleanup data card (quick figures, item tally, photos) and the organizers' review.

The whole conversation is declared in ``build_cleanup_card``; the item tally's steps live in
tally, the organizers' review in review, and what they share in flow. The diagram is report.mmd.
"""

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from events import cleanup_card as card
from events.cleanup_card import (
    MAX_PHOTOS,
    REPORTING_WINDOW_AFTER_END,
    Figure,
    InvalidFigure,
    NoDraft,
    PhotoProblem,
    PhotoRefused,
    ReportRefused,
)
from events.models import Event
from handlers.cleanup.brand_audit import (
    brands_done,
    choose_brand,
    open_brand_audit,
    type_brand,
    type_brand_count,
)
from handlers.cleanup.confirmation import (
    change_figure,
    show_confirmation,
    type_changed_figure,
)
from handlers.cleanup.flow import (
    ADD,
    BACK_TO_CATEGORIES,
    BACK_TO_SECTIONS,
    BRAND,
    BRAND_AUDIT,
    BRANDS_DONE,
    CATEGORY,
    CHANGE_FIGURE,
    CLOSE_REVIEW,
    CORRECT,
    CORRECT_FIGURE,
    EXPORT_CARDS,
    FIGURE_OF_STEP,
    LOCAL,
    PHOTOS_DONE,
    PICK,
    REVIEW,
    REVIEWED,
    SECTION,
    SHOW_PHOTOS,
    SKIP_TALLY,
    STEPS,
    SUBMIT,
    TALLY,
    TALLY_DONE,
    Awaiting,
    Step,
    admins,
    draft_key,
    edit_draft,
    escaped_title,
    event_title,
    figure_problem_text,
    figure_prompt,
    figures_line,
    number_examples,
    refusal_text,
    tell,
    while_open,
)
from handlers.cleanup.review import (
    ask_correction,
    choose_correction,
    close_review,
    confirm_reviewed,
    open_review,
    show_review,
    type_correction,
)
from handlers.cleanup.review_files import export_cards, show_photos
from handlers.cleanup.tally import (
    add_to_count,
    ask_local_item,
    back_to_categories,
    back_to_sections,
    choose_category,
    choose_section,
    open_tally,
    type_count,
    type_local_item,
)
from handlers.kit import actions as shared
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.reprompts import earlier_step_button, expect_buttons, expect_text
from pledges import brand_audits

# -- starting -------------------------------------------------------------------------------------


@while_open
async def choose_cleanup(update: Update, context: TidelineContext) -> Awaiting | int:
    """/report: straight into the one thing to do, or a choice when there are several."""
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    choices = await card.report_choices(session, account, context.now(), admins(context))
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
        return await show_review(update, context, choices.to_review[0].id, edit=False)
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


@while_open
async def open_from_button(update: Update, context: TidelineContext) -> Awaiting | int:
    """The "Report cleanup data" button (registration card) or a choice from /report."""
    return await _begin(update, context, int(button_args(update)[0]))


async def _begin(update: Update, context: TidelineContext, event_id: int) -> Awaiting:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    started = await card.start_draft(
        session, draft_key(update), account, event_id, context.now(), admins(context)
    )
    lines = [
        t._("<b>Cleanup data card</b> – {title}").format(title=escaped_title(t, started.event))
    ]
    if started.replaces:
        lines.append(t._("You already sent a data card for this cleanup: this one replaces it."))
    lines += [t._("Send /cancel at any time to stop."), "", figure_prompt(t, Figure.BAGS)]
    await answer(update, context, "\n".join(lines), edit=update.callback_query is not None)
    return Awaiting.BAGS


# -- quick figures --------------------------------------------------------------------------------


def _figure_step(step: Awaiting) -> Step:
    figure = FIGURE_OF_STEP[step]

    @while_open
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
        draft, _ = await edit_draft(
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


# -- photos and confirmation ----------------------------------------------------------------------


@while_open
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
        return await show_confirmation(update, context)
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


@while_open
async def receive_photo(update: Update, context: TidelineContext) -> Awaiting | int:
    message = update.effective_message
    assert message is not None and message.photo
    t = context.t
    file_id = message.photo[-1].file_id
    try:
        draft, _ = await edit_draft(
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
            return await show_confirmation(update, context)
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


@while_open
async def photos_done(update: Update, context: TidelineContext) -> Awaiting:
    await answer(update, context, context.t._("Photos: done."), edit=True)
    return await show_confirmation(update, context)


async def submit(update: Update, context: TidelineContext) -> int:
    """Also an entry point: a second tap on Submit, once the card is in, lands here too."""
    t = context.t
    try:
        session = await context.session()
        account = await account_of(session, update)
        brands = (await card.load_draft(session, draft_key(update))).card.brands
        report = await card.submit_draft(
            session, draft_key(update), account, context.now(), admins(context)
        )
        event = await session.get(Event, report.event_id)
        assert event is not None
        await brand_audits.record(
            session,
            report.id,
            brands,
            country=event.country,
            starts_at=event.starts_at,
            timezone=event.timezone,
        )
        totals = await card.event_totals(session, report.event_id)
    except NoDraft:
        await tell(update, context, t._("This data card has already been submitted."))
        return ConversationHandler.END
    except ReportRefused as refused:
        session = await context.session()
        await card.discard_draft(session, draft_key(update))
        await tell(update, context, refusal_text(t, refused.reason))
        return ConversationHandler.END
    assert event is not None
    await answer(
        update,
        context,
        "\n".join(
            [
                t._("Thank you! Your data card for {title} is in.").format(
                    title=escaped_title(t, event)
                ),
                "",
                t._("<b>Everyone so far</b>: {figures}").format(figures=figures_line(t, totals)),
                t._("Send /impact any time to see what your cleanups achieved."),
            ]
        ),
        edit=True,
    )
    return ConversationHandler.END


# -- leaving --------------------------------------------------------------------------------------


async def cancel(update: Update, context: TidelineContext) -> int:
    session = await context.session()
    await card.discard_draft(session, draft_key(update))
    await answer(update, context, context.t._("Cancelled. Nothing was reported."))
    return ConversationHandler.END


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
                _button(BRAND_AUDIT, open_brand_audit),
                _button(CHANGE_FIGURE, change_figure),
                *expects_buttons,
            ],
            Awaiting.BRAND: [
                _button(BRAND, choose_brand),
                _button(BRANDS_DONE, brands_done),
                MessageHandler(typed, type_brand),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.BRAND_COUNT: [
                MessageHandler(typed, type_brand_count),
                MessageHandler(not_command, expect_number),
            ],
            Awaiting.CHANGE_VALUE: [
                MessageHandler(typed, type_changed_figure),
                MessageHandler(not_command, expect_number),
            ],
            Awaiting.REVIEW: [
                _button(REVIEW, open_review),
                _button(CORRECT, choose_correction),
                _button(REVIEWED, confirm_reviewed),
                _button(CLOSE_REVIEW, close_review),
                _button(SHOW_PHOTOS, show_photos),
                _button(EXPORT_CARDS, export_cards),
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
