"""The limits and rules of an event and its parts, in one place.

The chat wizard (handlers/organize), the YAML importer (events.importer) and the services that
change events (events.service, events.organizing) all check against these, so an organizer meets
the same limits whichever way they work. Each value says why it is what it is where that is not
obvious.
"""

from datetime import datetime
from enum import StrEnum

from accounts import geography
from events.models import Event, EventStatus

# ---- texts ----------------------------------------------------------------------------------

TITLE_MAX_LENGTH = 200
# The event card sends the description together with the title, the fallback note, the times,
# the venue, address and city, the seats and the registration lines, in one message of at most
# Telegram's 4,096 characters. Those others can take about 1,300 at their own limits, so 2,000
# leaves room for long words, emoji (two characters each for Telegram) and longer translations
# of the card's own lines.
DESCRIPTION_MAX_LENGTH = 2_000
VENUE_NAME_MAX_LENGTH = 200
ADDRESS_MAX_LENGTH = 300
# An event's city is matched against people's own (/events lists their city first, broadcasts
# filter by it): one kind of name, one limit.
CITY_MAX_LENGTH = geography.CITY_MAX_LENGTH
INVITE_CODE_MAX_LENGTH = 64

# A message organizers write to their registrants (handlers/organize/logistics.py) is shown
# under a line naming the event, in one Telegram message of at most 4,096 characters; and so
# is its preview to the organizer, with the line saying how many people it goes to.
LOGISTICS_MESSAGE_MAX_LENGTH = 3_500
# The reason an organizer may give when declining a request; the person reads it in the
# decision notice.
REJECTION_REASON_MAX_LENGTH = 500

# ---- registration questions -----------------------------------------------------------------

QUESTIONS_MAX = 10
PROMPT_MAX_LENGTH = 300
CHOICES_MIN, CHOICES_MAX = 2, 10
# Each choice is a button when people register, and a button shows about 60 characters on a
# phone before Telegram cuts it off; a longer label would reach people truncated.
CHOICE_MAX_LENGTH = 60

# ---- numbers --------------------------------------------------------------------------------

CAPACITY_MIN, CAPACITY_MAX = 1, 100_000
LATITUDE_MIN, LATITUDE_MAX = -90.0, 90.0
LONGITUDE_MIN, LONGITUDE_MAX = -180.0, 180.0
# A phone's live location is good to about 10 m outdoors. 5 km covers the longest stretch of
# beach a cleanup walks; a wider radius would let people check in from home.
SELF_CHECKIN_RADIUS_MIN_M, SELF_CHECKIN_RADIUS_MAX_M = 10, 5_000
# The reminder on the day of the event, sent at any hour (it is urgent). At the start (0) it is
# too late to help anyone; more than a day ahead it would arrive before the day-before "still
# coming?" message, which already covers that.
REMINDER_MINUTES_MIN, REMINDER_MINUTES_MAX = 5, 24 * 60
REMINDER_MINUTES_DEFAULT = 120
# How long a freed seat is held for the next person waiting: at most a week.
OFFER_HOURS_MIN, OFFER_HOURS_MAX = 1, 7 * 24
OFFER_HOURS_DEFAULT = 12


# ---- decisions ------------------------------------------------------------------------------


class Refusal(StrEnum):
    """Why something cannot be done; handlers word each one for the reader."""

    NOT_FOUND = "not_found"
    NOT_OPEN = "not_open"  # a draft: not published yet
    CANCELLED = "cancelled"
    OVER = "over"  # the event has ended (or was marked completed)
    STARTED = "started"
    DEADLINE_PASSED = "deadline_passed"
    WRONG_CODE = "wrong_code"
    NOT_ALLOWED = "not_allowed"
    NOT_REGISTERED = "not_registered"
    CANCELLATION_CLOSED = "cancellation_closed"
    OFFER_EXPIRED = "offer_expired"
    NOT_CONFIRMED = "not_confirmed"
    OUTSIDE_WINDOW = "outside_window"
    TOO_FAR = "too_far"
    NO_SELF_CHECKIN = "no_self_checkin"
    ALREADY_DECIDED = "already_decided"
    TOO_MANY_QUESTIONS = "too_many_questions"


class EventRefused(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def may_change(event: Event, now: datetime) -> Refusal | None:
    """Whether the event may still be changed, or why not: a cancelled event stays as it was
    cancelled, and one that is over keeps what happened. A draft may always be changed, even
    when its dates have passed: that is how its organizer fixes them."""
    if event.status == EventStatus.CANCELLED:
        return Refusal.CANCELLED
    if event.status == EventStatus.DRAFT:
        return None
    if event.status == EventStatus.COMPLETED or event.ends_at <= now:
        return Refusal.OVER
    return None


def refuse_unless_changeable(event: Event, now: datetime) -> None:
    refusal = may_change(event, now)
    if refusal is not None:
        raise EventRefused(refusal)


def may_add_question(event: Event) -> bool:
    return len(event.questions) < QUESTIONS_MAX
