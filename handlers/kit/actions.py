"""Callback actions of buttons one feature shows and another answers: the only actions two
features share. Every other action belongs to the one feature module that declares it."""

from telegram import InlineKeyboardButton

from handlers.kit.context import TidelineContext

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
