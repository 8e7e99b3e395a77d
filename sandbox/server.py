"""The HTTP server: Bot API routes, file downloads, and the in-process test API."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import BodyPartReader, web

from .control import add_control_routes
from .errors import ApiError
from .faults import Faults
from .flood import FloodControl, FloodPolicy, SendRecord, busiest_window, per_chat_violations
from .methods import BotApi, menu_lookup_order, scope_key
from .params import Params, UploadedFile
from .polling import Poller
from .state import Json, SandboxState
from .users import SandboxGroup, SandboxUser
from .webhook import WebhookDelivery

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:SANDBOX-TOKEN"
DEFAULT_BOT_USERNAME = "tideline_sandbox_bot"
MAX_UPLOAD = 60 * 1024 * 1024  # Telegram accepts 50 MB uploads from bots


@dataclass
class ApiCall:
    """One Bot API request the bot made (appended when it was answered)."""

    method: str
    params: dict[str, Any]
    status: int  # HTTP status answered; 0 when a "timeout" fault dropped the connection
    chat_id: int | str | None
    at: float  # the server's clock (time.monotonic() unless given another) when it arrived


class _DropConnection(Exception):
    """Raised by a "timeout" fault: close the socket without any response."""


class SandboxServer:
    """A local Telegram Bot API for one bot token, plus the people who talk to that bot.

    ``await server.start()`` (or ``async with``) binds ``base_url``; point PTB at
    ``{base_url}/bot`` and ``{base_url}/file/bot``. ``user()`` / ``group()`` give the user side;
    ``calls``, ``sends``, ``flood``, ``faults`` and ``acknowledged()`` observe and steer the bot.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = DEFAULT_TOKEN,
        bot_username: str = DEFAULT_BOT_USERNAME,
        flood: FloodPolicy | None = None,
        *,
        bot_first_name: str = "Tideline",
        webhook_retry_delay: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self.port = port
        self.state = SandboxState(token, bot_username, bot_first_name)
        self.faults = Faults()
        self.calls: list[ApiCall] = []
        self.sends: list[SendRecord] = []
        # Seconds for the send log, the flood limits and ``calls``: tests may set a virtual
        # clock (also at run time) to check pacing without measuring real time.
        self.clock = clock
        self._flood_control = FloodControl(flood or FloodPolicy())
        self.api = BotApi(
            self.state, lambda: self._flood_control, self.sends, clock=lambda: self.clock()
        )
        self.poller = Poller(self.state)
        self.webhook = WebhookDelivery(self.state, retry_delay=webhook_retry_delay)
        self._handlers: dict[str, Callable[[Params], Any]] = {
            **self.api.handlers(),
            "getupdates": self.poller.get_updates,
        }
        self._users: dict[int, SandboxUser] = {}
        self._groups: dict[int, SandboxGroup] = {}
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._stopping: asyncio.Event | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> SandboxServer:
        app = web.Application(client_max_size=MAX_UPLOAD)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        # A short shutdown timeout: long polls and held "timeout" faults are woken on stop().
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])  # the real port when 0 was asked for
        self._stopping = asyncio.Event()
        self.poller.closing = False
        self._webhook_task = asyncio.create_task(self.webhook.run(), name="sandbox-webhook")
        return self

    async def stop(self) -> None:
        self.poller.closing = True
        if self._stopping is not None:
            self._stopping.set()
        self.state.signal.notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> SandboxServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- configuration ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The root URL; the bot uses ``{base_url}/bot`` and ``{base_url}/file/bot``."""
        return f"http://{self.host}:{self.port}"

    @property
    def token(self) -> str:
        return self.state.token

    @property
    def flood(self) -> FloodPolicy:
        return self._flood_control.policy

    @flood.setter
    def flood(self, policy: FloodPolicy) -> None:
        self._flood_control.policy = policy

    # -- user side -------------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        last_name: str | None = None,
    ) -> SandboxUser:
        """The person with this id (created once; given fields update the profile)."""
        profile = self.state.ensure_user(
            user_id,
            first_name=first_name,
            username=username,
            language_code=language_code,
            last_name=last_name,
        )
        if user_id not in self._users:
            self._users[user_id] = SandboxUser(self.state, profile)
        return self._users[user_id]

    def group(
        self,
        chat_id: int,
        title: str = "Sandbox group",
        members: Sequence[SandboxUser] = (),
        chat_type: str | None = None,
    ) -> SandboxGroup:
        """A group chat (negative id; "-100..." ids are supergroups unless told otherwise)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        kind = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        if chat_id not in self._groups:
            self._groups[chat_id] = SandboxGroup(
                self.state, self.state.group_chat(chat_id, title, kind)
            )
        group = self._groups[chat_id]
        group.add_members(members)
        return group

    async def download(self, file_id: str) -> bytes:
        record = self.state.files.get(file_id)
        if record is None:
            raise LookupError(f"unknown file_id {file_id!r}")
        return record.data

    def commands(
        self, scope: str | dict[str, Any] = "default", language_code: str = ""
    ) -> list[Json]:
        """What setMyCommands stored for this scope ("default", "chat:42" or a scope dict)."""
        return [dict(c) for c in self.state.commands.get((scope_key(scope), language_code), [])]

    def menu_seen_by(self, user_id: int) -> list[Json]:
        """The "/" menu this person sees in their private chat, resolved as Telegram does
        (their chat's scope, all private chats, default; their app language first)."""
        profile = self.state.users.get(user_id)
        language = profile.language_code if profile is not None else None
        for key in menu_lookup_order(user_id, language):
            if key in self.state.commands:
                return [dict(command) for command in self.state.commands[key]]
        return []

    # -- observing the bot -----------------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def busiest_window(self, seconds: float = 1.0) -> int:
        return busiest_window(self.sends, seconds)

    def per_chat_violations(self, min_interval: float = 1.0) -> int:
        return per_chat_violations(self.sends, min_interval)

    @property
    def pending_updates(self) -> int:
        return len(self.state.updates.pending)

    async def acknowledged(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot confirmed ``update_id`` (a later getUpdates offset, or a 2xx
        webhook answer). Raises TimeoutError otherwise."""
        acknowledged = self.state.updates.acknowledged
        try:
            await self.state.signal.wait_until(lambda: update_id in acknowledged, timeout)
        except TimeoutError:
            raise TimeoutError(f"update {update_id} not acknowledged in {timeout}s") from None

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until ``condition()`` holds; it is re-checked after every Bot API call."""
        await self.state.signal.wait_until(condition, timeout)

    # -- HTTP: Bot API ---------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = self.clock()
        method = request.match_info["method"]
        try:
            params = Params(await _read_params(request))
        except ApiError as error:
            return web.json_response(error.to_json(), status=error.status)
        call = ApiCall(method, params.for_log(), 0, params.chat_id_or_none(), arrived)
        try:
            result = await self._execute(request.match_info["token"], method, params)
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, body = error.status, error.to_json()
        except _DropConnection:
            self._record(call, 0)
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError() from None
        except Exception as error:  # a sandbox bug must not look like a Telegram answer
            log.exception("sandbox failed on %s", method)
            status = 500
            body = {
                "ok": False,
                "error_code": 500,
                "description": f"Internal Server Error: sandbox bug: {error!r}",
            }
        self._record(call, status)
        return web.json_response(body, status=status)

    async def _execute(self, token: str, method: str, params: Params) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        if self.faults.latency > 0:
            await asyncio.sleep(self.faults.latency)
        rule = self.faults.take(method, params.chat_id_or_none())
        if rule is not None:
            if rule.status == "timeout":
                await self._hold(self.faults.timeout_seconds)
                raise _DropConnection
            raise rule.to_error()
        handler = self._handlers.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        result = handler(params)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def _hold(self, seconds: float) -> None:
        """Sleep, but no longer than until the server stops."""
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    def _record(self, call: ApiCall, status: int) -> None:
        call.status = status
        self.calls.append(call)
        self.state.signal.notify()  # lets wait_for() / wait_for_message() re-check

    # -- HTTP: files -----------------------------------------------------------------------

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").to_json(), status=401)
        record = self.state.files.by_path(request.match_info["path"])
        if record is None:
            return web.json_response(ApiError(404, "Not Found").to_json(), status=404)
        return web.Response(
            body=record.data, content_type=record.mime_type or "application/octet-stream"
        )


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Query string plus body, whichever of JSON / form / multipart the client used."""
    raw: dict[str, Any] = dict(request.query)
    if request.method != "POST" or not request.body_exists:
        return raw
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: can't parse JSON object")
        raw.update(body)
    elif content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = bytes(await part.read(decode=False))
                mime = part.headers.get("Content-Type")
                raw[part.name] = UploadedFile(part.filename, mime, data)
            else:
                raw[part.name] = await part.text()
    else:
        form = await request.post()
        raw.update({name: value for name, value in form.items() if isinstance(value, str)})
    return raw
