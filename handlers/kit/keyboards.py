"""Inline keyboards as lists of button rows."""

from telegram import InlineKeyboardButton

Keyboard = list[list[InlineKeyboardButton]]


def rows(buttons: list[InlineKeyboardButton], width: int) -> Keyboard:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]
