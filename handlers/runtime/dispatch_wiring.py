"""Runs the outbox dispatcher inside the PTB Application: JobQueue wakes it at the next due
time, sweeps every ``SWEEP_SECONDS`` and looks for rows of a dead process every
``TAKE_OVER_SECONDS``; handlers call ``wake`` after queueing something that should go out now."""

from collections.abc import Mapping
from datetime import datetime

from telegram.ext import Application, ContextTypes

from delivery.budget import SendBudget
from delivery.dispatcher import Dispatcher, DispatchOptions
from handlers.kit.context import Services
from handlers.runtime.sender import Renderer, TelegramSender

DISPATCHER_KEY = "outbox_dispatcher"
SWEEP_SECONDS = 30
# With the dispatcher's 10-second lease: a dead process's rows go out again within 15 s.
TAKE_OVER_SECONDS = 5
WAKE_JOB = "outbox-wake"
SWEEP_JOB = "outbox-sweep"
TAKE_OVER_JOB = "outbox-take-over"


def install_dispatcher(
    application: Application,
    services: Services,
    renderers: Mapping[str, Renderer],
    budget: SendBudget,
) -> Dispatcher:
    settings = services.settings
    sender = TelegramSender(application.bot, renderers, services.catalogs, services.codec.encode)
    dispatcher = Dispatcher(
        services.session_factory,
        sender,
        services.clock,
        DispatchOptions(rate=settings.BROADCAST_RATE, default_timezone=settings.DEFAULT_TIMEZONE),
        budget=budget,
    )
    application.bot_data[DISPATCHER_KEY] = dispatcher
    return dispatcher


def dispatcher_of(application: Application) -> Dispatcher:
    return application.bot_data[DISPATCHER_KEY]


def wake(application: Application) -> None:
    """Look for due sends now (e.g. right after queueing an urgent notice)."""
    dispatcher_of(application).kick()


async def _wake_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    dispatcher_of(context.application).kick()


async def _take_over_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    await dispatcher_of(context.application).take_over_expired()


def _schedule_wake(application: Application, due: datetime | None) -> None:
    job_queue = application.job_queue
    if job_queue is None:
        return
    for job in job_queue.get_jobs_by_name(WAKE_JOB):
        job.schedule_removal()
    if due is None:
        return
    delay = (due - dispatcher_of(application).clock()).total_seconds()
    if delay < SWEEP_SECONDS:  # later ones are found by a sweep, which reschedules the wake
        job_queue.run_once(_wake_job, when=max(0.0, delay), name=WAKE_JOB)


async def start_dispatcher(application: Application) -> None:
    dispatcher = dispatcher_of(application)
    dispatcher.on_idle = lambda due: _schedule_wake(application, due)
    job_queue = application.job_queue
    if job_queue is None:
        raise RuntimeError("the outbox needs the JobQueue: python-telegram-bot[job-queue]")
    # Sends that fell due while the bot was down go out as soon as it runs.
    job_queue.run_once(_wake_job, when=0, name=WAKE_JOB)
    job_queue.run_repeating(_wake_job, interval=SWEEP_SECONDS, first=SWEEP_SECONDS, name=SWEEP_JOB)
    job_queue.run_repeating(
        _take_over_job, interval=TAKE_OVER_SECONDS, first=TAKE_OVER_SECONDS, name=TAKE_OVER_JOB
    )


async def stop_dispatcher(application: Application) -> None:
    await dispatcher_of(application).stop()
