"""Prints what simulated people do and what the bot answers, as a readable chat transcript."""

import struct
from typing import Any
from urllib.parse import unquote

WIDTH = 78
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def describe_photo(data: bytes) -> str:
    """A PNG's pixel size from its header (the first chunk, IHDR), and its size in KB."""
    if data.startswith(PNG_SIGNATURE) and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return f"PNG, {width}×{height} px, {round(len(data) / 1024)} KB"
    return f"{len(data)} bytes"


def _button_rows(message: Any) -> list[str]:
    """Each row of buttons; a link button shows where it leads (the Share button's message)."""
    markup = message.markup
    rows = markup.data.get("inline_keyboard", []) if markup is not None else []
    return [
        "  ".join(
            f"[{button['text']} → {unquote(button['url'])}]"
            if "url" in button
            else f"[{button['text']}]"
            for button in row
        )
        for row in rows
    ]


class Transcript:
    def __init__(self, runner: Any) -> None:
        self._runner = runner
        self._seen: dict[int, tuple[int, int]] = {}  # user id -> (messages seen, edits seen)

    def scene(self, title: str) -> None:
        print(f"\n{'═' * WIDTH}\n  {title}\n{'═' * WIDTH}")

    async def act(self, person: Any, description: str, action: Any) -> None:
        print(f"\n  {person.first_name} ▸ {description}")
        await self._shows_changes(person, self._runner.do(action))

    async def meanwhile(self, person: Any, description: str, work: Any) -> None:
        """Something the bot does on its own (a timer, a job); show what changed for ``person``."""
        print(f"\n  ⏱ {description}")
        await self._shows_changes(person, work)

    async def _shows_changes(self, person: Any, work: Any) -> None:
        before = {message.message_id: (message.edited, message.text) for message in person.messages}
        await work
        for message in person.messages:
            if message.message_id not in before:
                self._print_bot(message, edited=False)
            elif message.edited != before[message.message_id][0] and not message.deleted:
                if message.text == before[message.message_id][1]:
                    self._print_buttons_update(message)
                else:
                    self._print_bot(message, edited=True)
        for reply in person.callback_answers[len(getattr(person, "_demo_answers", [])) :]:
            if reply.get("text"):
                print(f"    ◂ (pop-up) {reply['text']}")
        person._demo_answers = list(person.callback_answers)

    async def deliveries(self, description: str, people: list[Any]) -> None:
        """Let the outbox send what is due at the clock's time; show what each person got."""
        marks = {person.id: person.mark() for person in people}
        print(f"\n  ⏱ {description}")
        report = await self._runner.deliver_due()
        for person in people:
            for message in person.inbox_since(marks[person.id]):
                print(f"    → to {person.first_name}:")
                self._print_bot(message, edited=False)
        print(f"    (outbox: {report.sent} sent, {report.skipped} skipped)")

    @staticmethod
    def _print_buttons_update(message: Any) -> None:
        if not message.buttons:
            print("    ◂ Tideline (edited): buttons removed from the message above")
            return
        print("    ◂ Tideline (edited): buttons now")
        for row in _button_rows(message):
            print("      " + row)

    @staticmethod
    def _print_bot(message: Any, *, edited: bool) -> None:
        label = "Tideline (edited)" if edited else "Tideline"
        lines = (message.text or "").splitlines()
        if not lines:
            kind = "a map" if message.venue else "a file" if message.document else "a photo"
            lines = [f"({kind})"]
        print(f"    ◂ {label}: {lines[0]}")
        for line in lines[1:]:
            print(f"      {line}")
        if message.venue:
            print(f"      [map: {message.venue['title']}, {message.venue['address']}]")
        if message.photo:
            print(f"      [photo: {describe_photo(message.photo)}]")
        if message.document:
            print(f"      [file: {message.document.filename}, {len(message.document.data)} bytes]")
        for row in _button_rows(message):
            print("      " + row)
