"""What an event's organizers wrote, as one reader gets it: title and description, and the
registration questions, each along the chain of i18n.fallback (the reader's language, the
event's second language or the reader's likely one, then the event's main language)."""

from collections.abc import Mapping
from typing import Any

from events.models import Event, EventText, RegistrationQuestion
from i18n.fallback import Picked, pick
from questions import Option, Question


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


def as_question(event: Event, question: RegistrationQuestion) -> Question:
    """The registration question as the question engine asks it. A choice is stored as its
    label in the event's main language, as exports and /mydata have always shown it."""
    texts = question.texts
    main = event.fallback_language
    stored = question_choices(event, question, main)
    options = [
        Option(
            value=value,
            labels={
                language: str(text["choices"][index])
                for language, text in texts.items()
                if isinstance(text.get("choices"), list) and index < len(text["choices"])
            },
        )
        for index, value in enumerate(stored)
    ]
    return Question(
        name=str(question.id),
        kind=question.kind,
        labels={language: str(text.get("prompt", "")) for language, text in texts.items()},
        main_language=main,
        second_language=event.second_language,
        options=options,
    )
