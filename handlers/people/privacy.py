"""/privacy (consent per purpose), /mydata (export) and /deleteme (erasure, asked twice)."""

import json
from html import escape

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from accounts import service
from db.conversations import forget_key
from events import privacy as event_privacy
from events.models import Event
from events.texts import event_title
from handlers.kit import profile_fields as steps
from handlers.kit.callbacks import action_pattern
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.runtime.conversations import end_conversations
from i18n import Translator
from pledges import privacy as pledge_privacy
from surveys import privacy as survey_privacy

CONSENT = "priv.toggle"
ERASE_FIRST_YES = "erase.1"
ERASE_FINAL_YES = "erase.2"
ERASE_KEEP = "erase.keep"


async def show_privacy(update: Update, context: TidelineContext) -> None:
    session = await context.session()
    account = await account_of(session, update)
    await steps.show_consent_screen(update, context, account, CONSENT, None)


async def choose_consent(update: Update, context: TidelineContext) -> None:
    await steps.take_consent_choice(update, context, CONSENT, None)


async def export_data(update: Update, context: TidelineContext) -> None:
    session = await context.session()
    account = await account_of(session, update)
    document = service.export_personal_data(
        account, context.services.settings.ADMIN_IDS, context.now()
    )
    document.update(await event_privacy.personal_data(session, account))
    document.update(await pledge_privacy.personal_data(session, account))
    document.update(await survey_privacy.personal_data(session, account))
    chat = update.effective_chat
    assert chat is not None
    content = json.dumps(document, ensure_ascii=False, indent=2).encode()
    caption = context.t._("Here is everything Tideline holds about you.")
    await context.send(
        lambda: chat.send_document(content, filename="tideline-my-data.json", caption=caption)
    )


async def ask_erasure(update: Update, context: TidelineContext) -> None:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    held = await event_privacy.seats_held_soon(session, account, now=context.now())
    text = t._(
        "This deletes your profile, your consents and your roles. Events and reports keep only "
        "anonymous counts. Do you want to delete your data?"
    )
    if held:
        text = _seats_warning(t, held) + "\n\n" + text
    await answer(
        update,
        context,
        text,
        [
            [context.button(t._("Yes, delete my data"), ERASE_FIRST_YES)],
            [context.button(t._("No, keep it"), ERASE_KEEP)],
        ],
    )


def _seats_warning(t: Translator, events: list[Event]) -> str:
    days = event_privacy.SEATS_SOON.days
    lines = [
        t.ngettext(
            "⚠️ You hold a seat for events in the next {count} day. Deleting your data gives "
            "it up, and it goes to someone on the waitlist:",
            "⚠️ You hold a seat for events in the next {count} days. Deleting your data gives "
            "it up, and it goes to someone on the waitlist:",
            days,
        ).format(count=t.number(days))
    ]
    for event in events:
        title = escape(event_title(event, t.language))
        lines.append(f"• <b>{title}</b>, {t.moment_with_zone(event.starts_at, event.timezone)}")
    return "\n".join(lines)


async def confirm_erasure(update: Update, context: TidelineContext) -> None:
    t = context.t
    await answer(
        update,
        context,
        t._("Are you sure? This cannot be undone."),
        [
            [context.button(t._("Delete everything now"), ERASE_FINAL_YES)],
            [context.button(t._("No, keep it"), ERASE_KEEP)],
        ],
        edit=True,
    )


async def erase(update: Update, context: TidelineContext) -> None:
    chat = update.effective_chat
    user = update.effective_user
    assert chat is not None and user is not None
    session = await context.session()
    account = await account_of(session, update)
    await event_privacy.forget_person(session, account, now=context.now())
    await pledge_privacy.forget_person(session, account, now=context.now())
    await survey_privacy.forget_person(session, account)
    service.erase_account(account, context.now())
    await forget_key(session, f"[{chat.id}, {user.id}]")
    # The stored states are gone with the transaction; the running flows end here too.
    end_conversations(context.application, chat.id, user.id)
    await answer(
        update,
        context,
        context.t._(
            "Your data has been deleted. Thank you for taking part. If you send /start again, "
            "you begin as a new person."
        ),
        edit=True,
    )


async def keep_data(update: Update, context: TidelineContext) -> None:
    await answer(update, context, context.t._("Nothing was deleted."), edit=True)


def build_privacy() -> list[BaseHandler]:
    return [
        CommandHandler("privacy", show_privacy),
        CallbackQueryHandler(choose_consent, pattern=action_pattern(CONSENT)),
        CommandHandler("mydata", export_data),
        CommandHandler("deleteme", ask_erasure),
        CallbackQueryHandler(confirm_erasure, pattern=action_pattern(ERASE_FIRST_YES)),
        CallbackQueryHandler(erase, pattern=action_pattern(ERASE_FINAL_YES)),
        CallbackQueryHandler(keep_data, pattern=action_pattern(ERASE_KEEP)),
    ]
