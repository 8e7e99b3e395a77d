"""The demo's pledges part: Dewi registers her company and pledges in Indonesian, Lin becomes a
reviewer, asks for one change and accepts the resubmitted pledge; after the Bang Saen cleanup's
brand audit, a year later the report reminder names the items found, Dewi reports with a photo,
Lin judges each figure, and /pledges shows the registry and the company's card with its chart."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from demo.runner import BotRunner
from demo.transcript import Transcript
from handlers.pledges.pledge_texts import METRIC_LABELS, SECTOR_LABELS, SIZE_LABELS
from handlers.runtime.sweeps import sweep_pledges
from pledges.models import (
    VERDICTS,
    Company,
    Metric,
    Pledge,
    PledgeStatus,
    ProgressReport,
    ReviewDecision,
    Sector,
    SizeBand,
)

BRANDS = "Laut Segar, Kopi Pantai"
# The cleanup's volunteers type the brand as it is printed on the wrappers, not as registered.
BRAND_AS_TYPED = "LAUT ségar"
# The year the pledge was accepted ended: the hourly sweep opens its reporting period.
NEW_YEAR = datetime(2027, 1, 2, 3, 0, tzinfo=UTC)
# 30 days before the deadline (the end of 31 March in Makassar), at 10:00 there.
MONTH_BEFORE = datetime(2027, 3, 2, 2, 0, tzinfo=UTC)
REVIEW_DAY = datetime(2027, 3, 4, 3, 0, tzinfo=UTC)
PHOTO = b"\xff\xd8\xff\xe0 Laut Segar refill station, Makassar"


def _button(person: Any, part: str) -> str:
    return next(text for row in person.last.buttons for text, _ in row if part in text)


async def _tap(show: Transcript, person: Any, part: str) -> None:
    label = _button(person, part)
    await show.act(person, f"taps [{label}]", person.press(label))


async def _say(show: Transcript, person: Any, text: str) -> None:
    await show.act(person, text, person.send_text(text))


async def pledge_scenes(
    runner: BotRunner, show: Transcript, *, dewi: Any, lin: Any, admin: Any
) -> None:
    """Before the cleanup: the company, its pledge, one change asked for, and its acceptance."""
    t = runner.catalogs.translator("id")

    show.scene("Dewi registers PT Laut Bersih with /company, and its brands")
    await show.act(dewi, "/company", dewi.send_command("company"))
    await _tap(show, dewi, t._("Register a company"))
    await _say(show, dewi, "PT Laut Bersih")
    await _tap(show, dewi, t.country_name("ID"))
    await _tap(show, dewi, t._(SECTOR_LABELS[Sector.CONSUMER_GOODS]))
    await _tap(show, dewi, t._(SIZE_LABELS[SizeBand.MEDIUM]))
    await _say(show, dewi, BRANDS)
    await _tap(show, dewi, t._("Yes, show them"))

    show.scene("Dewi writes the pledge: baseline 2023, three commitments, a public statement")
    await _tap(show, dewi, t._("Make a pledge"))
    await _say(show, dewi, "2023")
    await _say(show, dewi, "850")
    await _tap(show, dewi, t._(METRIC_LABELS[Metric.VIRGIN_REDUCTION]))
    await _say(show, dewi, "25")
    await _say(show, dewi, "2030")
    await _tap(show, dewi, t._(METRIC_LABELS[Metric.RECYCLED_CONTENT]))
    await _say(show, dewi, "8")
    await _say(show, dewi, "30")
    await _say(show, dewi, "2030")
    await _tap(show, dewi, t._(METRIC_LABELS[Metric.REUSE_MODELS]))
    await _say(show, dewi, "Stasiun isi ulang untuk sabun dan minyak goreng")
    await _say(show, dewi, "12")
    await _say(show, dewi, "2028")
    await _tap(show, dewi, t._("Continue"))
    await _say(
        show,
        dewi,
        "Kami mengurangi plastik baru seperempat pada 2030 dan membuka 12 stasiun isi ulang.",
    )
    await _tap(show, dewi, t._("Submit"))

    show.scene("The administrator makes Lin a pledge reviewer; she asks for one change")
    await show.act(
        admin, f"/grantreviewer {lin.id}", admin.send_command("grantreviewer", str(lin.id))
    )
    print(f"    → to Lin: {lin.last.text}")
    await show.act(lin, "/review", lin.send_command("review"))
    await _tap(show, lin, "PT Laut Bersih")
    await _tap(show, lin, "Ask for changes")
    await _say(
        show,
        lin,
        "Please bring the recycled content target forward to 2028, as the regional pact asks.",
    )
    await show.deliveries("the outbox tells the company's members", [dewi])

    show.scene("Two hours later, Dewi edits the commitment and resubmits; Lin accepts")
    runner.clock.advance(hours=2)
    await show.act(dewi, "/company", dewi.send_command("company"))
    await _tap(show, dewi, t._("Edit and resubmit"))
    await _tap(show, dewi, t._("Change commitments"))
    await _tap(show, dewi, "✓ " + t._(METRIC_LABELS[Metric.RECYCLED_CONTENT]))
    await _say(show, dewi, "8")
    await _say(show, dewi, "30")
    await _say(show, dewi, "2028")
    await _tap(show, dewi, t._("Continue"))
    await _tap(show, dewi, t._("Submit"))
    await show.act(lin, "/review", lin.send_command("review"))
    await _tap(show, lin, "PT Laut Bersih")
    await _tap(show, lin, "Accept")
    await show.deliveries("the outbox tells the company's members", [dewi])


async def brand_audit(runner: BotRunner, show: Transcript, volunteer: Any) -> None:
    """On the cleanup's data card, before Submit: wrappers of Dewi's brand, typed as printed."""
    t = runner.catalogs.translator("th")
    await _tap(show, volunteer, t._("Add brand audit"))
    await _say(show, volunteer, BRAND_AS_TYPED)
    await _say(show, volunteer, "37")
    await _tap(show, volunteer, t._("Done with brands"))


async def pledge_year_scenes(runner: BotRunner, show: Transcript, *, dewi: Any, lin: Any) -> None:
    """After the cleanup: the brand figure, a year's report, its verdicts and the registry."""
    t = runner.catalogs.translator("id")

    show.scene("Dewi's company card now counts her brand's items found at Bang Saen")
    await show.act(dewi, "/company", dewi.send_command("company"))
    await _tap(show, dewi, t._("Public card"))

    show.scene("A year later: the reporting period opens and the reminder names the brand count")
    runner.clock.now = NEW_YEAR
    await show.meanwhile(
        dewi, "the hourly sweep opens the 2026 reporting period", sweep_pledges(runner.application)
    )
    runner.clock.now = MONTH_BEFORE
    await show.deliveries("2 March 2027, 10:00 in Makassar: 30 days before the deadline", [dewi])

    show.scene("Dewi reports her figures with a photo of a refill station as evidence")
    await _tap(show, dewi, t._("Write the progress report"))
    await _say(show, dewi, "11")
    await _say(show, dewi, "19")
    await _say(show, dewi, "4")
    await _say(
        show,
        dewi,
        "Empat stasiun isi ulang dibuka di Makassar; kemasan baru memakai 19% daur ulang.",
    )
    await show.act(dewi, "sends a photo of a refill station", dewi.send_photo(PHOTO))
    await _tap(show, dewi, t._("Continue"))
    await _tap(show, dewi, t._("Submit the report"))

    show.scene("Lin verifies two figures and finds one not aligned; Dewi is told")
    runner.clock.now = REVIEW_DAY
    await show.act(lin, "/review", lin.send_command("review"))
    await _tap(show, lin, "PT Laut Bersih")
    screen = lin.last
    await show.act(lin, "taps [Show the evidence]", lin.press("Show the evidence", screen))
    await show.act(lin, "taps [✅ 1]", lin.press("✅ 1", screen))
    await show.act(lin, "taps [❌ 2]", lin.press("❌ 2", screen))
    await _say(
        show,
        lin,
        "The 19% counts pre-consumer scrap; post-consumer recycled content needs a supplier "
        "certificate.",
    )
    await show.act(lin, "taps [✅ 3]", lin.press("✅ 3", screen))
    await show.deliveries("the outbox tells the company's members", [dewi])

    show.scene("Anyone opens the public registry with /pledges, and the company's card")
    await show.act(lin, "/pledges", lin.send_command("pledges"))
    await _tap(show, lin, "PT Laut Bersih")


async def pledge_summary(runner: BotRunner) -> None:
    async with runner.session_factory() as session:
        companies = await session.scalar(select(func.count()).select_from(Company))
        accepted = await session.scalar(
            select(func.count()).where(Pledge.status == PledgeStatus.ACCEPTED)
        )
        reports = await session.scalar(select(func.count()).select_from(ProgressReport))
        verdicts = (
            await session.execute(
                select(ReviewDecision.decision, func.count())
                .where(ReviewDecision.decision.in_(VERDICTS))
                .group_by(ReviewDecision.decision)
            )
        ).all()
    print(
        f"  pledges: {companies} company(ies), {accepted} accepted pledge(s), "
        f"{reports} progress report(s); verdicts: "
        + (", ".join(f"{count} {verdict}" for verdict, count in sorted(verdicts)) or "none")
    )
