"""Survey results for organizers through the sandbox: /surveys, the counts, a chart per question,
breakdowns that hide small groups, free text paged, CSV and XLSX exports, and every button
refused to people who do not organize the survey's event."""

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from sqlalchemy import select

from accounts.models import AccessRole, StakeholderRole, User
from delivery.models import OutboxMessage
from demo.runner import BotRunner
from handlers.surveys.actions import EXPORT, RESULTS
from handlers.surveys.results import BREAKDOWN, QUESTION, TEXTS, survey_title
from questions import Kind
from surveys import responses, results
from surveys.definitions import open_survey
from surveys.export import question_label
from surveys.models import Survey
from surveys.templates import AFTER_CLEANUP
from surveys.xlsform import import_form
from tests.conftest import ADMIN_ID
from tests.flows import button_with, labels
from tests.organize_flows import make_organizer, make_participant, stored_event
from tests.survey_files import workbook

PNG = b"\x89PNG\r\n\x1a\n"
BOM = b"\xef\xbb\xbf"
# (language, role, country, overall rating, litter ticked, what to improve); None: started only.
PEOPLE: list[tuple[str, StakeholderRole, str, int, str, str] | None] = [
    ("th", StakeholderRole.COMMUNITY, "TH", 5, "bottles bags", "More gloves"),
    ("th", StakeholderRole.COMMUNITY, "TH", 4, "bottles", '=HYPERLINK("http://x")'),
    ("th", StakeholderRole.COMMUNITY, "TH", 4, "bags", "-nothing"),
    ("th", StakeholderRole.NGO, "TH", 3, "foam", "@organizers more water"),
    ("th", StakeholderRole.NGO, "TH", 5, "bottles", "+1 for the music"),
    ("th", StakeholderRole.BUSINESS, "TH", 2, "sachets", "Start earlier"),
    ("en", StakeholderRole.BUSINESS, "SG", 5, "bottles", "Nothing"),
    ("en", StakeholderRole.BUSINESS, "SG", 4, "bags", "Shade"),
    ("en", StakeholderRole.GOVERNMENT, "SG", 3, "foam", "Bins"),
    ("km", StakeholderRole.GOVERNMENT, "KH", 5, "bottles", "Music"),
    ("km", StakeholderRole.GOVERNMENT, "KH", 1, "bags", "Sun"),
    None,
]


async def _survey_with_responses(bot: BotRunner, event_id: int) -> int:
    """The cleanup template for the event, opened, and PEOPLE's responses given through the
    domain as the answering chat gives them; one more invitation is only in the outbox."""
    now = bot.clock()
    async with bot.session_factory() as session, session.begin():
        saved = await import_form(session, AFTER_CLEANUP.read_bytes(), event_id=event_id, now=now)
        survey = saved.survey
        open_survey(survey, now=now, closes_at=now + timedelta(days=7))
        for number, person in enumerate(PEOPLE):
            language = person[0] if person else "en"
            user = User(
                telegram_id=70_000 + number,
                first_name=f"Person {number}",
                language=language,
                stakeholder_role=person[1] if person else None,
                country=person[2] if person else None,
                access_role=AccessRole.PARTICIPANT,
                created_at=now,
            )
            session.add(user)
            await session.flush()
            response = (
                await responses.start(session, survey, user.id, language=language, now=now)
            ).response
            if person is None:
                continue
            _, _, _, overall, litter, improve = person
            given = {
                "overall": str(overall),
                "organized": "4",
                "heard_from": "friends" if overall >= 4 else "social_media",
                "litter": litter,
                "again": "yes" if overall >= 3 else "no",
                "improve": improve,
                "invite_friend": str(overall * 2),
            }
            for question in survey.questions:
                responses.save_answer(survey, response, question, given[question.name], now=now)
            await responses.submit(session, survey, response, user.id, now=now)
        invited = User(
            telegram_id=79_999, language="en", access_role=AccessRole.PARTICIPANT, created_at=now
        )
        session.add(invited)
        await session.flush()
        session.add(
            OutboxMessage(
                dedupe_key=f"survey:{survey.id}:user:{invited.id}:invitation",
                user_id=invited.id,
                kind=results.INVITATION_KIND,
                payload={"survey_id": survey.id},
                due_at=now,
                created_at=now,
            )
        )
        return survey.id


def _alerts(person: object) -> list[str]:
    return [answer["text"] for answer in person.callback_answers if answer.get("text")]  # type: ignore[attr-defined]


async def test_results_screen_counts_chart_breakdown_texts_and_exports(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6101, "Ana")
    event_id = await stored_event(bot, 6101, starts_in=timedelta(days=-1))
    survey_id = await _survey_with_responses(bot, event_id)

    await bot.do(ana.send_command("surveys"))
    assert "After the cleanup" in labels(ana)
    await bot.do(ana.press("After the cleanup"))
    overview = ana.last.text
    # 12 who started (11 completed) and one more invited through the outbox.
    assert "Invited: 13 · started: 12 · completed: 11" in overview
    assert "Response rate: 85%" in overview

    await bot.do(ana.press("1. Overall, how was the cleanup?"))
    chart, page = ana.messages[-2], ana.messages[-1]
    assert chart.photo is not None and chart.photo.startswith(PNG)
    assert chart.text == "Overall, how was the cleanup?"
    assert "11 answers" in page.text
    assert "Mean 3.73 · median 4" in page.text
    assert "• 5 · Excellent: 4 (36%)" in page.text and "• 1 · Poor: 1 (9%)" in page.text

    # By language: Thai shows (6); English (3) and Khmer (2) are hidden, 5 together.
    await bot.do(ana.press("By language"))
    text = ana.last.text
    assert "Thai: 6 answers · mean 3.83" in text
    assert "English: fewer than 5 answers (hidden)" in text
    assert "Khmer: fewer than 5 answers (hidden)" in text
    assert "English: 3" not in text
    # By role: no group reaches 5, so none is shown.
    await bot.do(ana.press("By stakeholder role"))
    assert "answers ·" not in ana.last.text
    assert ana.last.text.count("fewer than 5 answers (hidden)") == 4

    await bot.do(ana.press("Next ›"))
    await bot.do(ana.press("Next ›"))
    await bot.do(ana.press("Next ›"))
    litter = ana.last.text
    assert "Which litter worried you most?" in litter
    assert "• Plastic bottles: 5 (45%)" in litter and "• Plastic bags: 4 (36%)" in litter
    assert ana.messages[-2].photo is not None

    await bot.do(ana.press("Next ›"))
    await bot.do(ana.press("Next ›"))
    assert "What should we improve next time?" in ana.last.text
    await bot.do(ana.press("Read the answers"))
    assert "Page 1 of 2" in ana.last.text and "1. " in ana.last.text
    await bot.do(ana.press("Next ›"))
    assert "Page 2 of 2" in ana.last.text and "11. " in ana.last.text

    await bot.do(ana.press("« Back to the results"))
    await bot.do(ana.press("Export CSV"))
    document = ana.last.document
    assert (
        document is not None and document.filename == f"tideline-survey-{survey_id}-responses.csv"
    )
    assert document.data.startswith(BOM)
    table = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    header = table[0]
    assert header[:3] == ["No.", "Language", "Name"]
    bottles = header.index("Which litter worried you most? (choose any): Plastic bottles")
    assert len(table) == 12
    assert {row[bottles] for row in table[1:]} == {"0", "1"}
    improve = header.index("What should we improve next time?")
    answers = {row[improve] for row in table[1:]}
    assert '\'=HYPERLINK("http://x")' in answers and "'-nothing" in answers
    assert "'@organizers more water" in answers and "'+1 for the music" in answers
    heard = header.index("How did you hear about this cleanup?")
    assert {row[heard] for row in table[1:]} == {"Friends or family", "Social media"}

    await bot.do(ana.press("Export XLSX"))
    document = ana.last.document
    assert document is not None and document.filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(document.data)).active
    assert sheet is not None and sheet.max_row == 12
    cells = list(sheet.iter_rows(values_only=True))
    column = list(cells[0]).index("Which litter worried you most? (choose any): Plastic bags")
    assert {row[column] for row in cells[1:]} == {0, 1}
    formula_column = list(cells[0]).index("What should we improve next time?")
    formula_cells = [row[formula_column].data_type for row in sheet.iter_rows(min_row=2)]
    assert set(formula_cells) == {"s"}
    assert '=HYPERLINK("http://x")' in {row[formula_column] for row in cells[1:]}


async def _question_page(bot: BotRunner, person: object, language: str, number: int) -> str:
    """The results page of the cleanup survey's ``number``-th question, read in ``language``;
    the chart sent with it must have been drawn."""
    async with bot.session_factory() as session:
        survey = await session.scalar(select(Survey))
        assert survey is not None
        title = survey_title(survey, language)
        label = question_label(survey, survey.questions[number - 1], language)
    await bot.do(person.send_command("surveys"))  # type: ignore[attr-defined]
    await bot.do(person.press(button_with(person, title[:20])))  # type: ignore[attr-defined]
    await bot.do(person.press(button_with(person, f"{number}. ")))  # type: ignore[attr-defined]
    chart, page = person.messages[-2], person.messages[-1]  # type: ignore[attr-defined]
    assert chart.photo is not None and chart.photo.startswith(PNG)
    assert chart.text == label
    assert page.text.startswith(f"{label}\n")
    return str(page.text)


async def test_rating_points_carry_the_scales_words_in_the_readers_language(
    bot: BotRunner,
) -> None:
    ana = await make_organizer(bot, 6151, "Ana")
    event_id = await stored_event(bot, 6151, starts_in=timedelta(days=-1))
    await _survey_with_responses(bot, event_id)

    # 1–5, 1 = Poor and 5 = Excellent: the labelled ends carry their words, the middle not.
    page = await _question_page(bot, ana, "en", 1)
    assert "• 1 · Poor: 1 (9%)\n• 2: 1 (9%)\n• 3: 2 (18%)\n• 4: 3 (27%)" in page
    assert "• 5 · Excellent: 4 (36%)" in page
    # 0–10, "Not at all likely" to "Extremely likely".
    page = await _question_page(bot, ana, "en", 7)
    assert "• 0 · Not at all likely: 0 (0%)\n• 1: 0 (0%)" in page
    assert "• 9: 0 (0%)\n• 10 · Extremely likely: 4 (36%)" in page

    await bot.do(ana.send_command("language"))
    await bot.do(ana.press("ไทย"))
    th = bot.catalogs.translator("th")
    page = await _question_page(bot, ana, "th", 1)
    assert th.ngettext("{count} answer", "{count} answers", 11).format(count="11") in page
    assert "• 1 · แย่: 1 (9%)\n• 2: 1 (9%)" in page
    assert "• 5 · ดีเยี่ยม: 4 (36%)" in page
    page = await _question_page(bot, ana, "th", 7)
    assert "• 0 · ไม่มีแนวโน้มเลย: 0 (0%)" in page
    assert "• 10 · มีแนวโน้มมากที่สุด: 4 (36%)" in page

    # Khmer, with the top of the scale written in English only: it falls back to the
    # survey's language, like the question itself would.
    async with bot.session_factory() as session, session.begin():
        survey = await session.scalar(select(Survey))
        assert survey is not None
        overall = survey.questions[0]
        overall.options = [
            option
            if option["value"] != "5"
            else {**option, "labels": {"en": option["labels"]["en"]}}
            for option in overall.options
        ]
    await bot.do(ana.send_command("language"))
    await bot.do(ana.press("ភាសាខ្មែរ"))
    page = await _question_page(bot, ana, "km", 1)
    assert "• 1 · ខ្សោយ: 1 (9%)\n• 2: 1 (9%)" in page
    assert "• 5 · Excellent: 4 (36%)" in page
    page = await _question_page(bot, ana, "km", 7)
    assert "• 0 · មិនទំនងទាល់តែសោះ: 0 (0%)" in page
    assert "• 10 · ទំនងខ្លាំងបំផុត: 4 (36%)" in page


async def test_results_refused_to_participants_and_other_organizers(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 6201, "Ana")
    ben = await make_organizer(bot, 6202, "Ben")
    cai = await make_participant(bot, 6203, "Cai")
    event_id = await stored_event(bot, 6201, starts_in=timedelta(days=-1))
    survey_id = await _survey_with_responses(bot, event_id)
    await stored_event(bot, 6202, title="Ben's roundtable")

    await bot.do(cai.send_command("surveys"))
    assert cai.last.text == "Sorry, your role does not allow that."
    await bot.do(ben.send_command("surveys"))
    assert ben.last.text == "None of your events has a survey yet."
    # Buttons minted for Ben (signed for him) but naming Ana's survey: refused on the server.
    codec = bot.application.bot_data["services"].codec
    forged = (
        (RESULTS, (survey_id,)),
        (EXPORT, (survey_id, "csv")),
        (QUESTION, (survey_id, 0)),
        (BREAKDOWN, (survey_id, 0, "language")),
        (TEXTS, (survey_id, 5, 0)),
    )
    for action, args in forged:
        mark = ben.mark()
        await bot.do(ben.press_data(codec.encode(6202, action, *args), ben.last))
        assert _alerts(ben)[-1] == (
            "Only the organizers of this survey's event can see its results."
        )
        assert all(
            message.document is None and message.photo is None for message in ben.inbox_since(mark)
        )
    # Ana's own button, replayed by Ben, fails its signature.
    await bot.do(ana.send_command("surveys"))
    data = next(d for row in ana.last.buttons for _, d in row if d and d.startswith(RESULTS))
    await bot.do(ben.press_data(data, ben.last))
    assert "Invited" not in (ben.last.text or "")
    # A participant with a correctly signed button is refused by the role check.
    await bot.do(cai.press_data(codec.encode(6203, RESULTS, survey_id), cai.last))
    assert _alerts(cai)[-1] == "Sorry, your role does not allow that."
    # Administrators see every survey.
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("surveys"))
    await bot.do(admin.press("After the cleanup"))
    assert "completed: 11" in admin.last.text


async def test_breakdowns_hide_groups_below_five_and_what_subtraction_would_reveal(
    bot: BotRunner,
) -> None:
    await make_organizer(bot, 6301, "Ana")
    event_id = await stored_event(bot, 6301, starts_in=timedelta(days=-1))
    survey_id = await _survey_with_responses(bot, event_id)
    async with bot.session_factory() as session:
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        overall = next(q for q in survey.questions if q.name == "overall")
        by_country = await results.breakdown(session, survey, overall, results.Dimension.COUNTRY)
        litter = next(q for q in survey.questions if q.kind == Kind.MULTIPLE)
        by_language = await results.breakdown(session, survey, litter, results.Dimension.LANGUAGE)
    # TH 6 shown; SG 3 and KH 2 hidden (5 together).
    assert [(g.key, g.hidden) for g in by_country.groups] == [
        ("TH", False),
        ("SG", True),
        ("KH", True),
    ]
    assert all(not g.counts and g.mean is None for g in by_country.groups if g.hidden)
    thai = by_language.groups[0]
    assert thai.key == "th" and dict((c.value, c.count) for c in thai.counts)["bottles"] == 3
    # One hidden group of 3 alone could be worked out from the total: the smallest shown
    # group goes too.
    assert results._suppressed({"a": 9, "b": 6, "c": 3}) == {"b", "c"}
    assert results._suppressed({"a": 9, "b": 5}) == set()


async def test_anonymous_results_break_down_by_language_only(bot: BotRunner) -> None:
    await make_organizer(bot, 6401, "Ana")
    event_id = await stored_event(bot, 6401, starts_in=timedelta(days=-1))
    survey_id = await _survey_with_responses(bot, event_id)
    async with bot.session_factory() as session, session.begin():
        survey = await session.get(Survey, survey_id)
        assert survey is not None
        survey.anonymous = True
        assert results.available_dimensions(survey) == (results.Dimension.LANGUAGE,)
        figures = await results.all_results(session, survey)
        # The one pass over every question gives what each question page computes alone.
        for result in figures:
            assert result == await results.question_result(session, result.question)
    recommend = figures[-1]
    assert recommend.answered == 11 and recommend.median == 8.0
    assert [c.count for c in recommend.counts] == [0, 0, 1, 0, 1, 0, 2, 0, 3, 0, 4]


NUMBERS_FORM = workbook(
    [
        ["type", "name", "label", "required"],
        ["integer", "bags", "Bags filled", "yes"],
        ["decimal", "kg", "Kilograms", "yes"],
    ],
    [["list_name", "name", "label"]],
    [["form_id", "default_language"], ["numbers", "en"]],
)


async def test_numbers_with_many_values_come_in_ranges_with_mean_and_median(
    bot: BotRunner,
) -> None:
    now = bot.clock()
    async with bot.session_factory() as session, session.begin():
        survey = (await import_form(session, NUMBERS_FORM, event_id=None, now=now)).survey
        open_survey(survey, now=now)
        for number in range(1, 21):
            user = User(language="en", access_role=AccessRole.PARTICIPANT, created_at=now)
            session.add(user)
            await session.flush()
            response = (
                await responses.start(session, survey, user.id, language="en", now=now)
            ).response
            bags, kg = survey.questions
            responses.save_answer(survey, response, bags, str(number), now=now)
            responses.save_answer(survey, response, kg, str(number % 4 + 0.5), now=now)
            await responses.submit(session, survey, response, user.id, now=now)
        bags_result, kg_result = await results.all_results(session, survey)
    # 20 values: ranges of 2 (1–2 … 19–20, the last holding its upper end too).
    assert (bags_result.mean, bags_result.median) == (10.5, 10.5)
    assert [(c.value, c.upper, c.count) for c in bags_result.counts][:2] == [
        ("0", "2", 1),
        ("2", "4", 2),
    ]
    assert sum(c.count for c in bags_result.counts) == 20
    # Four distinct decimals: one bar each.
    assert [(c.value, c.count) for c in kg_result.counts] == [
        ("0.5", 5),
        ("1.5", 5),
        ("2.5", 5),
        ("3.5", 5),
    ]
    assert (kg_result.mean, kg_result.median) == (2.0, 2.0)
    assert results._median_of([(1.0, 1), (2.0, 1), (9.0, 1)], 3) == 2.0
