"""Gates every update passes before any conversation (account and locale resolution, callback
authenticity, edited messages), and the last step after all of them."""

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, filters

from accounts.readers import Reader
from handlers.kit.context import TidelineContext
from handlers.runtime.conversations import chat_key, open_answers
from i18n import match_language


async def resolve_reader(update: object, context: TidelineContext) -> None:
    """Gate 1: find or create the person's account and settle their language, once per update."""
    if not isinstance(update, Update) or update.effective_user is None:
        return
    user = update.effective_user
    if user.is_bot:
        raise ApplicationHandlerStop
    services = context.services
    language = await services.readers.language_of(
        Reader(
            telegram_id=user.id,
            username=user.username,
            first_name=user.first_name,
            language=match_language(user.language_code) or services.settings.DEFAULT_LANGUAGE,
            now=context.now(),
        )
    )
    context.use_language(language)


async def refuse_forged_buttons(update: object, context: TidelineContext) -> None:
    """Gate 2: buttons whose data we did not sign for this person never reach a handler."""
    if not isinstance(update, Update) or update.callback_query is None:
        return
    query = update.callback_query
    if not context.services.codec.is_authentic(query.from_user.id, query.data or ""):
        await context.answer_query(
            update,
            context.t._("This button is not valid. Send /help to see what you can do."),
            show_alert=True,
        )
        raise ApplicationHandlerStop


class _LiveLocation(filters.MessageFilter):
    # A live location's first message carries its period; only live locations can be edited.
    def filter(self, message: Message) -> bool:
        location = message.location
        return location is not None and (
            location.live_period is not None or message.edit_date is not None
        )


LIVE_LOCATION = _LiveLocation(name="LIVE_LOCATION")


async def admit_edits(update: object, context: TidelineContext) -> None:
    """Gate 3: an edited message is an answer only when it edits the person's latest message
    and the step that read it is still waiting for that answer (it asked again); every other
    edit stops here without a reply. Live-location updates pass on to check-in. A new message
    becomes the chat's newest, which the buttons above it are then not."""
    if not isinstance(update, Update):
        return
    if (message := update.message) is not None:
        context.services.latest_messages.note(message.chat.id, message.message_id)
    edited = update.edited_message
    if edited is not None and LIVE_LOCATION.check_update(update):
        return
    key = chat_key(update)
    # Anything else the person does closes the open answer: it is no longer their latest word.
    still_open = open_answers(context.application).take(key) if key is not None else None
    if edited is None:
        return
    if edited.message_id != still_open or not edited.text or filters.COMMAND.check_update(update):
        raise ApplicationHandlerStop


async def answer_pending_query(update: object, context: TidelineContext) -> None:
    """Last step of every update: stop the button's spinner if no handler answered it."""
    if isinstance(update, Update):
        await context.answer_query(update)
