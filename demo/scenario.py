"""``make demo``: the real bot against the sandbox, with simulated people, fully offline."""

import json
import tempfile
from pathlib import Path

from sqlalchemy import func, select

from accounts.models import ConsentPurpose, StakeholderRole, User
from db.migrate import upgrade
from demo.events_scenes import choose_place, event_summary, events_scenes
from demo.pledge_scenes import pledge_scenes, pledge_summary, pledge_year_scenes
from demo.runner import BotRunner, SimulatedClock, interactive_flood_policy, sandbox_settings
from demo.survey_scenes import survey_scenes, survey_summary
from demo.transcript import Transcript
from handlers.kit.profile_fields import CONSENT_LABELS, STAKEHOLDER_LABELS
from i18n import LANGUAGES
from sandbox import SandboxServer, SandboxUser
from sandbox.state import BotMessage
from settings import Settings

ADMIN_ID = 500


def _last(person: SandboxUser) -> BotMessage:
    last = person.last
    assert last is not None, "the bot has answered this person"
    return last


def _button(person: SandboxUser, part: str) -> str:
    """The label of the latest message's button that contains ``part``."""
    return next(text for row in _last(person).buttons for text, _ in row if part in text)


async def _onboard(
    runner: BotRunner,
    show: Transcript,
    person: SandboxUser,
    *,
    language: str,
    consents: list[ConsentPurpose],
    role: StakeholderRole,
    organization: str | None,
    country: str,
    city: str,
) -> None:
    """The whole /start flow, finding each button by its label in the person's language."""
    t = runner.catalogs.translator(language)

    async def tap(label: str) -> None:
        await show.act(person, f"taps [{label}]", person.press(_button(person, label)))

    await show.act(person, "/start", person.send_command("start"))
    await tap(LANGUAGES[language].native_name)
    for purpose in consents:
        await tap(t._(CONSENT_LABELS[purpose]))
    await tap(t._("Continue"))
    await tap(t._(STAKEHOLDER_LABELS[role]))
    if organization:
        await show.act(person, organization, person.send_text(organization))
    else:
        await tap(t._("Skip"))
    await tap(t.country_name(country))
    await show.act(person, city, person.send_text(city))
    await choose_place(show, person)
    await tap(t._("Yes, that's right"))


async def _scenario(runner: BotRunner, show: Transcript) -> None:
    server = runner.server
    alice = server.user(101, first_name="Alice", username="alice_ngo", language_code="en")
    somchai = server.user(102, first_name="Somchai", language_code="th")
    lin = server.user(103, first_name="Lin", language_code="zh-hans")
    dewi = server.user(104, first_name="Dewi", language_code="id")
    admin = server.user(ADMIN_ID, first_name="Admin", language_code="en")

    show.scene("Alice (English, NGO in Singapore) sets up her profile")
    await _onboard(
        runner,
        show,
        alice,
        language="en",
        consents=[ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.NEWS],
        role=StakeholderRole.NGO,
        organization="Blue Straits Alliance",
        country="SG",
        city="Singapore",
    )

    show.scene("Somchai (Thai, community member in Chonburi) arrives through an old link")
    await show.act(
        somchai, "/start ev_2024_cleanup", somchai.send_command("start", "ev_2024_cleanup")
    )
    await show.act(somchai, "taps ไทย", somchai.press(_button(somchai, "ไทย")))
    await show.act(somchai, "sends a sticker instead of tapping", somchai.send_sticker())
    await show.act(somchai, "/help in the middle of set-up", somchai.send_command("help"))
    continue_label = _last(somchai).buttons[-1][0][0] if _last(somchai).buttons else None
    privacy = next(m for m in reversed(somchai.messages) if m.buttons)
    await show.act(
        somchai, "ticks event logistics", somchai.press(privacy.buttons[0][0][0], message=privacy)
    )
    privacy = next(m for m in reversed(somchai.messages) if m.buttons)
    continue_label = privacy.buttons[-1][0][0]
    await show.act(
        somchai, f"taps [{continue_label}]", somchai.press(continue_label, message=privacy)
    )
    roles = _last(somchai)
    await show.act(somchai, "taps the first role", somchai.press(roles.buttons[0][0][0]))
    await show.act(
        somchai, "skips the organization", somchai.press(_last(somchai).buttons[0][0][0])
    )
    await show.act(somchai, "taps Thailand", somchai.press(_button(somchai, "ไทย")))
    await show.act(somchai, "ชลบุรี", somchai.send_text("ชลบุรี"))
    await choose_place(show, somchai)
    await show.act(
        somchai, "confirms the time zone", somchai.press(_last(somchai).buttons[0][0][0])
    )

    show.scene("Lin (Chinese, researcher in Xiamen) onboards and then switches to English")
    await show.act(lin, "/start", lin.send_command("start"))
    await show.act(lin, "taps 简体中文", lin.press(_button(lin, "简体中文")))
    for row in _last(lin).buttons[:2]:
        await show.act(lin, f"ticks “{row[0][0]}”", lin.press(row[0][0]))
    await show.act(lin, "continues", lin.press(_last(lin).buttons[-1][0][0]))
    await show.act(lin, "taps the research role", lin.press(_last(lin).buttons[1][1][0]))
    await show.act(lin, "厦门大学海洋与地球学院", lin.send_text("厦门大学海洋与地球学院"))
    await show.act(lin, "taps China", lin.press(_button(lin, "中国")))
    await show.act(lin, "厦门", lin.send_text("厦门"))
    await choose_place(show, lin)
    await show.act(lin, "confirms", lin.press(_last(lin).buttons[0][0][0]))
    await show.act(lin, "/language", lin.send_command("language"))
    await show.act(lin, "taps English", lin.press(_button(lin, "English")))

    show.scene("The administrator makes Alice an organizer by forwarding her message")
    await show.act(admin, "/grant", admin.send_command("grant"))
    await show.act(admin, "forwards a message from Alice", admin.forward_from(alice, text="Hi!"))
    await show.act(alice, "/help", alice.send_command("help"))

    show.scene("Dewi (Indonesian, a business in Makassar) sets up")
    await _onboard(
        runner,
        show,
        dewi,
        language="id",
        consents=[ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.NEWS],
        role=StakeholderRole.BUSINESS,
        organization="PT Laut Bersih",
        country="ID",
        city="Makassar",
    )
    await pledge_scenes(runner, show, dewi=dewi, lin=lin, admin=admin)
    await events_scenes(runner, show, alice=alice, somchai=somchai, lin=lin, dewi=dewi)
    await survey_scenes(runner, show, alice=alice, somchai=somchai, lin=lin, dewi=dewi)
    # A year on: the pledge's first progress report, after the surveys of December's events.
    await pledge_year_scenes(runner, show, dewi=dewi, lin=lin)

    show.scene("Dewi downloads her data; Alice deletes hers")
    await show.act(dewi, "/mydata", dewi.send_command("mydata"))
    document = _last(dewi).document
    assert document is not None, "/mydata answers with a file"
    exported = json.loads(document.data)
    print(
        f"      (the file holds: {', '.join(exported)}; time zone "
        f"{exported['profile']['timezone']})"
    )
    await show.act(alice, "/deleteme", alice.send_command("deleteme"))
    await show.act(alice, "taps [Yes, delete my data]", alice.press("Yes, delete my data"))
    await show.act(alice, "taps [Delete everything now]", alice.press("Delete everything now"))


async def _summary(runner: BotRunner) -> None:
    async with runner.session_factory() as session:
        active = await session.scalar(
            select(func.count()).select_from(User).where(User.erased_at.is_(None))
        )
        erased = await session.scalar(
            select(func.count()).select_from(User).where(User.erased_at.is_not(None))
        )
        languages = (
            await session.execute(
                select(User.language, func.count())
                .where(User.erased_at.is_(None))
                .group_by(User.language)
            )
        ).all()
    print(f"\n{'─' * 78}\nSummary")
    print(f"  accounts: {active} active, {erased} erased (kept only as anonymous counts)")
    print("  languages: " + ", ".join(f"{code} {count}" for code, count in sorted(languages)))
    await event_summary(runner)
    await survey_summary(runner)
    await pledge_summary(runner)
    calls = runner.server.calls
    failed = [call for call in calls if call.status != 200]
    print(f"  Bot API calls made by the bot: {len(calls)} ({len(failed)} refused by the sandbox)")


async def run_demo(settings: Settings) -> int:
    """Runs the scenario on a throw-away database; ``settings`` only lends its defaults."""
    with tempfile.TemporaryDirectory(prefix="tideline-demo-") as directory:
        database_url = f"sqlite+aiosqlite:///{Path(directory) / 'demo.db'}"
        await upgrade(database_url)
        async with SandboxServer(flood=interactive_flood_policy()) as server:
            runner = BotRunner(
                server,
                sandbox_settings(
                    server,
                    database_url,
                    ADMIN_IDS=str(ADMIN_ID),
                    DEFAULT_LANGUAGE=settings.DEFAULT_LANGUAGE,
                    DEFAULT_TIMEZONE=settings.DEFAULT_TIMEZONE,
                ),
                SimulatedClock(),
            )
            print(f"Tideline demo: the real bot against the sandbox Bot API at {server.base_url}")
            await runner.start()
            try:
                await _scenario(runner, Transcript(runner))
                await _summary(runner)
            finally:
                await runner.stop()
    return 0
