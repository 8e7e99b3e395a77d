"""The public pledge registry, brand audits and roundtable audiences through the real bot and the
sandbox: /pledges with filters and pages, a company's card with its progress chart, exports for
organizers only, the data card's brand audit matched to companies' brands, the figures on the
card and in the yearly reminder, and broadcasts to companies' members — on SQLite and
PostgreSQL. Companies and pledges are set up through the pledges domain."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accounts.models import AccessRole, ConsentPurpose, User
from demo.runner import BotRunner
from events.privacy import personal_data
from handlers.cleanup.flow import BRAND
from handlers.pledges.actions import COMPANY_CARD
from handlers.pledges.registry import EXPORT
from pledges import service
from pledges.models import BrandCount, Company, Decision, Metric, Pledge, ReportingPeriod
from sandbox import SandboxUser
from tests.cleanup_fixtures import make_cleanup, register
from tests.conftest import ADMIN_ID
from tests.flows import button_with, labels, onboard
from tests.pledges_setup import accepted_pledge, details, person

ACCEPTED = datetime(2025, 5, 1, 3, 0, tzinfo=UTC)
NEWS = (ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.NEWS)
REVIEWER_ID = 9100


def codec(bot: BotRunner) -> Any:
    return bot.application.bot_data["services"].codec


async def user_of(session: AsyncSession, telegram_id: int) -> User:
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    assert user is not None
    return user


async def reviewer_in(session: AsyncSession) -> User:
    existing = await session.scalar(select(User).where(User.telegram_id == REVIEWER_ID))
    return existing or await person(session, REVIEWER_ID, role=AccessRole.REVIEWER)


async def pledged(
    session: AsyncSession,
    founder: User,
    name: str,
    *,
    country: str = "TH",
    sector: str = "consumer_goods",
    brands: tuple[str, ...] = (),
    public_brands: bool = False,
    accept: bool = True,
) -> tuple[Company, Pledge]:
    company = await service.register_company(
        session,
        details(
            names={"en": name},
            country=country,
            sector=sector,
            brands=list(brands),
            public_brand_aggregates=public_brands,
        ),
        founder=founder,
        now=ACCEPTED,
    )
    if accept:
        pledge = await accepted_pledge(
            session, company, founder, await reviewer_in(session), now=ACCEPTED
        )
    else:
        pledge = await service.start_pledge(session, company, by=founder, now=ACCEPTED)
    return company, pledge


async def report_verified(
    session: AsyncSession, pledge: Pledge, founder: User, value: float, now: datetime
) -> None:
    """The 2025 report with recycled content at ``value``, verified."""
    period = await session.scalar(
        select(ReportingPeriod).where(
            ReportingPeriod.pledge_id == pledge.id, ReportingPeriod.year == 2025
        )
    )
    assert period is not None
    report = await service.start_report(session, period, by=founder, now=now)
    recycled = next(c for c in pledge.commitments if c.metric == Metric.RECYCLED_CONTENT)
    await service.record_values(session, report, {recycled.id: value}, by=founder, now=now)
    await service.submit_report(session, report, by=founder, now=now)
    await service.judge_metric(
        session,
        report,
        recycled,
        verdict=Decision.VERIFIED,
        reviewer=await reviewer_in(session),
        admin_ids=frozenset(),
        now=now,
    )


async def visitor(bot: BotRunner, telegram_id: int, **onboarding: Any) -> SandboxUser:
    user = bot.server.user(telegram_id, first_name=f"V{telegram_id}", language_code="en")
    await onboard(bot, user, **onboarding)
    return user


def company_buttons(user: SandboxUser, names: set[str]) -> set[str]:
    return {text for text in labels(user) if text in names}


async def test_registry_filters_pages_and_shows_accepted_pledges_only(bot: BotRunner) -> None:
    thai = {f"Thai Company {letter}" for letter in "ABCDEF"}
    async with bot.session_factory() as session, session.begin():
        for number, name in enumerate(sorted(thai)):
            await pledged(session, await person(session, 7001 + number), name)
        await pledged(
            session, await person(session, 7010), "Jakarta Retail", country="ID", sector="retail"
        )
        _, hidden = await pledged(
            session, await person(session, 7011), "Hidden Drafts", accept=False
        )
        submitted, _ = await pledged(
            session, await person(session, 7012), "Under Review", accept=False
        )
    everyone = thai | {"Jakarta Retail", "Hidden Drafts", "Under Review"}
    mali = await visitor(bot, 7100)

    await bot.do(mali.send_command("pledges"))
    text = mali.last.text
    assert "Public registry of plastic pledges" in text
    assert "7 companies pledged" in text and "8,400 t of plastic packaging covered" in text
    assert "Page 1 of 2" in text
    first_page = company_buttons(mali, everyone)
    assert len(first_page) == 5 and "Hidden Drafts" not in text and "Under Review" not in text
    assert not any("Export" in label for label in labels(mali)), "participants get no export"

    await bot.do(mali.press("Next ▶"))
    second_page = company_buttons(mali, everyone)
    assert "Page 2 of 2" in mali.last.text
    assert first_page | second_page == thai | {"Jakarta Retail"}

    await bot.do(mali.press("Country"))
    assert set(labels(mali)) >= {"Thailand (6)", "Indonesia (1)"}
    await bot.do(mali.press("Indonesia (1)"))
    assert company_buttons(mali, everyone) == {"Jakarta Retail"}
    assert "Country: Indonesia" in mali.last.text
    await bot.do(mali.press("Sector"))
    assert labels(mali)[:2] == ["Consumer goods (6)", "Retail (1)"]
    await bot.do(mali.press("Consumer goods (6)"))
    assert "No accepted pledge matches yet." in mali.last.text, "Indonesia and consumer goods"
    await bot.do(mali.press("All countries and sectors"))
    assert "Page 1 of 2" in mali.last.text

    # A company whose pledge is not public has no card, even through a forged button.
    for company_id in (hidden.company_id, submitted.id):
        await bot.do(mali.press_data(codec(bot).encode(7100, COMPANY_CARD, company_id)))
        assert (
            mali.callback_answers[-1]["text"]
            == "This company has no pledge in the public registry."
        )
    # The export is refused on the server to a participant, whatever the button.
    before = len(mali.messages)
    await bot.do(mali.press_data(codec(bot).encode(7100, EXPORT, "csv")))
    assert mali.callback_answers[-1]["text"] == (
        "Only organizers and reviewers can export the registry."
    )
    assert len(mali.messages) == before

    admin = await visitor(bot, ADMIN_ID)
    await bot.do(admin.send_command("pledges"))
    await bot.do(admin.press("Export CSV"))
    document = admin.last.document
    assert document is not None and document.filename is not None
    assert document.filename.endswith(".csv") and document.data.startswith(b"\xef\xbb\xbf")
    assert b"Thai Company A" in document.data and b"Hidden Drafts" not in document.data
    await bot.do(admin.press("Export XLSX", admin.messages[-2]))
    document = admin.last.document
    assert document is not None and document.filename is not None
    assert document.filename.endswith(".xlsx") and document.data.startswith(b"PK")


async def test_company_card_with_verified_figure_standing_and_chart(bot: BotRunner) -> None:
    now = bot.clock.now
    async with bot.session_factory() as session, session.begin():
        founder = await person(session, 7201)
        _, pledge = await pledged(session, founder, "Siam Fresh Foods")
        await pledged(session, await person(session, 7202), "Late Lagoon Co")
        await service.open_reporting_periods(session, now=now, fallback_zone="UTC")
        # Recycled content from 5% (2022) to 30% (2027): 20% expected in 2025.
        await report_verified(session, pledge, founder, 21, now)
    mali = await visitor(bot, 7300)
    await bot.do(mali.send_command("pledges"))
    registry = mali.last
    await bot.do(mali.press("Siam Fresh Foods"))
    card, chart = mali.messages[-2:]
    assert card.text.startswith("Siam Fresh Foods\nThailand · Consumer goods\nStatus: on track")
    assert "We halve our virgin plastic by 2030." in card.text
    assert "Post-consumer recycled content: 30% by 2027" in card.text
    assert "Latest verified: 21% in 2025, on track" in card.text
    assert "Problematic items eliminated: 3 by 2025 (PS/EPS, straws, plastic-lined paper cups)" in (
        card.text
    )
    assert "Items of its brands" not in card.text, "brand figures are for members and reviewers"
    assert chart.method == "sendPhoto" and chart.text == "Progress of Siam Fresh Foods"
    assert chart.photo is not None and chart.photo.startswith(b"\x89PNG")

    await bot.do(mali.press("Late Lagoon Co", registry))
    assert "Status: not reporting" in mali.messages[-2].text


async def test_brand_audit_matches_companies_brands_and_shows_on_their_cards(
    bot: BotRunner,
) -> None:
    event_id = await make_cleanup(bot)
    nok = await visitor(bot, 7401)
    await register(bot, event_id, 7401)
    owner = await visitor(bot, 7402)
    async with bot.session_factory() as session, session.begin():
        siam, _ = await pledged(
            session, await user_of(session, 7402), "Siam Fresh Foods", brands=("Siam Fresh",)
        )
        await pledged(
            session,
            await person(session, 7403),
            "Café Bleu Group",
            brands=("Café Bleu",),
            public_brands=True,
        )

    await bot.do(nok.send_command("report"))
    for figure in ("2", "5", "4", "300"):
        await bot.do(nok.send_text(figure))
    await bot.do(nok.press("Continue without tally"))
    await bot.do(nok.press("Add brand audit"))
    assert "Which brand was printed" in nok.last.text
    assert {"Siam Fresh", "Café Bleu"} <= set(labels(nok))
    brand_prompt = nok.last

    # A suggestion of a company that is gone (or a forged one) is refused; nothing changes.
    await bot.do(nok.press_data(codec(bot).encode(7401, BRAND, 99999, 0)))
    assert nok.callback_answers[-1]["text"] == "That brand is no longer offered. Please type it."
    await bot.do(nok.send_text("!!! ???"))
    assert nok.last.text == "Please type the brand with its letters, for example Siam Fresh."
    await bot.do(nok.press("Siam Fresh", brand_prompt))
    assert "How many items carried the brand Siam Fresh?" in nok.last.text
    await bot.do(nok.send_sticker())
    assert "Please type a number" in nok.last.text, "a sticker where a count is expected"
    await bot.do(nok.send_text("7"))
    assert nok.last.text.startswith("Siam Fresh: 7 items so far.")
    # Typed another way, with or without accents, it is the registered brand.
    await bot.do(nok.send_text("CAFE  BLEU"))
    assert "How many items carried the brand Café Bleu?" in nok.last.text
    await bot.do(nok.send_text("3"))
    await bot.do(nok.send_text("siam frésh"))
    await bot.do(nok.send_text("2"))
    assert nok.last.text.startswith("Siam Fresh: 9 items so far.")
    await bot.do(nok.send_text("Nestlé Pure Life"))
    await bot.do(nok.send_text("4"))
    await bot.do(nok.press("Done with brands"))
    confirmation = nok.last.text
    assert "Brand audit\n• Siam Fresh: 9\n• Nestlé Pure Life: 4\n• Café Bleu: 3" in confirmation
    await bot.do(nok.press("Submit"))
    assert "is in." in nok.last.text

    async with bot.session_factory() as session:
        counted = {
            (row.brand, row.brand_key, row.count, row.country, row.year)
            for row in await session.scalars(select(BrandCount))
        }
    assert counted == {
        ("Siam Fresh", "siamfresh", 9, "TH", 2026),
        ("Café Bleu", "cafebleu", 3, "TH", 2026),
        ("Nestlé Pure Life", "nestlepurelife", 4, "TH", 2026),
    }

    async with bot.session_factory() as session:
        (data_card,) = (await personal_data(session, await user_of(session, 7401)))[
            "cleanup_data_cards"
        ]
    assert data_card["brands"] == {"Siam Fresh": 9, "Café Bleu": 3, "Nestlé Pure Life": 4}, (
        "/mydata holds the brand audit the person sent"
    )

    # Its member sees the items of its brands by country and year; the public does not.
    await bot.do(owner.send_command("pledges"))
    await bot.do(owner.press("Siam Fresh Foods"))
    assert "Items of its brands found at partnership cleanups\n• Thailand, 2026: 9 items" in (
        owner.messages[-2].text
    )
    assert "by brand" not in owner.messages[-2].text, "Siam Fresh did not agree to publish"
    await bot.do(nok.send_command("pledges"))
    registry = nok.last
    await bot.do(nok.press("Siam Fresh Foods"))
    assert "Items" not in nok.messages[-2].text.split("Commitments")[1].replace(
        "items eliminated", ""
    )
    # A company that agreed shows its brands' figures to everyone.
    await bot.do(nok.press("Café Bleu Group", registry))
    card = nok.messages[-2].text
    assert "Items found at cleanups, by brand\n• Café Bleu: 3" in card
    assert "partnership cleanups" not in card, "by country and year is for insiders"

    # The yearly reminder for 2026 carries the figure.
    reminder_time = datetime(2027, 1, 10, tzinfo=UTC)
    async with bot.session_factory() as session, session.begin():
        siam_pledge = await session.scalar(select(Pledge).where(Pledge.company_id == siam.id))
        assert siam_pledge is not None
        siam_pledge.accepted_at = datetime(2026, 2, 1, tzinfo=UTC)
        await service.open_reporting_periods(session, now=reminder_time, fallback_zone="UTC")
        items = await service.report_reminder_items(session, now=reminder_time)
    found = {
        item.payload["brand_items_found"] for item in items if item.payload["company_id"] == siam.id
    }
    assert found == {9}


async def test_roundtable_broadcast_reaches_members_of_companies_not_reporting(
    bot: BotRunner,
) -> None:
    late = await visitor(bot, 7501, consents=NEWS)
    punctual = await visitor(bot, 7502, consents=NEWS)
    outsider = await visitor(bot, 7503, consents=NEWS)
    now = bot.clock.now
    async with bot.session_factory() as session, session.begin():
        await pledged(session, await user_of(session, 7501), "Late Lagoon Co")
        founder = await user_of(session, 7502)
        _, pledge = await pledged(session, founder, "Punctual Pier Ltd")
        await service.open_reporting_periods(session, now=now, fallback_zone="UTC")
        await report_verified(session, pledge, founder, 21, now)

    org = bot.server.user(ADMIN_ID, first_name="Ada", language_code="en")
    await bot.do(org.send_command("broadcast"))
    await bot.do(org.press("English"))
    await bot.do(org.send_text("Business roundtable on reuse, 12 December"))
    await bot.do(org.press("Continue"))
    assert "It goes to 3 people." in org.last.text
    await bot.do(org.press("Companies"))
    await bot.do(org.press("Companies with an accepted pledge"))
    assert "Members of: Companies with an accepted pledge" in org.last.text
    assert "It goes to 2 people." in org.last.text
    await bot.do(org.press("Companies"))
    await bot.do(org.press(button_with(org, "not reporting")))
    assert "It goes to 1 person." in org.last.text
    marks = {user.id: user.mark() for user in (late, punctual, outsider)}
    await bot.do(org.press("Preview"))
    await bot.do(org.press("Send now"))
    await bot.do(org.press("Yes, send it"))
    await bot.deliver_due()
    reached = {
        user.id
        for user in (late, punctual, outsider)
        if any("roundtable" in (m.text or "") for m in user.inbox_since(marks[user.id]))
    }
    assert reached == {7501}


async def test_a_thai_reader_gets_the_registry_and_card_in_thai(bot: BotRunner) -> None:
    async with bot.session_factory() as session, session.begin():
        company = await service.register_company(
            session, details(), founder=await person(session, 7601), now=ACCEPTED
        )
        founder = await user_of(session, 7601)
        await accepted_pledge(session, company, founder, await reviewer_in(session), now=ACCEPTED)
    somchai = await visitor(bot, 7603, language="th")
    t = bot.catalogs.translator("th")
    await bot.do(somchai.send_command("pledges"))
    assert somchai.last.text.startswith("ทะเบียนสาธารณะของคำมั่นลดพลาสติก\nมี 1 บริษัทให้คำมั่น")
    await bot.do(somchai.press("สยามเฟรชฟู้ดส์"))
    card, chart = somchai.messages[-2:]
    assert card.text.startswith("สยามเฟรชฟู้ดส์\nไทย · สินค้าอุปโภคบริโภค")
    assert "เราลดพลาสติกใหม่" in card.text, "the statement in the reader's language"
    assert chart.photo is not None and chart.photo.startswith(b"\x89PNG")
    assert chart.text == t._("Progress of {company}").format(company="สยามเฟรชฟู้ดส์")
