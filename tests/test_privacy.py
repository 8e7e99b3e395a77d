"""Consent per purpose, self-service export and erasure, and blocking the bot."""

import json

from sqlalchemy import func, select

from accounts.models import ConsentPurpose, StakeholderRole, User
from accounts.service import consents_of
from demo.runner import BotRunner
from pledges import service as pledges
from tests.accounts_db import account
from tests.flows import onboard
from tests.pledges_setup import ADMINS, accepted_pledge, details


async def test_privacy_toggles_each_purpose_independently(bot: BotRunner) -> None:
    nguyen = bot.server.user(2001, first_name="Nguyen", language_code="vi")
    await onboard(
        bot,
        nguyen,
        language="vi",
        role=StakeholderRole.BUSINESS,
        country="VN",
        city="Đà Nẵng",
        consents=(),
    )
    vi = bot.catalogs.translator("vi")
    await bot.do(nguyen.send_command("privacy"))
    news = next(
        text
        for row in nguyen.last.buttons
        for text, _ in row
        if vi._("News and invitations") in text
    )
    await bot.do(nguyen.press(news))
    user = await account(bot, 2001)
    assert user is not None
    assert consents_of(user) == {
        ConsentPurpose.EVENT_LOGISTICS: False,
        ConsentPurpose.PHOTOS_LOCATION: False,
        ConsentPurpose.PARTNER_SHARING: False,
        ConsentPurpose.NEWS: True,
    }
    assert any(
        text.startswith("✅") and vi._("News and invitations") in text
        for row in nguyen.last.buttons
        for text, _ in row
    )


async def test_mydata_sends_a_complete_json_document(bot: BotRunner) -> None:
    dewi = bot.server.user(2002, first_name="Dewi", username="dewi_laut", language_code="id")
    await onboard(
        bot,
        dewi,
        language="id",
        role=StakeholderRole.BUSINESS,
        organization="PT Laut Bersih",
        country="ID",
        city="jayapura",
        place="Jayapura, Indonesia",
    )
    await bot.do(dewi.send_command("mydata"))
    document = dewi.last.document
    assert document is not None and document.filename == "tideline-my-data.json"
    exported = json.loads(document.data)
    assert exported["account"]["telegram_user_id"] == 2002
    assert exported["account"]["username"] == "dewi_laut"
    assert exported["profile"] == {
        "language": "id",
        "stakeholder_role": "business",
        "organization": "PT Laut Bersih",
        "country": "ID",
        "city": "Jayapura",
        "city_geoname_id": 2082600,
        "timezone": "Asia/Jayapura",
    }
    assert {entry["purpose"]: entry["granted"] for entry in exported["consents"]} == {
        "event_logistics": True,
        "photos_location": False,
        "partner_sharing": False,
        "news": False,
    }


async def test_deleteme_asks_twice_then_erases_and_keeps_anonymous_counts(bot: BotRunner) -> None:
    alice = bot.server.user(2003, first_name="Alice", username="alice", language_code="en")
    await onboard(bot, alice, organization="Ocean Friends", country="SG", city="Singapore")
    await bot.do(alice.send_command("deleteme"))
    await bot.do(alice.press("Yes, delete my data"))
    assert await account(bot, 2003) is not None, "one tap must not erase anything"
    await bot.do(alice.press("Delete everything now"))

    assert await account(bot, 2003) is None
    async with bot.session_factory() as session:
        erased = (await session.scalars(select(User).where(User.erased_at.is_not(None)))).one()
    assert (erased.username, erased.first_name, erased.organization, erased.city) == (
        None,
        None,
        None,
        None,
    )
    assert (erased.stakeholder_role, erased.country) == ("community", "SG")
    assert erased.consents == []
    assert "deleted" in alice.last.text


async def test_keeping_data_changes_nothing(bot: BotRunner) -> None:
    bob = bot.server.user(2004, first_name="Bob", language_code="en")
    await onboard(bot, bob)
    await bot.do(bob.send_command("deleteme"))
    await bot.do(bob.press("No, keep it"))
    assert bob.last.text == "Nothing was deleted."
    assert await account(bot, 2004) is not None


async def test_blocking_the_bot_opts_out_of_news(bot: BotRunner) -> None:
    kiri = bot.server.user(2005, first_name="Kiri", language_code="km")
    await onboard(
        bot, kiri, language="km", country="KH", city="Kampot", consents=(ConsentPurpose.NEWS,)
    )
    update = kiri.block()
    await bot.settle(update)
    user = await account(bot, 2005)
    assert user is not None and user.blocked_at == bot.clock.now
    assert consents_of(user)[ConsentPurpose.NEWS] is False
    await bot.settle(kiri.unblock())
    user = await account(bot, 2005)
    assert user is not None and user.blocked_at is None


async def test_erased_person_starting_again_is_a_new_account(bot: BotRunner) -> None:
    tom = bot.server.user(2006, first_name="Tom", language_code="pt")
    await onboard(bot, tom, language="pt", country="TL", city="Dili")
    await bot.do(tom.send_command("deleteme"))
    await bot.do(tom.press(tom.last.buttons[0][0][0]))
    await bot.do(tom.press(tom.last.buttons[0][0][0]))
    await bot.do(tom.send_command("start"))
    async with bot.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(User)) == 2
    fresh = await account(bot, 2006)
    assert fresh is not None and fresh.onboarded_at is None


async def test_a_company_member_sees_the_company_in_mydata_and_deleteme_leaves_it_standing(
    bot: BotRunner,
) -> None:
    dewi = bot.server.user(2007, first_name="Dewi", language_code="id")
    await onboard(bot, dewi, language="id", role=StakeholderRole.BUSINESS, country="ID")
    now = bot.clock.now
    async with bot.session_factory() as session, session.begin():
        member = await session.scalar(select(User).where(User.telegram_id == 2007))
        assert member is not None
        reviewer = User(telegram_id=min(ADMINS), language="en", created_at=now)
        session.add(reviewer)
        company = await pledges.register_company(
            session,
            details(names={"id": "PT Laut Bersih"}, main_language="id", country="ID"),
            founder=member,
            now=now,
        )
        pledge = await accepted_pledge(session, company, member, reviewer, now=now)
        company_id, pledge_id = company.id, pledge.id
    await bot.do(dewi.send_command("mydata"))
    document = dewi.last.document
    assert document is not None
    exported = json.loads(document.data)
    assert [entry["company"] for entry in exported["company_memberships"]] == ["PT Laut Bersih"]
    assert [entry["pledge_id"] for entry in exported["pledges_written"]] == [pledge_id]

    await bot.do(dewi.send_command("deleteme"))
    await bot.do(dewi.press(dewi.last.buttons[0][0][0]))
    await bot.do(dewi.press(dewi.last.buttons[0][0][0]))
    async with bot.session_factory() as session:
        assert await pledges.member_ids(session, company_id) == []
        public, _ = await pledges.current_pledges(session, company_id)
        assert public is not None and public.id == pledge_id
        assert (public.created_by, public.submitted_by) == (None, None)
