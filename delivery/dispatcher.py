"""The dispatcher: claims due outbox rows, renders and sends them through the pacer, and
records each outcome. Nothing lives only in memory: a claimed row carries a short lease that
a heartbeat renews while the process lives, and a row whose lease expired (its process died) is
claimed again.

One ``deliver_due`` pass runs until nothing is due at the clock's current time; the
application wakes it with PTB's JobQueue at the next due time, on a periodic sweep and when a
handler enqueued something urgent.
"""

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Executable, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from accounts.models import User
from accounts.service import mark_blocked
from db.failures import describe_failure
from delivery.budget import SendBudget, outbox_sending
from delivery.errors import FloodWait, RecipientBlocked, Rejected, SendError, SkipSend
from delivery.models import OutboxMessage, OutboxStatus
from delivery.outbox import lease_expired, next_due
from delivery.pacer import Pacer, PacerLimits
from delivery.quiet_hours import QuietHours

log = logging.getLogger(__name__)

BLOCKED_REASON = "recipient blocked the bot"
ERASED_REASON = "recipient erased their data"


class Sender(Protocol):
    """Renders a row for its recipient and sends it (``handlers.runtime.sender.TelegramSender``)."""

    async def render(
        self, session: AsyncSession, user: User, kind: str, payload: dict[str, Any], now: datetime
    ) -> Any: ...

    async def send(
        self, chat_id: int, outgoing: Any, pace: Callable[[int], Awaitable[None]]
    ) -> None: ...


@dataclass(frozen=True)
class DispatchOptions:
    rate: float  # BROADCAST_RATE: outbox sends per second, for this process
    default_timezone: str = "Asia/Singapore"
    max_in_flight: int = 8  # concurrent sends: hides latency; bounds duplicates after a crash
    # A dead process's rows are taken over once their lease expires; a live one renews every
    # lease it holds each ``heartbeat`` (well within half a lease, when sends renew their own).
    lease: timedelta = timedelta(seconds=10)
    heartbeat: timedelta = timedelta(seconds=2.5)
    max_attempts: int = 5
    first_retry: timedelta = timedelta(seconds=5)  # doubled after each transient failure
    quiet_hours: QuietHours = field(default_factory=QuietHours)
    pacing: bool = True

    @property
    def batch_size(self) -> int:
        # Enough to keep every worker busy for about two seconds, few enough that no claimed row
        # waits in this process for more than a quarter of its lease.
        busy = max(2 * self.max_in_flight, int(self.rate * 2))
        return max(1, min(busy, int(self.rate * self.lease.total_seconds() / 4)))


@dataclass
class DeliveryReport:
    """What one ``deliver_due`` pass did."""

    sent: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0
    retried: int = 0  # transient errors and 429s: the row waits for another attempt
    deferred: int = 0  # moved past quiet hours

    @property
    def finished(self) -> int:
        return self.sent + self.failed + self.blocked + self.skipped

    def add(self, other: "DeliveryReport") -> None:
        for name in ("sent", "failed", "blocked", "skipped", "retried", "deferred"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Lease:
    expires_at: datetime


@dataclass(frozen=True)
class Claim:
    id: int
    user_id: int
    chat_id: int
    lease: _Lease
    claimed_in: int  # which claiming round of this process took it


class _LeaseLost(Exception):
    """The row's lease expired and another process claimed it: do not send."""


class _BlockedMeanwhile(Exception):
    """A 403 for the same person came back after this row was claimed: do not send."""


def process_name() -> str:
    """Who claimed a row, for operators: host, pid and a random tag (pids get reused)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


class Dispatcher:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        sender: Sender,
        clock: Callable[[], datetime],
        options: DispatchOptions,
        *,
        name: str | None = None,
        pacer: Pacer | None = None,
        budget: SendBudget | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.sender = sender
        self.clock = clock
        self.options = options
        self.name = name or process_name()
        self.pacer = pacer or Pacer(
            PacerLimits(options.rate, enabled=options.pacing), budget=budget
        )
        # Called with the next due time (or None) after every pass, to schedule a wake-up.
        self.on_idle: Callable[[datetime | None], None] | None = None
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self._again = False
        self._stopping = False
        self.totals = DeliveryReport()
        self._unreported = DeliveryReport()
        # Rows this process holds, by id: the heartbeat renews their leases.
        self._held: dict[int, Claim] = {}
        self._claim_round = 0
        # Person (account id) -> the last claiming round before a 403 from them was recorded:
        # rows claimed up to then are not sent. Cleared after each pass.
        self._blocked_since: dict[int, int] = {}

    # -- running ---------------------------------------------------------------------------

    def kick(self) -> None:
        """Start a pass in the background, or make the running one look again when done."""
        if self._stopping:
            return
        if self._background is not None and not self._background.done():
            self._again = True
            return
        self._background = asyncio.create_task(self._run_background(), name="outbox-dispatch")

    async def _run_background(self) -> None:
        while True:
            self._again = False
            try:
                await self._run_pass()
            except Exception as error:  # a database outage must not kill the wake-ups
                log.error("outbox pass failed; the next sweep retries: %s", describe_failure(error))
                return
            if not self._again or self._stopping:
                return

    async def deliver_due(self) -> DeliveryReport:
        """Send everything due now (urgent first, then by due time) and wait for the outcomes.

        Returns what was delivered since the previous call returned, including passes the
        JobQueue ran in between, so callers see every outcome exactly once. Passes never
        overlap within a process; other processes' passes claim other rows.
        """
        await self._run_pass()
        report, self._unreported = self._unreported, DeliveryReport()
        return report

    async def _run_pass(self) -> None:
        async with self._lock:
            report = DeliveryReport()
            try:
                await self._pass(report)
            finally:
                for tally in (self.totals, self._unreported):
                    tally.add(report)
        if self.on_idle is not None and not self._stopping:
            self.on_idle(await self.next_due())

    async def next_due(self) -> datetime | None:
        async with self.session_factory() as session:
            return await next_due(session)

    async def take_over_expired(self) -> None:
        """Start a pass if another process died holding rows (their lease expired)."""
        try:
            async with self.session_factory() as session:
                expired = await lease_expired(session, self.clock())
        except Exception as error:  # noqa: BLE001 - a database outage; the next check retries
            log.warning("outbox take-over check failed: %s", type(error).__name__)
            return
        if expired:
            self.kick()

    async def stop(self) -> None:
        """Finish the sends in flight, hand back rows claimed but not started, stop."""
        self._stopping = True
        if self._background is not None:
            await self._background
        async with self._lock:
            pass

    async def _pass(self, report: DeliveryReport) -> None:
        queue: asyncio.Queue[Claim] = asyncio.Queue()
        progress = asyncio.Event()
        workers = [
            asyncio.create_task(self._work(queue, progress, report), name=f"outbox-send-{n}")
            for n in range(self.options.max_in_flight)
        ]
        heartbeat = asyncio.create_task(self._heartbeat(), name="outbox-heartbeat")
        low_water = self.options.max_in_flight
        try:
            while not self._stopping:
                # Claim only what can start soon: rows must not wait out their lease here.
                while queue.qsize() > low_water and not self._stopping:
                    progress.clear()
                    await progress.wait()
                if self.pacer.paused_for > 0:
                    await asyncio.sleep(self.pacer.paused_for)
                claims = await self._claim(self.options.batch_size - queue.qsize(), report)
                if not claims:
                    if queue.qsize() > 0:
                        progress.clear()
                        await progress.wait()
                        continue
                    # Sends in flight may hand rows back (a 429): look once more after them.
                    await queue.join()
                    claims = await self._claim(self.options.batch_size, report)
                    if not claims:
                        break
                for claim in claims:
                    queue.put_nowait(claim)
        finally:
            # Stopping (or failing): rows not started go back to pending at once; sends in
            # flight are waited for, so their outcome is recorded.
            unstarted = []
            while not queue.empty():
                unstarted.append(queue.get_nowait().id)
                queue.task_done()
            try:
                await self._hand_back(unstarted)
                await queue.join()
            finally:
                for task in (*workers, heartbeat):
                    task.cancel()
                await asyncio.gather(*workers, heartbeat, return_exceptions=True)
                self._blocked_since.clear()

    async def _hand_back(self, ids: list[int]) -> None:
        for row_id in ids:
            self._held.pop(row_id, None)
        if not ids:
            return
        async with self.session_factory.begin() as session:
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_by == self.name,
                )
                .values(status=OutboxStatus.PENDING, lease_expires_at=None, claimed_by=None)
            )

    async def _work(
        self, queue: asyncio.Queue[Claim], progress: asyncio.Event, report: DeliveryReport
    ) -> None:
        while True:
            claim = await queue.get()
            progress.set()
            try:
                await self._deliver(claim, report)
            except Exception as error:
                # A bug or a database error for one row: its lease expires and it is retried.
                log.error(
                    "outbox row %s: delivery step failed: %s", claim.id, describe_failure(error)
                )
            finally:
                self._held.pop(claim.id, None)
                queue.task_done()
                progress.set()

    # -- claiming --------------------------------------------------------------------------

    async def _claim(self, limit: int, report: DeliveryReport) -> list[Claim]:
        if limit <= 0:
            return []
        now = self.clock()
        lease_end = now + self.options.lease
        self._claim_round += 1
        claim_round = self._claim_round
        async with self.session_factory.begin() as session:
            await self._reclaim_expired(session, now)
            candidates: list[Any] = list(
                (await session.execute(self._candidates(now, True, limit))).all()
            )
            if len(candidates) < limit:
                candidates += (
                    await session.execute(self._candidates(now, False, limit - len(candidates)))
                ).all()
            claims: list[Claim] = []
            deferred: dict[datetime, list[int]] = {}
            blocked: list[int] = []
            erased: list[int] = []
            for row_id, user_id, urgent, telegram_id, zone, blocked_at, erased_at in candidates:
                if telegram_id is None or erased_at is not None:
                    erased.append(row_id)
                    continue
                if blocked_at is not None:
                    blocked.append(row_id)
                    continue
                if not urgent:
                    resume = self.options.quiet_hours.resume_at(
                        now, zone or self.options.default_timezone
                    )
                    if resume is not None:
                        deferred.setdefault(resume, []).append(row_id)
                        continue
                claims.append(Claim(row_id, user_id, telegram_id, _Lease(lease_end), claim_round))
            if claims:
                await session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id.in_([claim.id for claim in claims]))
                    .values(
                        status=OutboxStatus.SENDING,
                        lease_expires_at=lease_end,
                        claimed_by=self.name,
                    )
                )
            for resume, ids in deferred.items():
                await session.execute(
                    update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(due_at=resume)
                )
            await self._finish(session, blocked, OutboxStatus.BLOCKED, BLOCKED_REASON, now)
            await self._finish(session, erased, OutboxStatus.SKIPPED, ERASED_REASON, now)
        report.deferred += sum(len(ids) for ids in deferred.values())
        report.blocked += len(blocked)
        report.skipped += len(erased)
        self._held.update((claim.id, claim) for claim in claims)
        return claims

    def _candidates(self, now: datetime, urgent: bool, limit: int) -> Executable:
        statement = (
            select(
                OutboxMessage.id,
                OutboxMessage.user_id,
                OutboxMessage.urgent,
                User.telegram_id,
                User.timezone,
                User.blocked_at,
                User.erased_at,
            )
            .join(User, User.id == OutboxMessage.user_id)
            .where(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.held.is_(False),
                OutboxMessage.urgent.is_(urgent),
                OutboxMessage.due_at <= now,
            )
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
        )
        # Several processes may claim at once on PostgreSQL: each locks the rows it picked and
        # skips rows another is claiming. SQLite serializes writers, one process at a time.
        return statement.with_for_update(skip_locked=True, of=OutboxMessage)

    async def _reclaim_expired(self, session: AsyncSession, now: datetime) -> None:
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.status == OutboxStatus.SENDING,
                OutboxMessage.lease_expires_at <= now,
            )
            .values(status=OutboxStatus.PENDING, lease_expires_at=None, claimed_by=None)
        )
        if result.rowcount:  # type: ignore[attr-defined]
            log.warning("reclaimed %s outbox rows whose lease expired", result.rowcount)  # type: ignore[attr-defined]

    async def _finish(
        self,
        session: AsyncSession,
        ids: list[int],
        status: OutboxStatus,
        reason: str,
        now: datetime,
    ) -> None:
        if ids:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(
                    status=status,
                    reason=reason,
                    finished_at=now,
                    lease_expires_at=None,
                )
            )

    # -- one row ---------------------------------------------------------------------------

    def _mine(self, claim: Claim) -> Any:
        return and_(
            OutboxMessage.id == claim.id,
            OutboxMessage.status == OutboxStatus.SENDING,
            OutboxMessage.claimed_by == self.name,
        )

    async def _record(self, claim: Claim, **values: Any) -> None:
        async with self.session_factory.begin() as session:
            await session.execute(update(OutboxMessage).where(self._mine(claim)).values(**values))

    async def _render(
        self,
        session: AsyncSession,
        user: User,
        claim: Claim,
        kind: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> Any:
        """The renderer's message, or the :class:`SkipSend` or :class:`Rejected` it raised."""
        try:
            return await self.sender.render(session, user, kind, payload, now)
        except (SkipSend, Rejected) as problem:
            return problem
        except Exception as error:
            log.error(
                "outbox row %s: renderer for %s failed: %s", claim.id, kind, describe_failure(error)
            )
            return Rejected(f"render error: {type(error).__name__}")

    def _blocked_meanwhile(self, claim: Claim) -> bool:
        return claim.claimed_in <= self._blocked_since.get(claim.user_id, 0)

    async def _deliver(self, claim: Claim, report: DeliveryReport) -> None:
        now = self.clock()
        if not await self._keep_lease(claim):
            return  # another process took it over
        # Render in a read-only transaction and record outcomes in write-only ones: on SQLite a
        # transaction that read first cannot write once another connection has committed.
        async with self.session_factory() as session:
            row = await session.get(OutboxMessage, claim.id)
            user = await session.get(User, claim.user_id)
            if row is None or user is None or row.claimed_by != self.name:
                return
            kind, payload, attempts = row.kind, dict(row.payload), row.attempts
            # Blocked since the row was claimed: a 403 here, or one another process met.
            blocked = user.blocked_at is not None or self._blocked_meanwhile(claim)
            if not blocked:
                outgoing = await self._render(session, user, claim, kind, payload, now)
            await session.rollback()
        if blocked:
            await self._record_blocked_meanwhile(claim, report)
            return
        if isinstance(outgoing, SkipSend):
            await self._record(
                claim,
                status=OutboxStatus.SKIPPED,
                reason=outgoing.reason,
                finished_at=now,
                lease_expires_at=None,
            )
            report.skipped += 1
            return
        if isinstance(outgoing, Rejected):
            await self._record(claim, **self._failure(outgoing.reason, now))
            report.failed += 1
            return

        async def pace(chat_id: int) -> None:
            await self.pacer.acquire(chat_id)
            # A 403 from this person may have come back while this part waited for its slot.
            if self._blocked_meanwhile(claim):
                raise _BlockedMeanwhile
            # Waiting for the pacer (a long 429 pause) may outlast the lease: renew it, or leave
            # the row to whoever took it over instead of sending it twice.
            if not await self._keep_lease(claim):
                raise _LeaseLost

        try:
            with outbox_sending():
                await self.sender.send(claim.chat_id, outgoing, pace)
        except _LeaseLost:
            log.warning("outbox row %s: lease lost before sending; left to its new owner", claim.id)
        except _BlockedMeanwhile:
            await self._record_blocked_meanwhile(claim, report)
        except FloodWait as flood:
            self.pacer.pause(flood.seconds)
            log.warning("429 from Telegram: all outbox sending paused for %s s", flood.seconds)
            await self._record(
                claim,
                status=OutboxStatus.PENDING,
                lease_expires_at=None,
                claimed_by=None,
                last_error=flood.reason,
            )
            report.retried += 1
        except RecipientBlocked as refusal:
            await self._recipient_blocked(claim, refusal.reason)
            report.blocked += 1
        except Rejected as rejected:
            await self._record(claim, **self._failure(rejected.reason, self.clock()))
            report.failed += 1
        except SendError as error:
            attempts += 1
            finished = self.clock()
            if attempts >= self.options.max_attempts:
                await self._record(
                    claim,
                    attempts=attempts,
                    last_error=error.reason,
                    **self._failure(f"gave up after {attempts} attempts: {error.reason}", finished),
                )
                report.failed += 1
            else:
                delay = self.options.first_retry * 2 ** (attempts - 1)
                await self._record(
                    claim,
                    status=OutboxStatus.PENDING,
                    attempts=attempts,
                    last_error=error.reason,
                    due_at=finished + delay,
                    lease_expires_at=None,
                    claimed_by=None,
                )
                report.retried += 1
            log.info(
                "outbox row %s: attempt %s failed (%s)", claim.id, attempts, type(error).__name__
            )
        else:
            finished = self.clock()
            await self._record(
                claim,
                status=OutboxStatus.SENT,
                attempts=attempts + 1,
                sent_at=finished,
                finished_at=finished,
                lease_expires_at=None,
            )
            report.sent += 1

    @staticmethod
    def _failure(reason: str, now: datetime) -> dict[str, Any]:
        return {
            "status": OutboxStatus.FAILED,
            "reason": reason,
            "finished_at": now,
            "lease_expires_at": None,
        }

    async def _keep_lease(self, claim: Claim) -> bool:
        """True while the row is still ours: renews the lease once half of it has passed (the
        heartbeat normally renews it long before)."""
        lease = claim.lease
        now = self.clock()
        if now < lease.expires_at - self.options.lease / 2:
            return True
        expires_at = now + self.options.lease
        async with self.session_factory.begin() as session:
            result = await session.execute(
                update(OutboxMessage).where(self._mine(claim)).values(lease_expires_at=expires_at)
            )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        lease.expires_at = expires_at
        return True

    async def _heartbeat(self) -> None:
        """Renews the leases of every row this process holds, for as long as the pass runs."""
        while True:
            await asyncio.sleep(self.options.heartbeat.total_seconds())
            try:
                await self._renew_leases()
            except Exception as error:  # noqa: BLE001 - each send still checks its own lease
                log.warning("outbox leases not renewed: %s", type(error).__name__)

    async def _renew_leases(self) -> None:
        ids = list(self._held)
        if not ids:
            return
        expires_at = self.clock() + self.options.lease
        async with self.session_factory.begin() as session:
            renewed = await session.scalars(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id.in_(ids),
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.claimed_by == self.name,
                )
                .values(lease_expires_at=expires_at)
                .returning(OutboxMessage.id)
                .execution_options(synchronize_session=False)
            )
            renewed_ids = list(renewed)
        # Only rows still ours: one another process took over keeps its old, expired lease,
        # so its send checks the database and finds it lost.
        for row_id in renewed_ids:
            claim = self._held.get(row_id)
            if claim is not None:
                claim.lease.expires_at = max(claim.lease.expires_at, expires_at)

    async def _record_blocked_meanwhile(self, claim: Claim, report: DeliveryReport) -> None:
        await self._record(
            claim,
            status=OutboxStatus.BLOCKED,
            reason=BLOCKED_REASON,
            finished_at=self.clock(),
            lease_expires_at=None,
        )
        report.blocked += 1

    async def _recipient_blocked(self, claim: Claim, reason: str) -> None:
        """403: the person opted out. Record it on their account and stop every pending send
        to them, so the bot does not keep knocking. Their rows this process claimed already are
        not sent either (see ``_blocked_meanwhile``)."""
        now = self.clock()
        # Before the write and after it: a claim that read the account while it was being
        # written took an unblocked person.
        self._blocked_since[claim.user_id] = self._claim_round
        async with self.session_factory.begin() as session:
            # Writes first (see _deliver), the account last.
            await session.execute(
                update(OutboxMessage)
                .where(self._mine(claim))
                .values(
                    status=OutboxStatus.BLOCKED,
                    reason=reason,
                    finished_at=now,
                    lease_expires_at=None,
                )
            )
            await session.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.user_id == claim.user_id,
                    OutboxMessage.status == OutboxStatus.PENDING,
                )
                .values(status=OutboxStatus.BLOCKED, reason=BLOCKED_REASON, finished_at=now)
            )
            user = await session.get(User, claim.user_id)
            if user is not None and user.blocked_at is None:
                mark_blocked(user, now)
        self._blocked_since[claim.user_id] = self._claim_round
