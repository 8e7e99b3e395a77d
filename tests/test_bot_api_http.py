"""handlers.bot_api_http: the aiohttp client under PTB maps failures to PTB's own errors and
uploads files (the flows' calendar files, QR codes and exports go through it as well)."""

import socket

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from handlers.runtime.bot_api_http import AiohttpRequest
from sandbox import SandboxServer


def _bot(base_url: str, token: str, request: AiohttpRequest) -> Bot:
    return Bot(token, base_url=f"{base_url}/bot", request=request, get_updates_request=request)


async def test_a_slow_answer_is_a_timeout(sandbox: SandboxServer) -> None:
    sandbox.faults.timeout_seconds = 2.0
    async with _bot(sandbox.base_url, sandbox.token, AiohttpRequest(read_timeout=0.2)) as bot:
        sandbox.faults.add("getMe", status="timeout")
        with pytest.raises(TimedOut):
            await bot.get_me()
        assert (await bot.get_me()).is_bot


async def test_an_unreachable_api_is_a_network_error(sandbox: SandboxServer) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    bot = _bot(f"http://127.0.0.1:{closed_port}", sandbox.token, AiohttpRequest())
    with pytest.raises(NetworkError):
        await bot.initialize()
    await bot.shutdown()


async def test_an_upload_arrives_whole(sandbox: SandboxServer) -> None:
    person = sandbox.user(4242, first_name="Mai")
    await person.send_command("start")  # a private chat exists once the person writes
    async with _bot(sandbox.base_url, sandbox.token, AiohttpRequest()) as bot:
        data = "BEGIN:VCALENDAR\r\nSUMMARY:เก็บขยะ\r\nEND:VCALENDAR\r\n".encode()
        await bot.send_document(person.id, data, filename="cleanup.ics", caption="ปฏิทิน")
    assert person.last is not None and person.last.document is not None
    assert person.last.document.data == data
    assert person.last.document.filename == "cleanup.ics"
    assert person.last.text == "ปฏิทิน"
