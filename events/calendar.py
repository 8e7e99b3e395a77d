"""RFC 5545 calendar files for one event, as attached to confirmations, changes and cancellations.

Calendar apps match an update to the entry they already hold by UID and apply it only when its
SEQUENCE is higher, so the UID (``Event.calendar_uid``) never changes, and a file's SEQUENCE is
the event's (raised with every change registrants hear about) plus the person's own
``Registration.calendar_revision`` (raised when they withdraw and when they register again).

Every file is an RFC 5546 ``METHOD:PUBLISH`` (what pretix and Indico send): a calendar entry to
add or update, not a meeting invitation. ``REQUEST`` and ``CANCEL`` are scheduling messages that
need ATTENDEEs and an organizer who reads replies; Outlook showed them as invitations whose
replies bounced. A cancellation is the same PUBLISH with ``STATUS:CANCELLED``.
"""

import functools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Timezone, vCalAddress, vText
from icalendar import Event as CalendarEvent

from events.models import Event, EventStatus, Registration

PRODUCT_ID = "-//Tideline//Events//EN"
CALENDAR_MEDIA_TYPE = "text/calendar"
# RFC 5546 requires an ORGANIZER in a PUBLISH, and organizers without an e-mail address still
# need a cal-address; ".invalid" is reserved for exactly this (RFC 2606), so nothing is ever
# delivered to it. A PUBLISH asks for no reply, so no client tries.
NO_REPLY_ADDRESS = "noreply@tideline.invalid"


def calendar_filename(event_id: int) -> str:
    return f"tideline-event-{event_id}.ics"


def calendar_sequence(event: Event, registration: Registration) -> int:
    """Both parts only ever rise, so each file a person receives supersedes the one before."""
    return event.sequence + registration.calendar_revision


def event_calendar(
    event: Event,
    registration: Registration,
    *,
    title: str,
    description: str,
    organizer_name: str,
    organizer_email: str | None = None,
    url: str | None = None,
    cancelled: bool | None = None,
    now: datetime,
) -> bytes:
    """The .ics file of ``event`` for the person of ``registration``, with texts already chosen
    in the reader's language.

    ``cancelled`` defaults to the event's own status; pass True to withdraw the entry from one
    person's calendar (they cancelled their registration) while the event itself goes ahead.
    """
    is_cancelled = event.status == EventStatus.CANCELLED if cancelled is None else cancelled
    zone = ZoneInfo(event.timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Outlook needs the VTIMEZONE before the events that refer to it.
    calendar.add_component(_timezone(event))
    calendar.add_component(
        _event_component(
            event,
            sequence=calendar_sequence(event, registration),
            zone=zone,
            title=title,
            description=description,
            organizer=_organizer(organizer_name, organizer_email),
            url=url,
            cancelled=is_cancelled,
            now=now,
        )
    )
    return calendar.to_ical()


def _timezone(event: Event) -> Timezone:
    # Only the transitions around the event: a full 1970–2038 history would bloat the file for
    # zones with daylight saving time and tells the calendar app nothing it needs.
    return _zone_component(event.timezone, event.starts_at.year - 1, event.ends_at.year + 2)


@functools.lru_cache(maxsize=64)
def _zone_component(tzid: str, first_year: int, last_year: int) -> Timezone:
    # Building a VTIMEZONE walks the zone's transitions (tens of milliseconds); calendars only
    # read the component, so one per zone and span is shared.
    return Timezone.from_tzid(
        tzid, first_date=date(first_year, 1, 1), last_date=date(last_year, 1, 1)
    )


def _organizer(name: str, email: str | None) -> vCalAddress:
    organizer = vCalAddress(f"mailto:{email or NO_REPLY_ADDRESS}")
    organizer.params["cn"] = vText(name)
    return organizer


def _event_component(
    event: Event,
    *,
    sequence: int,
    zone: ZoneInfo,
    title: str,
    description: str,
    organizer: vCalAddress,
    url: str | None,
    cancelled: bool,
    now: datetime,
) -> CalendarEvent:
    component = CalendarEvent()
    component.add("uid", event.calendar_uid)
    component.add("dtstamp", now.astimezone(UTC))
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", event.updated_at.astimezone(UTC))
    component.add("sequence", sequence)
    component.add("summary", title)
    if description:
        component.add("description", description)
    component.add("dtstart", event.starts_at.astimezone(zone))
    component.add("dtend", event.ends_at.astimezone(zone))
    component.add("location", location_text(event))
    component.add("geo", (event.latitude, event.longitude))
    component.add("organizer", organizer)
    if url:
        component.add("url", url)
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    component.add("transp", "OPAQUE")
    if not cancelled:
        component.add_component(_reminder(title, event.reminder_minutes_before))
    return component


def location_text(event: Event) -> str:
    parts = [event.venue_name, event.address]
    return ", ".join(part for part in parts if part)


def _reminder(title: str, minutes_before: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", title)
    alarm.add("trigger", timedelta(minutes=-max(minutes_before, 0)))
    return alarm
