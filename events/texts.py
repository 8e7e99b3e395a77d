"""What an event's organizers wrote, as one reader gets it: title and description, and the
registration questions, each along the chain of i18n.fallback (the reader's language, the
event's second language or the reader's likely one, then the event's main language)."""

from collections.abc import Mapping
from typing import Any

from events.models import Event, EventText, RegistrationQuestion
from i18n.fallback import Picked, pick


def event_text(event: Event, reader: str) -> Picked[EventText]:
    texts = {text.language: text for text in event.texts}
    return pick(texts, reader, event.fallback_language, second=event.second_language)


def event_title(event: Event, reader: str) -> str:
    return event_text(event, reader).text.title


def question_text(
    event: Event, question: RegistrationQuestion, reader: str
) -> Picked[Mapping[str, Any]]:
    """A question's prompt and choices ({"prompt": str, "choices": [str, ...]})."""
    return pick(question.texts, reader, event.fallback_language, second=event.second_language)


def question_choices(event: Event, question: RegistrationQuestion, reader: str) -> list[str]:
    choices = question_text(event, question, reader).text.get("choices")
    return [str(choice) for choice in choices] if isinstance(choices, list) else []
