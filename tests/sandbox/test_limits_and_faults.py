"""Flood limits, the send-log helpers, and fault injection, seen through a real PTB Bot."""

from __future__ import annotations

import time
import warnings
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from sandbox import (
    FloodPolicy,
    SandboxServer,
    SandboxUser,
    SendRecord,
    busiest_window,
    per_chat_violations,
)

from .conftest import make_bot

# PTB 22 warns that duration attributes will become timedeltas; not the sandbox's concern.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns that this becomes a timedelta
        warnings.simplefilter("ignore")
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


# -- flood limits -------------------------------------------------------------------------


async def test_private_chat_burst_then_retry_after(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    server.flood = FloodPolicy(private_burst=3, private_per_second=1.0)
    for number in range(3):
        await bot.send_message(alice.id, f"burst {number}")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(alice.id, "one too many")
    assert retry_seconds(raised.value) == 1
    assert server.calls[-1].status == 429
    # Edits, answers and chat actions are not counted.
    await bot.edit_message_text("edited", alice.id, alice.messages[0].message_id)
    await bot.send_chat_action(alice.id, "typing")
    # A paid broadcast is not bound by the per-chat limit.
    await bot.send_message(alice.id, "paid", allow_paid_broadcast=True)
    assert len(server.sends) == 4


async def test_global_limit_across_chats(server: SandboxServer, bot: Bot) -> None:
    server.flood.global_per_second = 5
    users = [server.user(2000 + n, first_name=f"U{n}") for n in range(6)]
    for user in users:
        await user.send_text("hi")
    for user in users[:5]:
        await bot.send_message(user.id, "news")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[5].id, "news")
    server.flood.enabled = False
    await bot.send_message(users[5].id, "news")
    assert server.busiest_window(1.0) == 6


async def test_group_limit_per_minute(server: SandboxServer, bot: Bot) -> None:
    server.flood.group_per_minute = 3
    group = server.group(-4001, title="Small group")
    for number in range(3):
        await bot.send_message(group.id, f"group {number}")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(group.id, "fourth")
    assert 50 <= retry_seconds(raised.value) <= 60


def test_flood_helpers_on_a_synthetic_log() -> None:
    sends = [
        SendRecord(0.0, 1, "sendMessage", private=True),
        SendRecord(0.5, 1, "sendMessage", private=True),  # 0.5 s after the previous: violation
        SendRecord(0.6, 2, "sendMessage", private=True),
        SendRecord(0.9, -5, "sendMessage", private=False),
        SendRecord(2.0, 1, "sendMessage", private=True),
        SendRecord(2.1, 2, "sendMessage", private=True),
    ]
    assert busiest_window(sends, 1.0) == 4
    assert busiest_window(sends, 0.25) == 2
    assert per_chat_violations(sends, 1.0) == 1
    assert per_chat_violations(sends, 2.0) == 3
    assert busiest_window([]) == 0


async def test_flood_helpers_on_live_sends(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    for number in range(4):
        await bot.send_message(alice.id, f"quick {number}")
    assert server.busiest_window() == 4
    assert server.per_chat_violations(min_interval=1.0) == 3
    assert {record.chat_id for record in server.sends} == {alice.id}


# -- fault injection ----------------------------------------------------------------------


async def test_injected_500_raises_network_error_once(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    server.faults.add(method="sendMessage", status=500)
    with pytest.raises(NetworkError):
        await bot.send_message(alice.id, "lost")
    await bot.send_message(alice.id, "delivered")
    assert [c.status for c in server.calls_to("sendMessage")] == [500, 200]
    assert [m.text for m in alice.messages] == ["delivered"]


async def test_injected_faults_by_status_and_chat(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    bob = server.user(1002, first_name="Bob")
    await bob.send_text("hi")
    server.faults.add(status=403, chat_id=bob.id, count=2)
    server.faults.add(method="sendMessage", status=429, retry_after=7)
    server.faults.add(method="sendMessage", status=502)
    server.faults.add(method="sendMessage", status=400, description="Bad Request: custom")
    await bot.get_me()  # no chat_id: the 403 rule for Bob does not match
    with pytest.raises(Forbidden):
        await bot.send_message(bob.id, "x")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(alice.id, "x")
    assert retry_seconds(raised.value) == 7
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(alice.id, "x")
    with pytest.raises(BadRequest, match="(?i)custom"):
        await bot.send_message(alice.id, "x")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(bob.id, "typing")
    assert server.faults.pending == 0
    await bot.send_message(bob.id, "finally")


async def test_timeout_fault_drops_the_connection(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    server.faults.timeout_seconds = 5
    server.faults.add(method="sendMessage", status="timeout")
    async with make_bot(server, read_timeout=0.3) as impatient:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await impatient.send_message(alice.id, "slow")
        assert time.monotonic() - started < 3
    server.faults.timeout_seconds = 0.1
    server.faults.add(method="getMe", status="timeout")
    with pytest.raises(NetworkError):  # the server hangs up before the bot's read timeout
        await bot.get_me()
    assert server.calls_to("getMe")[-1].status == 0
    assert alice.messages == []


async def test_latency_is_added_to_every_response(server: SandboxServer, bot: Bot) -> None:
    server.faults.latency = 0.2
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.2
    server.faults.clear()
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started < 0.2
