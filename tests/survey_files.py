"""XLSForm files written in tests, the way spreadsheet tools write them."""

from io import BytesIO
from typing import Any

from openpyxl import Workbook


def workbook(survey: list[list[Any]], choices: list[list[Any]], settings: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for name, rows in (("choices", choices), ("settings", settings)):
        extra = book.create_sheet(name)
        for row in rows:
            extra.append(row)
    output = BytesIO()
    book.save(output)
    return output.getvalue()


# As KoboToolbox exports a form: its metadata questions, $kuid columns, a group, labels named
# "Language (code)", a version the spreadsheet holds as a number.
KOBO_STYLE = workbook(
    [
        [
            "type",
            "name",
            "label::English (en)",
            "label::ไทย (th)",
            "label::ភាសាខ្មែរ (km)",
            "hint::English (en)",
            "required",
            "relevant",
            "constraint",
            "constraint_message::English (en)",
            "constraint_message::ไทย (th)",
            "$kuid",
            "$autoname",
        ],
        ["start", "start", None, None, None, None, None, None, None, None, None, "k1", "start"],
        ["end", "end", None, None, None, None, None, None, None, None, None, "k2", "end"],
        [
            "begin_group",
            "about",
            "About you",
            "เกี่ยวกับคุณ",
            "អំពីអ្នក",
            None,
            None,
            None,
            None,
            None,
            None,
            "k3",
            "about",
        ],
        [
            "select_one yes_no",
            "first_time",
            "First cleanup?",
            "ครั้งแรกไหม",
            "លើកដំបូងទេ?",
            None,
            "true",
            None,
            None,
            None,
            None,
            "k4",
            "first_time",
        ],
        [
            "integer",
            "times",
            "How many before?",
            "กี่ครั้งแล้ว",
            "ប៉ុន្មានដងហើយ?",
            "A number",
            "false",
            "${first_time} = 'no'",
            ". >= 1 and . <= 500",
            "From 1 to 500",
            "ตั้งแต่ 1 ถึง 500",
            "k5",
            "times",
        ],
        ["end_group", None, None, None, None, None, None, None, None, None, None, "k6", None],
        [
            "select_multiple litter or_other",
            "litter",
            "Litter seen?",
            "เห็นขยะอะไร",
            "ឃើញសំរាមអ្វីខ្លះ?",
            None,
            None,
            None,
            "count-selected(.) <= 2",
            None,
            None,
            "k7",
            "litter",
        ],
        [
            "range",
            "overall",
            "Overall?",
            "โดยรวม",
            "ជារួម",
            None,
            "yes",
            None,
            None,
            None,
            None,
            "k8",
            "overall",
        ],
        [
            "text",
            "comment",
            "Anything else?",
            "อื่น ๆ",
            "ផ្សេងទៀត?",
            None,
            None,
            None,
            "string-length(.) <= 300",
            None,
            None,
            "k9",
            "comment",
        ],
        [
            "note",
            "bye",
            "Thank you",
            "ขอบคุณ",
            "អរគុណ",
            None,
            None,
            None,
            None,
            None,
            None,
            "k10",
            "bye",
        ],
    ],
    [
        [
            "list_name",
            "name",
            "label::English (en)",
            "label::ไทย (th)",
            "label::ភាសាខ្មែរ (km)",
            "$kuid",
            "$autovalue",
        ],
        ["yes_no", "yes", "Yes", "ใช่", "បាទ/ចាស", "c1", "yes"],
        ["yes_no", "no", "No", "ไม่", "ទេ", "c2", "no"],
        ["litter", "bottles", "Bottles", "ขวด", "ដប", "c3", "bottles"],
        ["litter", "bags", "Bags", "ถุง", "ថង់", "c4", "bags"],
    ],
    [
        ["form_title", "form_id", "version", "default_language", "survey_title::ไทย (th)"],
        ["Beach cleanup feedback", "beach_feedback", 2027031801, "English (en)", "ความเห็น"],
    ],
)
