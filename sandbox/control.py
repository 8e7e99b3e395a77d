"""A small HTTP API under /sandbox/ to play a user by hand when the sandbox runs standalone.

POST /sandbox/users/{id}/text     {"text": "hello", "first_name": "Alice"}
POST /sandbox/users/{id}/command  {"command": "start", "args": "ev_42"}
POST /sandbox/users/{id}/press    {"button": "Yes"}
POST /sandbox/users/{id}/block    /  .../unblock
GET  /sandbox/users/{id}/messages
GET  /sandbox/users/{id}/commands  (the "/" menu the person sees)
GET  /sandbox/calls
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

if TYPE_CHECKING:
    from .server import SandboxServer
    from .users import SandboxUser

Action = Callable[["SandboxUser", dict[str, Any]], Awaitable[Any]]


def add_control_routes(app: web.Application, server: SandboxServer) -> None:
    actions: dict[str, Action] = {
        "text": lambda user, body: user.send_text(str(body["text"])),
        "command": lambda user, body: user.send_command(str(body["command"]), body.get("args")),
        "press": lambda user, body: user.press(str(body["button"])),
        "block": _sync(lambda user: user.block()),
        "unblock": _sync(lambda user: user.unblock()),
    }

    async def act(request: web.Request) -> web.Response:
        action = actions.get(request.match_info["action"])
        if action is None:
            return _error(404, f"unknown action {request.match_info['action']!r}")
        try:
            body = await request.json() if request.body_exists else {}
        except json.JSONDecodeError:
            return _error(400, "body must be JSON")
        user = _user(server, request, body)
        try:
            return web.json_response({"ok": True, "update": await action(user, body)})
        except KeyError as missing:
            return _error(400, f"missing field {missing}")
        except LookupError as error:
            return _error(404, str(error))

    async def messages(request: web.Request) -> web.Response:
        user = _user(server, request, {})
        return web.json_response([message.summary() for message in user.messages])

    async def commands(request: web.Request) -> web.Response:
        return web.json_response(server.menu_seen_by(int(request.match_info["user_id"])))

    async def calls(request: web.Request) -> web.Response:
        return web.json_response([dataclasses.asdict(call) for call in server.calls])

    app.router.add_post("/sandbox/users/{user_id:-?\\d+}/{action}", act)
    app.router.add_get("/sandbox/users/{user_id:-?\\d+}/messages", messages)
    app.router.add_get("/sandbox/users/{user_id:-?\\d+}/commands", commands)
    app.router.add_get("/sandbox/calls", calls)


def _user(server: SandboxServer, request: web.Request, body: dict[str, Any]) -> SandboxUser:
    user_id = int(request.match_info["user_id"])
    return server.user(
        user_id,
        first_name=body.get("first_name"),
        username=body.get("username"),
        language_code=body.get("language_code"),
    )


def _sync(function: Callable[[SandboxUser], Any]) -> Action:
    async def run(user: SandboxUser, body: dict[str, Any]) -> Any:
        return function(user)

    return run


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)
