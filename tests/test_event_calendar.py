"""Calendar files parse back with icalendar and carry every property RFC 5545 clients rely on."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from events.calendar import NO_REPLY_ADDRESS, calendar_filename, event_calendar
from events.models import Event, EventKind, EventStatus, Registration

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
UID = "3b7f2c1e-5d2a-4c8e-9f1b-2a6d8e4c0b17"


def make_event(
    *, timezone: str = "Asia/Bangkok", starts_at: datetime | None = None, **fields: object
) -> Event:
    start = starts_at or datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    values: dict[str, object] = {
        "id": 42,
        "kind": EventKind.CLEANUP,
        "status": EventStatus.PUBLISHED,
        "fallback_language": "en",
        "venue_name": "Bang Saen Beach",
        "address": "Long Had Bang Saen Rd, Saen Suk, Chon Buri 20130",
        "latitude": 13.2846,
        "longitude": 100.9147,
        "country": "TH",
        "city": "Chonburi",
        "timezone": timezone,
        "starts_at": start,
        "ends_at": start + timedelta(hours=3),
        "capacity": 50,
        "reminder_minutes_before": 120,
        "sequence": 0,
        "calendar_uid": UID,
        "created_at": NOW - timedelta(days=10),
        "updated_at": NOW - timedelta(days=1),
    }
    values.update(fields)
    return Event(**values)


def render(event: Event, revision: int = 0, **options: object) -> bytes:
    arguments: dict[str, object] = {
        "title": "ทำความสะอาดชายหาดบางแสน",
        "description": "นำถุงมือมาด้วย; we provide bags, water\nand snacks",
        "organizer_name": "Tideline Thailand",
        "organizer_email": "events@example.org",
        "now": NOW,
    }
    arguments.update(options)
    registration = Registration(calendar_revision=revision)
    return event_calendar(event, registration, **arguments)  # type: ignore[arg-type]


def parse(data: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(data)
    [component] = calendar.events
    return calendar, component


def test_every_property_round_trips() -> None:
    calendar, event = parse(render(make_event(), url="https://t.me/tideline_bot?start=ev_42"))

    assert str(calendar["version"]) == "2.0"
    assert str(calendar["prodid"])
    assert str(calendar["method"]) == "PUBLISH"
    assert str(event["uid"]) == UID
    assert str(event["summary"]) == "ทำความสะอาดชายหาดบางแสน"
    assert str(event["description"]) == "นำถุงมือมาด้วย; we provide bags, water\nand snacks"
    assert event["dtstamp"].dt == NOW
    assert event["sequence"] == 0
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["location"]) == (
        "Bang Saen Beach, Long Had Bang Saen Rd, Saen Suk, Chon Buri 20130"
    )
    assert (event["geo"].latitude, event["geo"].longitude) == (13.2846, 100.9147)
    assert str(event["organizer"]) == "mailto:events@example.org"
    assert str(event["organizer"].params["cn"]) == "Tideline Thailand"
    assert str(event["url"]) == "https://t.me/tideline_bot?start=ev_42"
    [alarm] = event.walk("VALARM")
    assert str(alarm["action"]) == "DISPLAY"
    assert alarm["trigger"].dt == timedelta(hours=-2)
    assert calendar_filename(42) == "tideline-event-42.ics"


@pytest.mark.parametrize(
    ("zone", "local_start", "utc_offset"),
    [
        ("Asia/Yangon", datetime(2026, 12, 6, 8, 0), timedelta(hours=6, minutes=30)),
        ("Asia/Bangkok", datetime(2026, 12, 6, 8, 0), timedelta(hours=7)),
        ("Asia/Shanghai", datetime(2026, 12, 6, 14, 30), timedelta(hours=8)),
        ("Asia/Jayapura", datetime(2026, 12, 6, 9, 0), timedelta(hours=9)),
        ("Europe/London", datetime(2026, 7, 1, 9, 0), timedelta(hours=1)),
    ],
)
def test_start_and_end_carry_the_events_zone_and_a_matching_vtimezone(
    zone: str, local_start: datetime, utc_offset: timedelta
) -> None:
    starts_at = local_start.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    data = render(make_event(timezone=zone, starts_at=starts_at))
    calendar, event = parse(data)

    assert f"DTSTART;TZID={zone}:{local_start:%Y%m%dT%H%M%S}".encode() in data
    assert event["dtstart"].params["tzid"] == zone
    assert event["dtend"].params["tzid"] == zone
    assert event["dtstart"].dt.replace(tzinfo=None) == local_start
    assert event["dtstart"].dt.utcoffset() == utc_offset
    assert event["dtstart"].dt == starts_at
    assert event["dtend"].dt == starts_at + timedelta(hours=3)
    assert [timezone.tz_name for timezone in calendar.timezones] == [zone]
    assert calendar.get_missing_tzids() == set()
    # The VTIMEZONE, read on its own, gives the same offset at the start as the zone database.
    vtimezone = calendar.timezones[0].to_tz()
    assert local_start.replace(tzinfo=vtimezone).utcoffset() == utc_offset


def test_vtimezone_precedes_the_event() -> None:
    data = render(make_event(timezone="Asia/Yangon"))
    assert data.index(b"BEGIN:VTIMEZONE") < data.index(b"BEGIN:VEVENT")


def test_changed_event_carries_a_higher_sequence_and_the_same_uid() -> None:
    event = make_event()
    _, before = parse(render(event))
    event.starts_at += timedelta(hours=1)
    event.ends_at += timedelta(hours=1)
    event.sequence += 1
    _, after = parse(render(event, now=NOW + timedelta(hours=1)))

    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert after["dtstamp"].dt > before["dtstamp"].dt
    assert after["dtstart"].dt - before["dtstart"].dt == timedelta(hours=1)


def test_cancelled_event_is_published_with_status_cancelled() -> None:
    event = make_event(status=EventStatus.CANCELLED, sequence=3)
    calendar, component = parse(render(event))

    assert str(calendar["method"]) == "PUBLISH"
    assert str(component["status"]) == "CANCELLED"
    assert component["sequence"] == 3
    assert str(component["uid"]) == UID
    assert component.walk("VALARM") == []


def test_one_persons_cancellation_withdraws_the_entry_while_the_event_goes_ahead() -> None:
    calendar, component = parse(render(make_event(), cancelled=True))
    assert str(calendar["method"]) == "PUBLISH"
    assert str(component["status"]) == "CANCELLED"


@pytest.mark.parametrize(
    ("status", "cancelled"),
    [(EventStatus.PUBLISHED, None), (EventStatus.CANCELLED, None), (EventStatus.PUBLISHED, True)],
)
def test_every_file_is_a_publish_without_attendees(
    status: EventStatus, cancelled: bool | None
) -> None:
    # RFC 5546 3.2.1: a PUBLISH carries an ORGANIZER and no ATTENDEE, so no calendar app offers
    # to reply (a REQUEST without attendees made Outlook send replies that bounced).
    data = render(make_event(status=status, sequence=2), cancelled=cancelled)
    calendar, component = parse(data)

    assert str(calendar["method"]) == "PUBLISH"
    assert b"METHOD:REQUEST" not in data and b"METHOD:CANCEL" not in data
    assert "attendee" not in component
    for required in ("dtstamp", "dtstart", "organizer", "summary", "uid", "sequence"):
        assert required in component


def test_a_persons_own_withdrawals_and_returns_raise_the_sequence() -> None:
    event = make_event(sequence=2)
    sequences = [parse(render(event, revision))[1]["sequence"] for revision in (0, 1, 2)]
    assert sequences == [2, 3, 4]


def test_reminder_follows_the_events_setting() -> None:
    _, component = parse(render(make_event(reminder_minutes_before=45)))
    [alarm] = component.walk("VALARM")
    assert alarm["trigger"].dt == timedelta(minutes=-45)


def test_organizer_without_email_gets_a_no_reply_address() -> None:
    _, component = parse(render(make_event(), organizer_email=None, organizer_name="小王"))
    assert str(component["organizer"]) == f"mailto:{NO_REPLY_ADDRESS}"
    assert str(component["organizer"].params["cn"]) == "小王"


def test_long_lines_are_folded_and_unfold_intact() -> None:
    description = "海洋塑料 " * 200
    data = render(make_event(), description=description)
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    _, component = parse(data)
    assert str(component["description"]) == description
