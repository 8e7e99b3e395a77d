"""Cleanup data leaves the bot, through the real bot: figures typed with their unit, a figure
changed on the summary before Submit, the organizers viewing a card's photos and exporting every
card laid out like the ICC data card (CSV with a byte-order mark, and XLSX)."""

import csv
import io

from openpyxl import load_workbook

from demo.runner import BotRunner
from events.cleanup_export import ICC_NAMES
from tests.cleanup_fixtures import make_cleanup, reports_of
from tests.flows import onboard
from tests.test_cleanup_card import WITH_PHOTOS, participant, type_quick_figures


async def test_units_typed_with_the_figures_and_a_figure_changed_before_submit(
    bot: BotRunner,
) -> None:
    event_id = await make_cleanup(bot)
    mali = await participant(bot, 6501, event_id)
    await bot.do(mali.send_command("report"))
    await bot.do(mali.send_text("3 kg"))
    assert mali.last.text.startswith("That unit does not fit this question")
    await type_quick_figures(bot, mali, "3 bags", "12.5 kg", "8 people", "1.5 km")
    assert mali.last.text.startswith("3 bags · 12.5 kg · 8 people · 1.5 km")
    await bot.do(mali.press("Continue without tally"))
    assert "Tap a figure to change it" in mali.last.text
    await bot.do(mali.press("✏️ Weight (kg)"))
    assert mali.last.text.startswith("Weight (kg) is now 12.5.")
    await bot.do(mali.send_text("many"))
    assert mali.last.text.startswith("Please type a number")
    await bot.do(mali.send_text("14,5 kg"))
    assert "3 bags · 14.5 kg · 8 people · 1.5 km" in mali.last.text
    await bot.do(mali.press("✏️ Bags"))
    await bot.do(mali.send_text("4"))
    await bot.do(mali.press("Submit"))
    (report,) = await reports_of(bot, event_id)
    assert (report.bags, report.weight_kg, report.people, report.distance_m) == (4, 14.5, 8, 1500)


async def test_thai_figures_with_thai_units(bot: BotRunner) -> None:
    event_id = await make_cleanup(bot)
    lek = await participant(bot, 6502, event_id, language="th")
    await bot.do(lek.send_command("report"))
    await type_quick_figures(bot, lek, "3 ถุง", "12,5 กก.", "๘ คน", "800 เมตร")
    th = bot.catalogs.translator("th")
    await bot.do(lek.press(th._("Continue without tally")))
    await bot.do(lek.press(th._("Submit")))
    (report,) = await reports_of(bot, event_id)
    assert (report.bags, report.weight_kg, report.people, report.distance_m) == (3, 12.5, 8, 800)


async def test_organizers_see_the_photos_and_export_every_card_as_the_icc_card(
    bot: BotRunner,
) -> None:
    organizer = bot.server.user(6510, first_name="Org", language_code="en")
    await onboard(bot, organizer)
    event_id = await make_cleanup(bot, organizers=(6510,))
    ana = await participant(bot, 6511, event_id, consents=WITH_PHOTOS)
    await bot.do(ana.send_command("report"))
    await type_quick_figures(bot, ana, "2", "7", "4", "300")
    await bot.do(ana.press("Add item tally"))
    await bot.do(ana.press("Most likely to find"))
    await bot.do(ana.press("Cigarette butts"))
    await bot.do(ana.send_text("40"))
    await bot.do(ana.press("Back"))
    await bot.do(ana.press("Back"))
    await bot.do(ana.press("Items of local concern"))
    await bot.do(ana.send_text("Coconut husks"))
    await bot.do(ana.press("+5"))
    await bot.do(ana.press("Back"))
    await bot.do(ana.press("Done"))
    await bot.do(ana.send_photo(b"\xff\xd8\xff\xe0 first"))
    await bot.do(ana.send_photo(b"\xff\xd8\xff\xe0 second"))
    await bot.do(ana.press("Continue"))
    await bot.do(ana.press("Submit"))
    other = await participant(bot, 6512, event_id)
    await bot.do(other.send_command("report"))
    await type_quick_figures(bot, other, "1", "3", "2", "100")
    await bot.do(other.press("Continue without tally"))
    await bot.do(other.press("Submit"))
    first, second = await reports_of(bot, event_id)

    await bot.do(organizer.send_command("report"))
    await bot.do(organizer.press("Review: Bang Saen beach cleanup"))
    review = organizer.last
    mark = organizer.mark()
    await bot.do(organizer.press(f"📷 Photos {first.id}"))
    photos = organizer.inbox_since(mark)
    sent = [b"\xff\xd8\xff\xe0 first", b"\xff\xd8\xff\xe0 second"]
    assert [photo.photo for photo in photos] == sent
    assert photos[0].text == f"Report {first.id}: photo 1 of 2"
    assert not any(f"📷 Photos {second.id}" in text for row in review.buttons for text, _ in row)

    await bot.do(organizer.press("Export CSV", message=review))
    document = organizer.last.document
    assert document is not None and document.filename.endswith(f"{event_id}-data-cards.csv")
    assert document.data.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    assert header[:7] == [
        "Report",
        "Submitted (Asia/Bangkok)",
        "Reviewed",
        "People",
        "Bags",
        "Weight (kg)",
        "Distance (km)",
    ]
    icc = [name for name in ICC_NAMES.values() if name is not None]
    assert header[7 : 7 + len(icc)] == icc, "the ICC card's items, in the card's order"
    assert header[-5:] == [
        "Single-use sachets",
        "Face masks",
        "Gloves",
        "Items of local concern",
        "Items in total",
    ]
    assert len(rows) == 2, "one row per card"
    by_header = dict(zip(header, rows[0], strict=True))
    assert by_header["Report"] == str(first.id) and by_header["People"] == "4"
    assert by_header["Distance (km)"] == "0.3" and by_header["Cigarette Butts"] == "40"
    assert by_header["Items of local concern"] == "Coconut husks: 5"
    assert by_header["Items in total"] == "45" and by_header["Rope (1 yard/meter = 1 piece)"] == ""

    await bot.do(organizer.press("Export XLSX", message=review))
    document = organizer.last.document
    assert document is not None and document.filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(document.data)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Report" and len(values) == 3
    assert values[1][header.index("Cigarette Butts")] == 40
