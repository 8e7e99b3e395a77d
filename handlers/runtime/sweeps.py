"""The events' periodic sweep: seat offers that lapsed pass to the next person waiting, events
that ended are marked completed, and a day after a cleanup its participants get their impact
summary. The database says what is due, so a missed run is
simply caught up by the next one."""

from telegram.ext import Application, ContextTypes

from events import notices, service
from handlers.kit.context import SERVICES_KEY, Services
from handlers.runtime.dispatch_wiring import wake
from pledges import service as pledges
from surveys.invitations import queue_survey_sends

SWEEP_SECONDS = 60
SWEEP_JOB = "events-sweep"
# Reporting periods open on 1 January and their reminders fall days apart: hourly is plenty, and
# a deadline that passed shows as "not reporting" within the hour.
PLEDGE_SWEEP_SECONDS = 60 * 60
PLEDGE_SWEEP_JOB = "pledges-sweep"


async def sweep_events(application: Application) -> None:
    services: Services = application.bot_data[SERVICES_KEY]
    now = services.clock()
    async with services.transaction() as session:
        lapsed = await service.expire_offers(session, now=now)
        await service.complete_finished_events(session, now=now)
        summaries = await notices.impact_summaries(session, now=now)
        survey_sends = await queue_survey_sends(session, now=now)
    if lapsed or summaries or survey_sends:
        wake(application)


async def _sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await sweep_events(context.application)


def schedule_event_sweeps(application: Application) -> None:
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("event sweeps need the JobQueue: python-telegram-bot[job-queue]")
    job_queue.run_repeating(_sweep_job, interval=SWEEP_SECONDS, first=1, name=SWEEP_JOB)


async def sweep_pledges(application: Application) -> None:
    """Each accepted pledge's reporting periods are opened, missed deadlines turn to *not
    reporting*, and the members' reminders 30, 7 and 1 days before a deadline are queued (the
    outbox keeps one per key, so queueing them again changes nothing)."""
    services: Services = application.bot_data[SERVICES_KEY]
    now = services.clock()
    async with services.transaction() as session:
        await pledges.open_reporting_periods(
            session, now=now, fallback_zone=services.settings.DEFAULT_TIMEZONE
        )
        await pledges.mark_missed_deadlines(session, now=now)
        queued = await pledges.queue_report_reminders(session, now=now)
    if queued:
        wake(application)


async def _pledge_sweep_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await sweep_pledges(context.application)


def schedule_pledge_sweeps(application: Application) -> None:
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("pledge sweeps need the JobQueue: python-telegram-bot[job-queue]")
    job_queue.run_repeating(
        _pledge_sweep_job, interval=PLEDGE_SWEEP_SECONDS, first=5, name=PLEDGE_SWEEP_JOB
    )
