"""Running the sandbox standalone: ``python -m sandbox`` or ``serve()`` from the bot's CLI."""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .flood import FloodPolicy
from .server import DEFAULT_BOT_USERNAME, DEFAULT_TOKEN, SandboxServer


async def serve(
    host: str = "127.0.0.1",
    port: int = 8081,
    token: str = DEFAULT_TOKEN,
    bot_username: str = DEFAULT_BOT_USERNAME,
    flood: FloodPolicy | None = None,
) -> None:
    """Run a sandbox until cancelled, after printing one line with its URL and token."""
    async with SandboxServer(host, port, token, bot_username, flood) as server:
        print(
            f"Telegram sandbox listening: BOT_API_BASE_URL={server.base_url} "
            f"BOT_TOKEN={server.token}",
            flush=True,
        )
        await asyncio.Event().wait()  # until cancelled


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--bot-username", default=DEFAULT_BOT_USERNAME)
    parser.add_argument("--no-flood", action="store_true", help="disable flood limits")
    args = parser.parse_args(argv)
    flood = FloodPolicy(enabled=not args.no_flood)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port, args.token, args.bot_username, flood))
