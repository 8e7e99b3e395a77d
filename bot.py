"""Tideline's command line: run the bot, the offline demo, the sandbox, database upgrades, event
imports and pledge imports."""

import argparse
import asyncio
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from settings import ConfigurationError, Settings, load_settings

SQLITE_SWITCH_INTERVAL_S = 0.0005
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Where the webhook listens and what Telegram is told; the path is the bot id, not the
    token, so the token never appears in proxy logs."""
    path = settings.BOT_TOKEN.split(":", 1)[0]
    return {
        "listen": settings.WEBHOOK_LISTEN,
        "port": settings.WEBHOOK_PORT,
        "url_path": path,
        "webhook_url": f"{settings.WEBHOOK_URL}/{path}",
        "secret_token": settings.WEBHOOK_SECRET or None,
        "allowed_updates": ALLOWED_UPDATES,
    }


async def _migrate(settings: Settings) -> None:
    from db.migrate import upgrade

    await upgrade(settings.DATABASE_URL)


def _run(settings: Settings) -> None:
    from accounts.gazetteer import gazetteer
    from db.engine import create_engine, create_session_factory, is_sqlite
    from handlers.app import build_application
    from handlers.runtime.startup_checks import check_bot_api, check_database, warn_about_settings
    from i18n import Catalogs

    if not settings.BOT_TOKEN:
        raise ConfigurationError("Configuration error: BOT_TOKEN: required to run the bot")
    asyncio.run(check_database(settings))
    asyncio.run(check_bot_api(settings))
    asyncio.run(_migrate(settings))
    warn_about_settings(settings)
    if is_sqlite(settings.DATABASE_URL):
        # aiosqlite runs each statement on its own thread, which must win the GIL back from the
        # busy event loop; Python's default 5 ms switch interval then stretches every statement.
        sys.setswitchinterval(SQLITE_SWITCH_INTERVAL_S)
    # Read now rather than in the first update that names a city, which would hold up every
    # chat for the half second it takes.
    gazetteer()
    engine = create_engine(settings.DATABASE_URL)
    application = build_application(
        settings, create_session_factory(engine), Catalogs(settings.DEFAULT_LANGUAGE)
    )
    if settings.WEBHOOK_URL:
        try:
            application.run_webhook(**webhook_options(settings))
        except OSError as error:
            raise ConfigurationError(
                f"Configuration error: WEBHOOK_PORT: cannot listen on "
                f"{settings.WEBHOOK_LISTEN}:{settings.WEBHOOK_PORT} ({error.strerror})"
            ) from None
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)


def _import_events(settings: Settings, path: str) -> int:
    from events.importer import import_file

    asyncio.run(_migrate(settings))
    result = asyncio.run(import_file(settings.DATABASE_URL, Path(path), now=datetime.now(UTC)))
    for problem in result.problems:
        print(f"error: {problem}", file=sys.stderr)
    for imported in result.events:
        print(imported)
    return 0 if result.ok else 1


def _import_pledges(settings: Settings, path: str) -> int:
    from pledges.importer import import_file

    asyncio.run(_migrate(settings))
    result = asyncio.run(import_file(settings.DATABASE_URL, Path(path), now=datetime.now(UTC)))
    for problem in result.problems:
        print(f"error: {problem}", file=sys.stderr)
    for imported in result.companies:
        print(imported)
    return 0 if result.ok else 1


def _import_survey(settings: Settings, path: str, event_id: int | None) -> int:
    from surveys.xlsform import import_file

    asyncio.run(_migrate(settings))
    result = asyncio.run(
        import_file(
            settings.DATABASE_URL,
            Path(path),
            event_id=event_id,
            now=datetime.now(UTC),
            fallback_language=settings.DEFAULT_LANGUAGE,
        )
    )
    print(result, file=sys.stderr if result.problems else sys.stdout)
    return 1 if result.problems else 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bot.py", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="migrate the database and start the bot")
    commands.add_parser("demo", help="offline demo against the sandbox, with a transcript")
    sandbox = commands.add_parser("sandbox", help="serve the sandbox Bot API locally")
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8081)
    database = commands.add_parser("db", help="database maintenance")
    database.add_argument("action", choices=["upgrade"])
    events = commands.add_parser("events", help="manage events")
    event_actions = events.add_subparsers(dest="action", required=True)
    importing = event_actions.add_parser("import", help="create or update events from YAML")
    importing.add_argument("file", help="YAML file (see events/examples/roundtables.yaml)")
    pledges = commands.add_parser("pledges", help="manage business pledges")
    pledge_actions = pledges.add_subparsers(dest="action", required=True)
    pledge_import = pledge_actions.add_parser(
        "import", help="create or update companies and pledges from a pact's spreadsheet"
    )
    pledge_import.add_argument(
        "file", help=".xlsx or .csv (see pledges/examples/pact_signatories.csv)"
    )
    surveys = commands.add_parser("surveys", help="manage surveys")
    survey_actions = surveys.add_subparsers(dest="action", required=True)
    survey_import = survey_actions.add_parser(
        "import", help="create or update a draft survey from an XLSForm file"
    )
    survey_import.add_argument("file", help="XLSForm .xlsx (see surveys/templates/)")
    survey_import.add_argument(
        "--event", type=int, dest="event_id", help="the event it follows (default: none)"
    )
    return parser


def _configure_logging(command: str, settings: Settings) -> None:
    from handlers.runtime.log_setup import configure_logging, secrets_of

    # The demo prints a transcript and an import its outcome; routine progress logs would
    # only bury them.
    quiet = command in ("demo", "events", "pledges", "surveys")
    level = settings.LOG_LEVEL or ("WARNING" if quiet else "INFO")
    configure_logging(logging.getLevelName(level), secrets_of(settings))


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        settings = load_settings()
        _configure_logging(arguments.command, settings)
        if arguments.command == "run":
            _run(settings)
        elif arguments.command == "db":
            asyncio.run(_migrate(settings))
            print("Database is up to date.")
        elif arguments.command == "sandbox":
            from sandbox import serve

            asyncio.run(serve(arguments.host, arguments.port))
        elif arguments.command == "events":
            return _import_events(settings, arguments.file)
        elif arguments.command == "pledges":
            return _import_pledges(settings, arguments.file)
        elif arguments.command == "surveys":
            return _import_survey(settings, arguments.file, arguments.event_id)
        elif arguments.command == "demo":
            from demo.scenario import run_demo

            return asyncio.run(run_demo(settings))
    except ConfigurationError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
