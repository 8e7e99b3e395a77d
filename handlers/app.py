"""Builds the PTB Application: every handler, in the order that decides who answers what."""

import hashlib
import warnings
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    ContextTypes,
    TypeHandler,
)
from telegram.warnings import PTBUserWarning

from accounts.readers import ReaderDirectory
from delivery.budget import SendBudget
from events.registration_desk import RegistrationDesk
from handlers.broadcasts import progress as broadcast_delivery
from handlers.broadcasts.compose import build_broadcast
from handlers.cleanup import impact as cleanup_impact
from handlers.cleanup.impact import build_impact
from handlers.cleanup.report import build_cleanup_card
from handlers.events import notices as event_notices
from handlers.events.browse import EVENT_LINK, build_events_browse
from handlers.events.checkin import CHECKIN_LINK, build_live_checkin, build_self_checkin
from handlers.events.my_registrations import build_my_registrations
from handlers.events.registration import build_registration
from handlers.kit.callbacks import CallbackCodec
from handlers.kit.context import SERVICES_KEY, Services, TidelineContext, utc_now
from handlers.kit.deep_links import DeepLinks
from handlers.kit.latest_messages import LatestMessages
from handlers.kit.steps import as_steps
from handlers.organize.conversation import build_approvals, build_organize
from handlers.people.help import build_help
from handlers.people.language import build_language
from handlers.people.onboarding import build_onboarding
from handlers.people.privacy import build_privacy
from handlers.people.profile import build_profile
from handlers.people.roles import build_roles
from handlers.pledges import notices as pledge_notices
from handlers.pledges.company import INVITATION_LINK, build_company, build_company_buttons
from handlers.pledges.pledge_wizard import build_pledge_wizard
from handlers.pledges.registry import build_registry
from handlers.pledges.report import build_progress_report
from handlers.pledges.review import build_review
from handlers.runtime.bot_api_http import AiohttpRequest
from handlers.runtime.command_menu import set_command_menus
from handlers.runtime.conversations import one_flow_at_a_time, watch_open_answers
from handlers.runtime.dispatch_wiring import install_dispatcher, start_dispatcher, stop_dispatcher
from handlers.runtime.errors import handle_error
from handlers.runtime.fallbacks import build_fallbacks, build_membership_tracking
from handlers.runtime.gates import (
    admit_edits,
    answer_pending_query,
    refuse_forged_buttons,
    resolve_reader,
)
from handlers.runtime.group_chats import build_group_redirect
from handlers.runtime.guarded_bot import GuardedBot
from handlers.runtime.heartbeat import start_heartbeat, stop_heartbeat
from handlers.runtime.persistence import DatabasePersistence
from handlers.runtime.renderers import RENDERERS
from handlers.runtime.send_budget import ReplyRateLimiter
from handlers.runtime.sender import Renderer
from handlers.runtime.sweeps import schedule_event_sweeps, schedule_pledge_sweeps
from handlers.runtime.typed_presses import press_typed_labels, remember_shown_keyboard
from handlers.runtime.updates import PerChatUpdateProcessor
from handlers.surveys import notices as survey_notices
from handlers.surveys.answer import SURVEY_LINK, build_answering
from handlers.surveys.results import build_survey_results
from handlers.surveys.setup import build_survey_setup
from i18n import Catalogs
from settings import Settings
from surveys.answer_desk import AnswerDesk, DefinitionCache

# Handler groups run in ascending order; within a group the first matching handler wins.
GATES = -10
DEEP_LINKS = -1
FLOWS = 0
FINISH = 10


def callback_secret(bot_token: str) -> bytes:
    """Button signatures are keyed by the bot token, so only this bot can mint valid buttons."""
    return hashlib.sha256(b"tideline-callback:" + bot_token.encode()).digest()


async def finish_update(update: object, context: TidelineContext) -> None:
    await answer_pending_query(update, context)
    remember_shown_keyboard(update, context)
    # Write conversation states as soon as an update is handled, not on PTB's timer, so a crash
    # between two updates loses nothing.
    await context.application.update_persistence()


async def post_init(application: Application) -> None:
    await set_command_menus(application)
    await start_dispatcher(application)
    schedule_event_sweeps(application)
    schedule_pledge_sweeps(application)
    start_heartbeat(application)
    # Progress messages of broadcasts still sending when the bot last stopped.
    await broadcast_delivery.watch_active(application)


async def post_stop(application: Application) -> None:
    stop_heartbeat(application)
    await stop_dispatcher(application)


def outbox_renderers() -> dict[str, Renderer]:
    """Every kind of outbox message and the renderer that turns a row into what its recipient
    sees, in their current language; each feature exports the ``RENDERERS`` of its kinds."""
    return {
        **RENDERERS,
        **broadcast_delivery.RENDERERS,
        **event_notices.RENDERERS,
        **cleanup_impact.RENDERERS,
        **pledge_notices.RENDERERS,
        **survey_notices.RENDERERS,
    }


def build_application(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    catalogs: Catalogs,
    clock: Callable[[], datetime] = utc_now,
) -> Application:
    root = settings.BOT_API_BASE_URL
    # One budget for the bot: replies draw from it first, the outbox takes what is left.
    budget = SendBudget()
    latest_messages = LatestMessages()
    bot = GuardedBot(
        token=settings.BOT_TOKEN,
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=AiohttpRequest(),
        # Long polling waits up to PTB's poll timeout on top of this read timeout.
        get_updates_request=AiohttpRequest(),
        rate_limiter=ReplyRateLimiter(budget),
        latest_messages=latest_messages,
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .persistence(DatabasePersistence(session_factory))
        .context_types(ContextTypes(context=TidelineContext))
        .post_init(post_init)
        .post_stop(post_stop)
        .concurrent_updates(PerChatUpdateProcessor())
        .build()
    )
    # Kept per process and shared: the answer desk and the answering steps read the same copy.
    survey_definitions = DefinitionCache()
    services = Services(
        settings=settings,
        session_factory=session_factory,
        catalogs=catalogs,
        codec=CallbackCodec(callback_secret(settings.BOT_TOKEN)),
        clock=clock,
        readers=ReaderDirectory(session_factory),
        registration_desk=RegistrationDesk(session_factory),
        answer_desk=AnswerDesk(session_factory, survey_definitions),
        survey_definitions=survey_definitions,
        latest_messages=latest_messages,
        deep_links=DeepLinks([EVENT_LINK, CHECKIN_LINK, SURVEY_LINK, INVITATION_LINK]),
    )
    application.bot_data[SERVICES_KEY] = services
    install_dispatcher(application, services, outbox_renderers(), budget)
    application.add_handler(TypeHandler(Update, resolve_reader), group=GATES)
    application.add_handler(TypeHandler(Update, refuse_forged_buttons), group=GATES + 1)
    application.add_handler(TypeHandler(Update, admit_edits), group=GATES + 2)
    # Group chats get a link to a private chat and nothing else.
    application.add_handler(as_steps([build_group_redirect()])[0], group=GATES + 3)
    # Live locations check in wherever the person is in a flow, before any conversation.
    application.add_handler(as_steps([build_live_checkin()])[0], group=GATES + 4)
    # A typed label of the current question's keyboard is that button, before any flow reads it.
    application.add_handler(TypeHandler(Update, press_typed_labels), group=GATES + 6)
    with warnings.catch_warnings():
        # Conversations mix button and text steps, so they track people per chat, not per
        # message; callback data is signed and checked per person instead (handlers.callbacks).
        warnings.filterwarnings("ignore", "If 'per_message=False'", PTBUserWarning)
        conversations: list[BaseHandler[Update, TidelineContext, object]] = [
            build_registration(),
            build_onboarding(),
            build_profile(),
            build_roles(),
        ]
        conversations += [build_cleanup_card(), build_impact()]
        conversations += [build_broadcast()]
        conversations += [build_organize(), *build_approvals()]
        conversations += [build_answering()]
        # After /organize: a survey's form file is taken only once the organizer's event wizard
        # is not waiting for an answer of its own.
        conversations += [build_survey_setup()]
        conversations += [build_review(), build_progress_report()]
        conversations += [build_company(), build_pledge_wizard()]
    flows = [
        build_membership_tracking(),
        *conversations,
        *build_events_browse(),
        *build_company_buttons(),
        build_self_checkin(),
        *build_my_registrations(),
        *build_registry(),
        *build_survey_results(),
        build_help(),
        *build_language(),
        *build_privacy(),
        # Last in the same group, so they answer only what no flow above claimed.
        *build_fallbacks(),
    ]
    # Before as_steps, so what it says goes out with the step's replies, in front of them.
    one_flow_at_a_time(flows)
    application.add_handlers(as_steps(flows), group=FLOWS)
    # Deep links for people already set up; onboarding's /start answers everyone else.
    application.add_handler(as_steps([services.deep_links.handler()])[0], group=DEEP_LINKS)
    watch_open_answers(application)
    application.add_handler(TypeHandler(Update, finish_update), group=FINISH)
    application.add_error_handler(handle_error)
    return application
