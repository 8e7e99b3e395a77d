"""The ready surveys organizers start from, as XLSForm files (also examples of the format).

``build.py`` writes them from the reviewed texts it holds: run ``python -m surveys.templates.build``
after changing a text; a test checks that the files committed here are what it writes.
"""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent
AFTER_ROUNDTABLE = TEMPLATES_DIR / "after_roundtable.xlsx"
AFTER_CLEANUP = TEMPLATES_DIR / "after_cleanup.xlsx"
TEMPLATES = (AFTER_ROUNDTABLE, AFTER_CLEANUP)
