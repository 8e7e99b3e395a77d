"""The README's instructions work as written and point only at files inside the repository."""

import json
import re
import shlex
from pathlib import Path

import aiohttp

from demo.runner import BotRunner

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
README_SANDBOX = "http://127.0.0.1:8081"


def _curl_lines() -> list[list[str]]:
    return [shlex.split(line) for line in README.splitlines() if line.startswith("curl ")]


async def test_the_sandbox_walkthrough_works_as_written(bot: BotRunner) -> None:
    commands = _curl_lines()
    assert len(commands) >= 4
    answers: dict[str, object] = {}
    async with aiohttp.ClientSession() as http:
        for words in commands:
            url = next(word for word in words if word.startswith(README_SANDBOX))
            target = url.replace(README_SANDBOX, bot.server.base_url)
            if "-d" in words:
                body = json.loads(words[words.index("-d") + 1])
                async with http.post(target, json=body) as response:
                    answer = await response.json()
                assert answer["ok"], answer
                await bot.settle(answer["update"])
            else:
                async with http.get(target) as response:
                    answers[url.rsplit("/", 1)[-1]] = await response.json()
    messages = answers["messages"]
    assert isinstance(messages, list) and "Choose your language" in messages[-1]["text"]
    menu = answers["commands"]
    assert isinstance(menu, list) and menu[0]["command"] == "start"
    assert answers["calls"]


def test_the_sandbox_line_it_quotes_is_what_the_sandbox_prints() -> None:
    assert (
        f"Telegram sandbox listening: BOT_API_BASE_URL={README_SANDBOX} "
        "BOT_TOKEN=123456:SANDBOX-TOKEN" in README
    )


def test_every_file_it_names_is_inside_the_repository() -> None:
    assert not re.search(r"(?<!\.)\.\./", README), "a path leads out of the repository"
    named = set(re.findall(r"`([\w./-]+\.(?:py|yaml|md|yml|example))`", README))
    assert named, "the README names files"
    missing = sorted(name for name in named if not (ROOT / name).exists())
    assert not missing, missing
