"""What a broadcast looks like once it leaves the organizer: the message each recipient gets
(rendered by the outbox at send time), the Unsubscribe button, and the organizer's live
progress message with its end report."""

import logging
import math
from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import Application, CallbackContext, JobQueue

from accounts import service
from accounts.models import ConsentPurpose, User
from broadcasts import service as broadcasts
from broadcasts.models import Broadcast, BroadcastStatus
from delivery.errors import SkipSend
from handlers.kit.context import SERVICES_KEY, Services, TidelineContext, account_of, answer
from handlers.runtime.sender import Outgoing, RenderRequest
from i18n import LANGUAGES, Catalogs, Translator
from i18n.fallback import Picked, shown_in_note

logger = logging.getLogger(__name__)

UNSUBSCRIBE = "news.stop"
PAUSE = "bc.pause"
RESUME = "bc.resume"
STOP = "bc.stop"

# How often (real seconds) a running broadcast's progress message is refreshed.
PROGRESS_INTERVAL_SECONDS = 2.0
PROGRESS_BAR_CELLS = 10
_WATCHER_PREFIX = "broadcast-progress:"
# The text each progress message last showed, so an unchanged tick costs no Bot API call.
_SHOWN_KEY = "broadcast_progress_shown"


# -- the recipient's message -------------------------------------------------------------------


def footer(t: Translator) -> str:
    return t._("You get this because you chose news and invitations. Change that in /privacy.")


def longest_footer(catalogs: Catalogs) -> int:
    """Room every reader's footer and note on the language shown need, so the organizer's text
    is limited once for all."""
    return max(_added_length(catalogs.translator(code)) for code in LANGUAGES)


def _added_length(t: Translator) -> int:
    notes = (shown_in_note(t, Picked(None, shown, t.language)) or "" for shown in LANGUAGES)
    longest_note = max(broadcasts.utf16_length("\n\n" + note) for note in notes)
    return longest_note + broadcasts.utf16_length("\n\n" + footer(t))


def message_text(broadcast: Broadcast, t: Translator) -> str:
    """The organizer's text in the reader's language or the next along the chain, saying so
    below it (a first line would stand in the notification instead of the message)."""
    picked = broadcasts.text_for(broadcast, t.language)
    note = shown_in_note(t, picked)
    shown_in = f"\n\n<i>{escape(note)}</i>" if note else ""
    return f"{picked.text.html}{shown_in}\n\n<i>{escape(footer(t))}</i>"


def message_keyboard(
    t: Translator, register_url: str | None, unsubscribe: InlineKeyboardButton
) -> list[list[InlineKeyboardButton]]:
    keyboard = []
    if register_url:
        keyboard.append([InlineKeyboardButton(t._("Register"), url=register_url)])
    keyboard.append([unsubscribe])
    return keyboard


def unsubscribe_label(t: Translator) -> str:
    return t._("Unsubscribe")


async def render_broadcast(request: RenderRequest) -> Outgoing:
    broadcast = await broadcasts.find_broadcast(request.session, request.payload["broadcast_id"])
    if broadcast is None or broadcast.status == BroadcastStatus.CANCELLED:
        raise SkipSend("broadcast cancelled")
    if not broadcasts.may_receive(request.user):
        raise SkipSend("no longer consents to news")
    t = request.t
    unsubscribe = request.button(unsubscribe_label(t), UNSUBSCRIBE)
    return Outgoing(
        text=message_text(broadcast, t),
        keyboard=InlineKeyboardMarkup(message_keyboard(t, broadcast.register_url, unsubscribe)),
    )


RENDERERS = {broadcasts.KIND: render_broadcast}


async def unsubscribe(update: Update, context: TidelineContext) -> None:
    """Anyone may press it on a broadcast they got: it withdraws their consent to news."""
    session = await context.session()
    service.set_consent(
        await account_of(session, update), ConsentPurpose.NEWS, False, context.now()
    )
    t = context.t
    await context.answer_query(update, t._("Unsubscribed."))
    await answer(
        update,
        context,
        t._("You will no longer get news and invitations. You can turn them on again in /privacy."),
    )


# -- the organizer's progress message ----------------------------------------------------------


def local_time(t: Translator, moment: datetime, zone: str) -> str:
    """A moment in the organizer's zone, with the offset so nobody misreads whose clock."""
    return t.moment_with_zone(moment, zone)


def progress_bar(fraction: float) -> str:
    filled = min(PROGRESS_BAR_CELLS, math.floor(fraction * PROGRESS_BAR_CELLS))
    return "▓" * filled + "░" * (PROGRESS_BAR_CELLS - filled) + f" {math.floor(fraction * 100)}%"


def eta_text(t: Translator, seconds: int) -> str:
    if seconds < 60:
        return t.ngettext(
            "About {count} second left", "About {count} seconds left", max(seconds, 1)
        ).format(count=t.number(max(seconds, 1)))
    minutes = math.ceil(seconds / 60)
    return t.ngettext("About {count} minute left", "About {count} minutes left", minutes).format(
        count=t.number(minutes)
    )


def status_line(t: Translator, broadcast: Broadcast, zone: str) -> str:
    status = broadcast.status
    if status == BroadcastStatus.SCHEDULED and broadcast.scheduled_at is not None:
        return t._("Scheduled for {time}").format(time=local_time(t, broadcast.scheduled_at, zone))
    labels = {
        BroadcastStatus.SENDING: t._("Sending"),
        BroadcastStatus.PAUSED: t._("Paused"),
        BroadcastStatus.CANCELLED: t._("Cancelled"),
        BroadcastStatus.DONE: t._("Finished"),
    }
    return labels.get(status, str(status))


def counts_lines(t: Translator, progress: broadcasts.Progress) -> list[str]:
    lines = [
        t._("Sent: {sent} · Failed: {failed} · Blocked: {blocked} · Pending: {pending}").format(
            sent=t.number(progress.sent),
            failed=t.number(progress.failed),
            blocked=t.number(progress.blocked),
            pending=t.number(progress.pending),
        )
    ]
    if progress.skipped:
        lines.append(
            t._("Skipped (opted out or cancelled): {count}").format(
                count=t.number(progress.skipped)
            )
        )
    return lines


def progress_text(
    t: Translator, broadcast: Broadcast, progress: broadcasts.Progress, zone: str, rate: float
) -> str:
    lines = [
        t._("<b>Broadcast #{number}</b> – {status}").format(
            number=broadcast.id, status=status_line(t, broadcast, zone)
        ),
        t.ngettext("{count} recipient", "{count} recipients", progress.total).format(
            count=t.number(progress.total)
        ),
        progress_bar(progress.fraction),
        *counts_lines(t, progress),
    ]
    if broadcast.status == BroadcastStatus.SENDING and progress.pending:
        lines.append(eta_text(t, progress.eta_seconds(rate)))
    return "\n".join(lines)


def progress_keyboard(
    services: Services, t: Translator, broadcast: Broadcast, organizer_telegram_id: int
) -> InlineKeyboardMarkup | None:
    def button(label: str, action: str) -> InlineKeyboardButton:
        data = services.codec.encode(organizer_telegram_id, action, broadcast.id)
        return InlineKeyboardButton(label, callback_data=data)

    if broadcast.status == BroadcastStatus.PAUSED:
        return InlineKeyboardMarkup([[button(t._("Resume"), RESUME), button(t._("Cancel"), STOP)]])
    if broadcast.status in (BroadcastStatus.SCHEDULED, BroadcastStatus.SENDING):
        return InlineKeyboardMarkup([[button(t._("Pause"), PAUSE), button(t._("Cancel"), STOP)]])
    return None


def report_text(t: Translator, broadcast: Broadcast, progress: broadcasts.Progress) -> str:
    headline = (
        t._("<b>Broadcast #{number} was cancelled.</b>")
        if broadcast.status == BroadcastStatus.CANCELLED
        else t._("<b>Broadcast #{number} is finished.</b>")
    )
    return "\n".join([headline.format(number=broadcast.id), *counts_lines(t, progress)])


async def refresh_progress(application: Application, broadcast_id: int) -> bool:
    """Bring the progress message up to date; send the end report once the broadcast has ended.
    Returns whether the broadcast is still running (so its watcher keeps ticking)."""
    services: Services = application.bot_data[SERVICES_KEY]
    now = services.clock()
    async with services.transaction() as session:
        broadcast = await broadcasts.find_broadcast(session, broadcast_id)
        if broadcast is None or broadcast.status == BroadcastStatus.DRAFT:
            return False
        progress = await broadcasts.progress(session, broadcast, now)
        organizer = await session.get(User, broadcast.created_by) if broadcast.created_by else None
    if organizer is None or organizer.telegram_id is None or broadcast.progress_chat_id is None:
        return broadcast.status not in (BroadcastStatus.CANCELLED, BroadcastStatus.DONE)
    t = services.catalogs.translator(organizer.language)
    zone = organizer.timezone or services.settings.DEFAULT_TIMEZONE
    text = progress_text(t, broadcast, progress, zone, services.settings.BROADCAST_RATE)
    keyboard = progress_keyboard(services, t, broadcast, organizer.telegram_id)
    await _show(application, broadcast, text, keyboard)
    running = broadcast.status not in (BroadcastStatus.CANCELLED, BroadcastStatus.DONE)
    if not running:
        await _report(application, services, broadcast, progress, t)
    return running


async def _show(
    application: Application,
    broadcast: Broadcast,
    text: str,
    keyboard: InlineKeyboardMarkup | None,
) -> None:
    shown: dict[int, str] = application.bot_data.setdefault(_SHOWN_KEY, {})
    fingerprint = text + repr(keyboard.to_dict() if keyboard else None)
    if shown.get(broadcast.id) == fingerprint:
        return
    assert broadcast.progress_chat_id is not None and broadcast.progress_message_id is not None
    try:
        await application.bot.edit_message_text(
            text,
            chat_id=broadcast.progress_chat_id,
            message_id=broadcast.progress_message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )
    except BadRequest as error:
        # "not modified": another process (or an earlier tick) already showed exactly this.
        # Anything else (the organizer deleted the message) must not stop the end report.
        if "not modified" not in error.message:
            logger.warning("broadcast %s: progress message not updated (BadRequest)", broadcast.id)
    except Forbidden:
        logger.info("broadcast %s: the organizer's chat is closed", broadcast.id)
    shown[broadcast.id] = fingerprint


async def _report(
    application: Application,
    services: Services,
    broadcast: Broadcast,
    progress: broadcasts.Progress,
    t: Translator,
) -> None:
    async with services.transaction() as session:
        if not await broadcasts.claim_report(session, broadcast.id, services.clock()):
            return
        unreached = await broadcasts.unreached(session, broadcast)
    chat_id = broadcast.progress_chat_id
    assert chat_id is not None
    try:
        await application.bot.send_message(
            chat_id, report_text(t, broadcast, progress), parse_mode=ParseMode.HTML
        )
        if unreached:
            await application.bot.send_document(
                chat_id,
                broadcasts.unreached_csv(unreached),
                filename=f"broadcast-{broadcast.id}-not-delivered.csv",
                caption=t.ngettext(
                    "{count} person was not reached; the file says why.",
                    "{count} people were not reached; the file says why.",
                    len(unreached),
                ).format(count=t.number(len(unreached))),
            )
    except Forbidden:
        logger.info("broadcast %s: the organizer's chat is closed", broadcast.id)


# -- the watcher that keeps the progress message live ------------------------------------------


async def _tick(context: CallbackContext) -> None:
    job = context.job
    assert job is not None and isinstance(job.data, int)
    if not await refresh_progress(context.application, job.data):
        job.schedule_removal()


def watch(job_queue: JobQueue | None, broadcast_id: int) -> None:
    """Refresh the broadcast's progress message every few seconds until it ends."""
    if job_queue is None:
        return
    name = f"{_WATCHER_PREFIX}{broadcast_id}"
    if job_queue.get_jobs_by_name(name):
        return
    job_queue.run_repeating(
        _tick,
        interval=PROGRESS_INTERVAL_SECONDS,
        first=PROGRESS_INTERVAL_SECONDS,
        data=broadcast_id,
        name=name,
    )


async def watch_active(application: Application) -> None:
    """Watchers live in memory: after a restart, pick up every broadcast still running."""
    services: Services = application.bot_data[SERVICES_KEY]
    async with services.transaction() as session:
        await watch_running(application, session)


async def watch_running(application: Application, session: AsyncSession) -> None:
    for broadcast in await broadcasts.active_broadcasts(session):
        watch(application.job_queue, broadcast.id)
