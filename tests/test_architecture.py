"""Domain packages stay free of Telegram, so they can be used and tested without it."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PACKAGES = ["accounts", "db", "i18n", "events", "surveys", "pledges", "delivery", "sandbox"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


# The outbox's thin sender is the one place a domain package talks to Telegram.
TELEGRAM_ADAPTERS: set[str] = set()


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_package_does_not_import_telegram(package: str) -> None:
    files = list((ROOT / package).rglob("*.py"))
    offenders = [
        str(path.relative_to(ROOT))
        for path in files
        if "telegram" in _imports(path) and str(path.relative_to(ROOT)) not in TELEGRAM_ADAPTERS
    ]
    assert offenders == []


def test_no_unfinished_markers_in_product_code() -> None:
    markers = ("TO" + "DO", "FIX" + "ME", "Not" + "ImplementedError")
    product = [
        path
        for path in ROOT.rglob("*.py")
        if not path.is_relative_to(ROOT / "tests") and ".venv" not in path.parts
    ]
    offenders = [
        str(path.relative_to(ROOT))
        for path in product
        if any(marker in path.read_text() for marker in markers)
    ]
    assert offenders == []
