"""Yearly progress: reporting periods open by themselves, members are reminded 30, 7 and 1 days
before the deadline after their quiet hours, a report takes values, a narrative and evidence,
reviewers judge each metric, and a missed deadline shows as not reporting."""

import hashlib
from datetime import UTC, datetime

from sqlalchemy import select

from accounts.models import User
from delivery.models import OutboxMessage
from demo.runner import BotRunner
from handlers.runtime.sweeps import sweep_pledges
from pledges import service
from pledges.models import Company, Decision, EvidenceKind, PeriodStatus
from tests.conftest import ADMIN_ID
from tests.flows import button_with
from tests.pledge_flows import (
    accept,
    company_with_pledge,
    outbox_rows,
    periods,
    person,
    pledge,
    report_of,
)

PHOTO = b"\xff\xd8\xff\xe0 recycled-content audit"
MEGABYTE = 1024 * 1024


def _current(person: object, message: object) -> str:
    """A message's text as it reads now (after edits)."""
    found = [m for m in person.messages if m.message_id == message.message_id]  # type: ignore[attr-defined]
    return str(found[-1].text)


async def _reporting_company(bot: BotRunner) -> tuple[int, int, User, User]:
    founder = await person(bot, 7301, language="en")
    colleague = await person(bot, 7302, language="th")
    company_id, pledge_id = await company_with_pledge(bot, [founder, colleague])
    await accept(bot, pledge_id, now=bot.clock())
    return company_id, pledge_id, founder, colleague


async def test_reminders_report_with_evidence_and_per_metric_verdicts(bot: BotRunner) -> None:
    company_id, pledge_id, _, colleague = await _reporting_company(bot)
    ann = bot.server.user(7301, first_name="Ann", language_code="en")
    kanya = bot.server.user(7302, first_name="Kanya", language_code="th")
    await bot.do(ann.send_command("help"))
    await bot.do(kanya.send_command("help"))

    # The year the pledge was accepted ended: its period opens, due 31 March, reminders queued.
    bot.clock.now = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)
    await sweep_pledges(bot.application)
    [period] = await periods(bot, pledge_id)
    assert (period.year, period.deadline.isoformat()) == (2026, "2027-03-31")
    assert period.status == PeriodStatus.OPEN
    reminders = await outbox_rows(bot, service.Kind.REPORT_DUE)
    assert sorted(row.payload["days"] for row in reminders) == [1, 1, 7, 7, 30, 30]
    await sweep_pledges(bot.application)  # a second sweep queues nothing twice
    assert len(await outbox_rows(bot, service.Kind.REPORT_DUE)) == 6

    # 30 days before the deadline is midnight in Bangkok: the reminder waits until 08:00.
    mark_ann, mark_kanya = ann.mark(), kanya.mark()
    bot.clock.now = datetime(2027, 3, 1, 17, 30, tzinfo=UTC)
    await bot.deliver_due()
    assert ann.inbox_since(mark_ann) == []
    bot.clock.now = datetime(2027, 3, 2, 1, 5, tzinfo=UTC)
    await bot.deliver_due()
    [reminder] = ann.inbox_since(mark_ann)
    assert "your progress report on 2026 is due by March 31, 2027" in reminder.text
    assert "30 days left." in reminder.text
    thai = bot.catalogs.translator("th")
    [thai_reminder] = kanya.inbox_since(mark_kanya)
    assert (
        thai.ngettext("{count} day left.", "{count} days left.", 30).format(count="30")
        in thai_reminder.text
    )

    # The report, from the reminder's button.
    await bot.do(ann.press("Write the progress report", reminder))
    assert "Virgin plastic reduction (target 20% by 2030)" in ann.last.text
    await bot.do(ann.send_sticker())
    assert "Please type a number: a percentage from 0 to 100" in ann.last.text
    await bot.do(ann.send_text("150"))
    assert "A percentage cannot be above 100" in ann.last.text
    await bot.do(ann.send_text("12"))
    assert "Post-consumer recycled content" in ann.last.text
    # Stopping loses nothing: the reminder's button goes on with the next metric.
    await bot.do(ann.send_command("cancel"))
    assert "Everything you gave is saved" in ann.last.text
    await bot.do(ann.press("Write the progress report", reminder))
    assert "Post-consumer recycled content" in ann.last.text
    await bot.do(ann.send_text("14.5"))
    assert "Problematic items eliminated" in ann.last.text
    await bot.do(ann.send_text("2.5"))
    assert "Please give a whole number" in ann.last.text
    await bot.do(ann.send_text("2"))
    assert "In a few sentences" in ann.last.text
    await bot.do(ann.send_text("We moved two product lines to recycled PET."))
    assert "Send evidence" in ann.last.text

    await bot.do(ann.send_document(b"\0" * (50 * MEGABYTE), "audit-scan.pdf", "application/pdf"))
    assert "That file is 50 MB; evidence files can be up to 20 MB" in ann.last.text
    await bot.do(ann.send_photo(PHOTO))
    assert "1 evidence file added." in ann.last.text
    await bot.do(ann.send_photo(PHOTO))
    assert "You sent that file already" in ann.last.text
    await bot.do(ann.press("Continue"))
    summary = ann.last.text
    assert "Virgin plastic reduction: 12% (on track; target 20% by 2030)" in summary
    assert "Post-consumer recycled content: 14.5% (behind; target 30% by 2027)" in summary
    assert "1 evidence file" in summary
    await bot.do(ann.press("Submit the report"))
    assert "was submitted" in ann.last.text

    report = await report_of(bot, period.id)
    assert report is not None and report.submitted_at == bot.clock()
    [evidence] = report.evidence
    assert evidence.kind == EvidenceKind.PHOTO
    assert evidence.content_hash == hashlib.sha256(PHOTO).hexdigest()
    assert (await periods(bot, pledge_id))[0].status == PeriodStatus.REPORTED
    # The 7- and 1-day reminders are dropped once the report is in.
    mark_ann = ann.mark()
    bot.clock.now = datetime(2027, 3, 31, 2, 0, tzinfo=UTC)
    await bot.deliver_due()
    assert ann.inbox_since(mark_ann) == []

    # The reviewer sees the evidence and judges each metric.
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("review"))
    assert "1 progress report" in admin.last.text
    await bot.do(admin.press(button_with(admin, "Report on 2026: Siam Fresh Foods")))
    assert "not judged yet" in admin.last.text
    screen = admin.last
    await bot.do(admin.press("Show the evidence", screen))
    assert admin.last.method == "sendPhoto"
    await bot.do(admin.press("✅ 1", screen))
    assert "✅ verified" in _current(admin, screen)
    await bot.do(admin.press("❌ 2", screen))
    assert "Why is Post-consumer recycled content not aligned?" in admin.last.text
    reason = "The recycled share counts pre-consumer scrap."
    await bot.do(admin.send_text(reason))
    assert "Marked not aligned" in admin.inbox_since(0)[-2].text
    async with bot.session_factory() as session:
        standing = await service.verdicts(session, report.id)
    stored = await pledge(bot, pledge_id)
    first, second, _ = stored.commitments
    assert standing == {first.id: Decision.VERIFIED, second.id: Decision.NOT_ALIGNED}

    mark_kanya = kanya.mark()
    await bot.deliver_due()
    told = [message.text for message in kanya.inbox_since(mark_kanya)]
    assert len(told) == 2
    assert any(reason in text for text in told)

    # Needs evidence: the members add a file and submit again, and the report is back in the queue.
    mark_ann = ann.mark()
    await bot.do(admin.press("❓ 3", screen))
    await bot.do(admin.send_command("review"))
    assert admin.last.text == "Nothing is waiting for review."
    await bot.deliver_due()
    [asked] = [m for m in ann.inbox_since(mark_ann) if "needs evidence" in (m.text or "")]
    bot.clock.advance(hours=1)
    await bot.do(ann.press("Open the progress report", asked))
    await bot.do(ann.press("Add evidence"))
    await bot.do(ann.send_document(b"%PDF-1.4 items audit", "items-audit.pdf", "application/pdf"))
    assert "2 evidence files added." in ann.last.text
    await bot.do(ann.press("Continue"))
    await bot.do(ann.press("Submit again"))
    await bot.do(admin.send_command("review"))
    assert "1 progress report" in admin.last.text

    # A former member's old reminder button is refused.
    async with bot.session_factory() as session, session.begin():
        leaving = await session.get(User, colleague.id)
        assert leaving is not None
        left = await session.get(Company, company_id)
        assert left is not None
        await service.leave(session, left, leaving, now=bot.clock())
    await bot.do(kanya.press(thai._("Write the progress report"), thai_reminder))
    assert kanya.callback_answers[-1].get("text") == thai._(
        "Only members of the company can do that."
    )


async def test_reminders_7_and_1_days_before_then_a_missed_deadline_is_not_reporting(
    bot: BotRunner,
) -> None:
    company_id, pledge_id, _, _ = await _reporting_company(bot)
    kanya = bot.server.user(7302, first_name="Kanya", language_code="th")
    await bot.do(kanya.send_command("help"))
    thai = bot.catalogs.translator("th")
    bot.clock.now = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)
    await sweep_pledges(bot.application)
    # The brand audit's figure, as the reminders carry it when cleanups counted the brands.
    async with bot.session_factory() as session, session.begin():
        for row in await session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == service.Kind.REPORT_DUE)
        ):
            row.payload = {**row.payload, "brand_items_found": 3}
    brands_line = thai.ngettext(
        "{count} item of your brands was found at partnership cleanups.",
        "{count} items of your brands were found at partnership cleanups.",
        3,
    ).format(count=thai.number(3))
    for days, morning in (
        (30, datetime(2027, 3, 2, 1, 5, tzinfo=UTC)),
        (7, datetime(2027, 3, 25, 1, 5, tzinfo=UTC)),
        (1, datetime(2027, 3, 31, 1, 5, tzinfo=UTC)),
    ):
        # Each falls due at midnight in Bangkok, and is sent after the quiet hours.
        mark = kanya.mark()
        bot.clock.now = morning.replace(hour=0)
        await bot.deliver_due()
        assert kanya.inbox_since(mark) == []
        bot.clock.now = morning
        await bot.deliver_due()
        [reminder] = kanya.inbox_since(mark)
        left = thai.ngettext("{count} day left.", "{count} days left.", days)
        assert left.format(count=thai.number(days)) in reminder.text
        assert brands_line in reminder.text
    # 31 March ends at 17:00 UTC in Bangkok.
    bot.clock.now = datetime(2027, 3, 31, 16, 59, tzinfo=UTC)
    await sweep_pledges(bot.application)
    assert (await periods(bot, pledge_id))[0].status == PeriodStatus.OPEN
    bot.clock.now = datetime(2027, 3, 31, 17, 0, tzinfo=UTC)
    await sweep_pledges(bot.application)
    assert (await periods(bot, pledge_id))[0].status == PeriodStatus.NOT_REPORTING
    async with bot.session_factory() as session:
        found = await session.get(Company, company_id)
        public, _ = await service.current_pledges(session, company_id)
        assert found is not None and public is not None
        assert (await service.card(session, found, public)).standing == "not_reporting"
