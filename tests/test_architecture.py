"""The layout's rules, kept by tests: domain packages know nothing of Telegram or the chat layer,
chat features stay independent of each other, and every handler runs as one step."""

import ast
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import pytest
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler

from demo.runner import BotRunner
from handlers.kit.steps import handlers_within, is_step

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_PACKAGES = [
    "accounts",
    "broadcasts",
    "charts",
    "db",
    "i18n",
    "events",
    "questions",
    "surveys",
    "pledges",
    "delivery",
    "sandbox",
]
# Rendering (HTML escaping included) is the chat layer's job.
FORBIDDEN_IN_DOMAIN = {"telegram", "handlers", "html"}
HANDLERS = ROOT / "handlers"
SHARED_CHAT_PACKAGES = {"kit", "runtime"}
ACTION = re.compile(r"^[a-z]+\.[a-z0-9_]+$")


def _tracked_python_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).exists()]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _top_level(modules: set[str]) -> set[str]:
    return {module.split(".")[0] for module in modules}


def _chat_features() -> list[str]:
    return sorted(
        path.name
        for path in HANDLERS.iterdir()
        if (path / "__init__.py").exists() and path.name not in SHARED_CHAT_PACKAGES
    )


def domain_offenders(package: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {sorted(forbidden)}"
        for path in (ROOT / package).rglob("*.py")
        if (forbidden := _top_level(_imported_modules(path)) & FORBIDDEN_IN_DOMAIN)
    ]


@pytest.mark.parametrize("package", DOMAIN_PACKAGES)
def test_domain_package_imports_neither_telegram_nor_the_chat_layer(package: str) -> None:
    assert domain_offenders(package) == []


def feature_offenders() -> list[str]:
    """Imports of one chat feature by another, or of any feature by the kit or the runtime."""
    features = _chat_features()
    offenders = []
    for owner in [*features, *SHARED_CHAT_PACKAGES]:
        for path in (HANDLERS / owner).rglob("*.py"):
            for module in _imported_modules(path):
                parts = module.split(".")
                feature = parts[1] if parts[0] == "handlers" and len(parts) > 1 else None
                if feature in features and feature != owner:
                    offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    return offenders


def test_no_chat_feature_imports_another() -> None:
    assert len(_chat_features()) >= 5
    assert feature_offenders() == []


def declared_actions() -> dict[str, list[str]]:
    """Callback action name → the modules declaring it (module-level string constants)."""
    declared: dict[str, list[str]] = defaultdict(list)
    for path in HANDLERS.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                value = node.value.value
                if isinstance(value, str) and ACTION.match(value):
                    declared[value].append(str(path.relative_to(ROOT)))
    return declared


def action_prefix_owners() -> dict[str, set[str]]:
    """Action prefix → the chat packages (features, the kit) declaring actions with it."""
    owners: dict[str, set[str]] = defaultdict(set)
    for action, modules in declared_actions().items():
        owners[action.split(".")[0]].update(str(Path(module).parent) for module in modules)
    return owners


def test_callback_actions_are_declared_once_and_each_prefix_by_one_package() -> None:
    actions = declared_actions()
    assert len(actions) > 50
    assert {action: modules for action, modules in actions.items() if len(modules) > 1} == {}
    assert {prefix: m for prefix, m in action_prefix_owners().items() if len(m) > 1} == {}


# Scripts run by their path (``python bench/broadcast.py``), never imported.
SCRIPT_FOLDERS = {ROOT, ROOT / "bench"}


def unpackaged_folders() -> list[str]:
    folders = {path.parent for path in _tracked_python_files()} - SCRIPT_FOLDERS
    return sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists())


def test_every_folder_with_python_files_is_a_package() -> None:
    assert unpackaged_folders() == []


def _registered(bot: BotRunner) -> list[BaseHandler]:  # type: ignore[type-arg]
    return [handler for group in bot.application.handlers.values() for handler in group]


def conversations_without_name_or_cancel(handlers: list[BaseHandler]) -> list[str]:  # type: ignore[type-arg]
    problems = []
    for handler in handlers:
        if not isinstance(handler, ConversationHandler):
            continue
        cancels = [
            fallback
            for fallback in handler.fallbacks
            if isinstance(fallback, CommandHandler) and "cancel" in fallback.commands
        ]
        if not handler.name or not cancels:
            problems.append(handler.name or repr(handler))
    return problems


async def test_every_conversation_has_a_name_and_a_cancel_fallback(bot: BotRunner) -> None:
    handlers = _registered(bot)
    assert sum(isinstance(handler, ConversationHandler) for handler in handlers) >= 7
    assert conversations_without_name_or_cancel(handlers) == []


def callbacks_not_run_as_steps(handlers: list[BaseHandler]) -> list[str]:  # type: ignore[type-arg]
    """Every callback that can touch the database runs as a step; the gates before them and
    the last handler after them run outside any step by design."""
    outside = {
        "resolve_reader",
        "refuse_forged_buttons",
        "admit_edits",
        # A gate too: it hands a typed label on as a press, whose handlers run as steps.
        "press_typed_labels",
        "finish_update",
    }
    return [
        inner.callback.__qualname__
        for handler in handlers
        for inner in handlers_within(handler)
        if not is_step(inner.callback) and inner.callback.__name__ not in outside
    ]


async def test_every_handler_callback_runs_as_a_step(bot: BotRunner) -> None:
    assert callbacks_not_run_as_steps(_registered(bot)) == []


def test_no_unfinished_markers_in_product_code() -> None:
    markers = ("TO" + "DO", "FIX" + "ME", "Not" + "ImplementedError")
    offenders = [
        str(path.relative_to(ROOT))
        for path in _tracked_python_files()
        if not path.is_relative_to(ROOT / "tests")
        and any(marker in path.read_text() for marker in markers)
    ]
    assert offenders == []


def test_the_handler_checks_catch_what_they_guard_against() -> None:
    async def callback(*_: object) -> None:
        return None

    unnamed = ConversationHandler(
        entry_points=[CommandHandler("start", callback)], states={}, fallbacks=[]
    )
    assert conversations_without_name_or_cancel([unnamed]) != []
    assert callbacks_not_run_as_steps([unnamed]) == [callback.__qualname__]
