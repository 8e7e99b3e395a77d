"""A cleanup's data cards as one spreadsheet for its organizers, laid out like the International
Coastal Cleanup data card (2019) so the figures can be typed or uploaded into the ICC's data.

One row per card. The card's own columns come in the card's order and are headed with the ICC
card's English item names, which is what the ICC's forms and templates use; the campaign's
regional items, the items of local concern and the totals follow. The other headers are the
reader's (``labels``, translated by the caller; a missing one falls back to its key).
"""

from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from events.cleanup_card import CATEGORIES, SECTIONS, local_label
from events.export import Cell, ParticipantTable, table_csv, table_xlsx
from events.models import CleanupReport, Event

# Each card category under the name the ICC card prints; None: not on the ICC card.
ICC_NAMES: dict[str, str | None] = {
    "cigarette_butts": "Cigarette Butts",
    "food_wrappers": "Food Wrappers (candy, chips, etc.)",
    "takeout_plastic": "Take Out/Away Containers (Plastic)",
    "takeout_foam": "Take Out/Away Containers (Foam)",
    "caps_plastic": "Bottle Caps (Plastic)",
    "caps_metal": "Bottle Caps (Metal)",
    "lids_plastic": "Lids (Plastic)",
    "straws_stirrers": "Straws, Stirrers",
    "cutlery": "Forks, Knives, Spoons",
    "bottles_plastic": "Beverage Bottles (Plastic)",
    "bottles_glass": "Beverage Bottles (Glass)",
    "beverage_cans": "Beverage Cans",
    "grocery_bags_plastic": "Grocery Bags (Plastic)",
    "other_plastic_bags": "Other Plastic Bags",
    "paper_bags": "Paper Bags",
    "cups_plates_paper": "Cups, Plates (Paper)",
    "cups_plates_plastic": "Cups, Plates (Plastic)",
    "cups_plates_foam": "Cups, Plates (Foam)",
    "buoys_pots_traps": "Fishing Buoys, Pots & Traps",
    "nets": "Fishing Net & Pieces",
    "fishing_line": "Fishing Line (1 yard/meter = 1 piece)",
    "rope": "Rope (1 yard/meter = 1 piece)",
    "six_pack_holders": "6-Pack Holders",
    "other_packaging": "Other Plastic/Foam Packaging",
    "other_plastic_bottles": "Other Plastic Bottles (oil, bleach, etc.)",
    "strapping_bands": "Strapping Bands",
    "tobacco_packaging": "Tobacco Packaging/Wrap",
    "appliances": "Appliances (refrigerators, washers, etc.)",
    "balloons": "Balloons",
    "cigar_tips": "Cigar Tips",
    "lighters": "Cigarette Lighters",
    "construction_materials": "Construction Materials",
    "fireworks": "Fireworks",
    "tires": "Tires",
    "toys": "Toys",
    "condoms": "Condoms",
    "diapers": "Diapers",
    "syringes": "Syringes",
    "tampons": "Tampons/Tampon Applicators",
    "tiny_foam": "Foam Pieces",
    "tiny_glass": "Glass Pieces",
    "tiny_plastic": "Plastic Pieces",
    "sachets": None,
    "masks": None,
    "gloves": None,
}

# The fixed columns before the items, each also the key of its header in ``labels``.
FIXED_COLUMNS = (
    "report",
    "submitted_at",
    "reviewed",
    "people",
    "bags",
    "weight_kg",
    "distance_km",
)
LOCAL_COLUMN, TOTAL_COLUMN = "local_items", "total_items"
DEFAULT_SHEET_TITLE = "Data cards"


def export_filename(event_id: int, extension: str) -> str:
    return f"tideline-event-{event_id}-data-cards.{extension}"


def item_columns(labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(category key, header) in the card's order: the ICC's names, then the regional items
    under the reader's labels (``labels["item.<key>"]``)."""
    ordered = [category.key for section in SECTIONS for category in section.categories]
    return [
        (key, ICC_NAMES[key] or labels.get(f"item.{key}", CATEGORIES[key].label)) for key in ordered
    ]


def cleanup_table(
    event: Event, reports: Sequence[CleanupReport], *, labels: Mapping[str, str]
) -> ParticipantTable:
    zone = ZoneInfo(event.timezone)
    items = item_columns(labels)
    header = [labels.get(column, column) for column in FIXED_COLUMNS]
    header[1] = f"{header[1]} ({event.timezone})"
    header += [name for _, name in items]
    header += [labels.get(LOCAL_COLUMN, LOCAL_COLUMN), labels.get(TOTAL_COLUMN, TOTAL_COLUMN)]
    rows: list[list[Cell]] = []
    for report in sorted(reports, key=lambda report: report.id):
        local = [
            f"{label}: {count}"
            for key, count in sorted(report.items.items())
            if (label := local_label(key)) is not None
        ]
        rows.append(
            [
                report.id,
                report.submitted_at.astimezone(zone).replace(tzinfo=None),
                labels.get("yes", "yes") if report.reviewed_at else labels.get("no", "no"),
                report.people,
                report.bags,
                report.weight_kg,
                report.distance_m / 1000,
                *[report.items.get(key) or None for key, _ in items],
                "; ".join(local),
                sum(report.items.values()),
            ]
        )
    return ParticipantTable(header=header, rows=rows)


def cleanup_csv(
    event: Event, reports: Sequence[CleanupReport], *, labels: Mapping[str, str]
) -> bytes:
    return table_csv(cleanup_table(event, reports, labels=labels))


def cleanup_xlsx(
    event: Event, reports: Sequence[CleanupReport], *, labels: Mapping[str, str]
) -> bytes:
    table = cleanup_table(event, reports, labels=labels)
    return table_xlsx(table, labels.get("sheet_title", DEFAULT_SHEET_TITLE))
