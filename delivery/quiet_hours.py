"""Quiet hours: non-urgent sends wait until morning in the recipient's time zone."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class QuietHours:
    """No non-urgent delivery from ``start`` to ``end`` local time (the span may cross midnight)."""

    start: time = time(21, 0)
    end: time = time(8, 0)

    def is_quiet(self, local: time) -> bool:
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def resume_at(self, now: datetime, zone: str) -> datetime | None:
        """When a send due ``now`` may go out in ``zone``: None if it may go now, else the end
        of the quiet hours, in UTC."""
        info = ZoneInfo(zone)
        local = now.astimezone(info)
        if not self.is_quiet(local.time()):
            return None
        day = local.date()
        if local.time() >= self.end:
            day += timedelta(days=1)
        # fold=0 and a round trip through UTC settle the odd zone whose clocks jump at 08:00.
        resume = datetime.combine(day, self.end, tzinfo=info).astimezone(UTC)
        return max(resume, now)
