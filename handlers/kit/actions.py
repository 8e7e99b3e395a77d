"""Callback actions of buttons one feature shows and another answers: the only actions two
features share. Every other action belongs to the one feature module that declares it."""

from telegram import InlineKeyboardButton

from handlers.kit.context import TidelineContext
from i18n.shorten import shorten

# Approval requests reach organizers as outbox notices (events) and are decided by the
# organizer tools (organize).
APPROVE = "org.ok"  # registration id
REJECT = "org.no"  # registration id
# A confirmed registration's card (events) opens that cleanup's data card (cleanup).
REPORT_CLEANUP = "cleanup.report"  # event id


def report_cleanup_button(context: TidelineContext, event_id: int) -> InlineKeyboardButton:
    return context.button(context.t._("Report cleanup data"), REPORT_CLEANUP, event_id)


# The organizer's event card (organize) opens that event's survey screen (surveys).
OPEN_EVENT_SURVEY = "survey.event"  # event id
# /my (events) and survey invitations open a survey to answer (surveys).
ANSWER_SURVEY = "survey.answer"  # survey id


def event_survey_button(context: TidelineContext, event_id: int) -> InlineKeyboardButton:
    return context.button(context.t._("📝 Survey"), OPEN_EVENT_SURVEY, event_id)


def answer_survey_button(
    context: TidelineContext, survey_id: int, title: str | None = None
) -> InlineKeyboardButton:
    """Opens the survey where the person stopped (the first question when they have not
    started); ``title`` tells several surveys apart in one list."""
    t = context.t
    label = t._("Answer: {title}").format(title=title) if title else t._("Answer the survey")
    return context.button(shorten(label, 60), ANSWER_SURVEY, survey_id)
