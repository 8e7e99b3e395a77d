"""/organize: organizers create events with a wizard and manage their events in the chat.

The whole flow is declared in ``build_organize``; its steps live in wizard (the new event
wizard), summary (the draft's options), manage (card, publish, cancel, edit) and registrations
(lists, attendance, exports, approvals), and what they share in flow. Answers given before the
draft event exists are kept in the organizer's notes (handlers.organize.steps), so a restart loses
nothing; once the wizard has everything an event needs, a draft event is created and the summary's
options change it directly. Every button that names an event is an entry point, so it works from
any message, and every one checks server side who may use it. Approve/Reject on approval requests
arrive outside the conversation: ``build_approvals``. The diagram is conversation.mmd.
"""

from collections.abc import Callable
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.service import Permission
from handlers.kit import actions as shared
from handlers.kit.callbacks import action_pattern
from handlers.kit.context import TidelineContext, requires
from handlers.kit.reprompts import earlier_step_button, expect_buttons, expect_text
from handlers.organize import steps
from handlers.organize.flow import (
    CANCEL,
    CANCEL_SURE,
    CARD,
    CITY_MATCH,
    CO_ORGANIZERS,
    COUNTRY,
    CSV,
    DROP_QUESTION,
    DUPLICATE,
    EDIT,
    EDIT_FIELD,
    KIND,
    LANGUAGE,
    LIST,
    MESSAGE,
    MESSAGE_SEND,
    MESSAGE_TO,
    MODE,
    MODE_MENU,
    NEW,
    NEW_MODE,
    NO_VALUE,
    OPTION,
    PUBLISH,
    QUESTION_DONE,
    QUESTION_KIND,
    REJECT_SURE,
    REMOVE_CO_ORGANIZER,
    RESUME,
    SAVE,
    SKIP,
    SUMMARY,
    TICK,
    VIEW,
    XLSX,
    ZONE,
    Awaiting,
    Screen,
    Step,
    run,
)
from handlers.organize.logistics import (
    choose_audience,
    send_message,
    start_message,
    type_message,
)
from handlers.organize.manage import (
    ask_cancel,
    choose_edit,
    confirm_cancel,
    edit_answer,
    publish,
    show_card,
    show_edit_menu,
)
from handlers.organize.published import (
    choose_mode,
    duplicate,
    remove_co_organizer,
    show_co_organizers,
    show_modes,
    type_invite_code,
)
from handlers.organize.registrations import (
    approve,
    ask_reject,
    exporter,
    reject,
    show_view,
    toggle_attendance,
    type_rejection_reason,
)
from handlers.organize.summary import (
    choose_language,
    choose_option,
    choose_question_kind,
    drop_question,
    no_value_for,
    option_text,
    question_done,
    save_draft,
    show_summary,
    skip_translated_description,
)
from handlers.organize.wizard import (
    city_value,
    country_value,
    expect_location,
    mode_value,
    new_event,
    organize,
    resume,
    shared_location,
    show_list,
    skip_description,
    wizard_button,
    wizard_text,
    zone_value,
)


@requires(Permission.ORGANIZE)
async def cancel(update: Update, context: TidelineContext) -> int:
    async def work(step: Step) -> Screen:
        answers = steps.wizard_answers(step.notes)
        step.notes = answers
        if answers:
            return Screen(
                step.t._(
                    "Stopped. Your answers so far are kept: send /organize and tap Continue to "
                    "pick up where you left off."
                )
            )
        return Screen(step.t._("Stopped. Nothing else was changed."))

    await run(update, context, work, edit=False)
    return ConversationHandler.END


def build_organize() -> ConversationHandler[Any]:
    not_command = ~filters.COMMAND
    text = filters.TEXT & not_command

    def button(action: str, callback: Callable[..., Any]) -> CallbackQueryHandler[Any, Any]:
        return CallbackQueryHandler(callback, pattern=action_pattern(action))

    def typed(callback: Callable[..., Any], *, buttons: list[Any] | None = None) -> list[Any]:
        return [
            MessageHandler(text, callback),
            *(buttons or []),
            MessageHandler(not_command, expect_text),
        ]

    def choose(*handlers: Any) -> list[Any]:
        return [*handlers, MessageHandler(not_command, expect_buttons)]

    wizard_texts: dict[object, list[Any]] = {
        state: typed(wizard_text(state))
        for state in (
            Awaiting.TITLE,
            Awaiting.VENUE_NAME,
            Awaiting.ADDRESS,
            Awaiting.START,
            Awaiting.END,
            Awaiting.CAPACITY,
            Awaiting.INVITE_CODE,
        )
    }
    option_texts: dict[object, list[Any]] = {
        state: typed(option_text(state))
        for state in (
            Awaiting.TRANSLATED_TITLE,
            Awaiting.QUESTION_PROMPT,
            Awaiting.QUESTION_CHOICES,
            Awaiting.REMINDER_MINUTES,
            Awaiting.CO_ORGANIZER,
        )
    }
    edit_texts: dict[object, list[Any]] = {
        state: typed(edit_answer(state))
        for state in (
            Awaiting.NEW_START,
            Awaiting.NEW_END,
            Awaiting.NEW_VENUE_NAME,
            Awaiting.NEW_ADDRESS,
            Awaiting.NEW_CAPACITY,
        )
    }
    optional_texts: dict[object, list[Any]] = {
        state: typed(option_text(state), buttons=[button(NO_VALUE, no_value_for(state))])
        for state in (
            Awaiting.REGISTRATION_DEADLINE,
            Awaiting.CANCELLATION_DEADLINE,
            Awaiting.CHECKIN_RADIUS,
        )
    }
    return ConversationHandler(
        name="organize",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("organize", organize),
            button(NEW, new_event),
            button(RESUME, resume),
            button(LIST, show_list),
            button(CARD, show_card),
            button(SUMMARY, show_summary),
            button(OPTION, choose_option),
            button(SAVE, save_draft),
            button(DROP_QUESTION, drop_question),
            button(PUBLISH, publish),
            button(VIEW, show_view),
            button(TICK, toggle_attendance),
            button(CSV, exporter("csv")),
            button(XLSX, exporter("xlsx")),
            button(EDIT, show_edit_menu),
            button(EDIT_FIELD, choose_edit),
            button(CANCEL, ask_cancel),
            button(CANCEL_SURE, confirm_cancel),
            button(CO_ORGANIZERS, show_co_organizers),
            button(REMOVE_CO_ORGANIZER, remove_co_organizer),
            button(MODE_MENU, show_modes),
            button(DUPLICATE, duplicate),
            button(MESSAGE, start_message),
            button(REJECT_SURE, reject),
        ],
        states={
            Awaiting.KIND: choose(button(KIND, wizard_button("kind", lambda _, raw: raw))),
            **wizard_texts,
            Awaiting.DESCRIPTION: typed(
                wizard_text(Awaiting.DESCRIPTION), buttons=[button(SKIP, skip_description)]
            ),
            Awaiting.LOCATION: [
                MessageHandler(filters.LOCATION, shared_location),
                MessageHandler(text, wizard_text(Awaiting.LOCATION)),
                MessageHandler(not_command, expect_location),
            ],
            Awaiting.COUNTRY: choose(button(COUNTRY, wizard_button("country", country_value))),
            Awaiting.CITY: typed(
                wizard_text(Awaiting.CITY),
                buttons=[button(CITY_MATCH, wizard_button("city", city_value))],
            ),
            Awaiting.TIMEZONE: choose(button(ZONE, wizard_button("timezone", zone_value))),
            Awaiting.REGISTRATION_MODE: choose(
                button(MODE, wizard_button("registration_mode", mode_value))
            ),
            Awaiting.SUMMARY_CHOICE: choose(),
            Awaiting.TEXT_LANGUAGE: choose(button(LANGUAGE, choose_language)),
            **option_texts,
            Awaiting.TRANSLATED_DESCRIPTION: typed(
                option_text(Awaiting.TRANSLATED_DESCRIPTION),
                buttons=[button(SKIP, skip_translated_description)],
            ),
            Awaiting.QUESTION_KIND: choose(button(QUESTION_KIND, choose_question_kind)),
            Awaiting.QUESTION_LANGUAGE: choose(
                button(LANGUAGE, choose_language), button(QUESTION_DONE, question_done)
            ),
            **optional_texts,
            **edit_texts,
            Awaiting.NEW_LOCATION: [
                MessageHandler(filters.LOCATION, edit_answer(Awaiting.NEW_LOCATION)),
                MessageHandler(text, edit_answer(Awaiting.NEW_LOCATION)),
                MessageHandler(not_command, expect_location),
            ],
            Awaiting.NEW_MODE: choose(button(NEW_MODE, choose_mode)),
            Awaiting.NEW_INVITE_CODE: typed(type_invite_code),
            Awaiting.MESSAGE_AUDIENCE: choose(button(MESSAGE_TO, choose_audience)),
            Awaiting.MESSAGE_TEXT: typed(type_message),
            Awaiting.MESSAGE_CONFIRM: choose(button(MESSAGE_SEND, send_message)),
            Awaiting.REJECTION_REASON: typed(type_rejection_reason),
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(earlier_step_button, pattern=r"^ow\."),
        ],
    )


def build_approvals() -> list[BaseHandler[Update, Any, Any]]:
    return [
        CallbackQueryHandler(approve, pattern=action_pattern(shared.APPROVE)),
        CallbackQueryHandler(ask_reject, pattern=action_pattern(shared.REJECT)),
    ]
