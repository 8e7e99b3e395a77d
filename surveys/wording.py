"""What a reader is shown of a survey's texts, along the fallback chain (i18n/fallback.py)."""

from typing import Any

from i18n.fallback import Picked, pick
from surveys.models import Survey, SurveyQuestion


def survey_texts(survey: Survey, reader: str) -> Picked[dict[str, Any]]:
    """The survey's title, introduction and thank-you text in the reader's best language."""
    if not survey.texts:
        return Picked({"title": survey.form_id}, survey.default_language, reader)
    return pick(survey.texts, reader, survey.default_language, second=survey.second_language)


def survey_title(survey: Survey, reader: str) -> str:
    return str(survey_texts(survey, reader).text.get("title") or survey.form_id)


def question_texts(survey: Survey, question: SurveyQuestion, reader: str) -> Picked[dict[str, Any]]:
    """A question's label, hint and messages in the reader's best language."""
    return pick(question.texts, reader, survey.default_language, second=survey.second_language)


def message_for(survey: Survey, messages: dict[str, str], reader: str) -> str | None:
    """One of a question's messages (language → text) for the reader, if it has any."""
    if not messages:
        return None
    return pick(messages, reader, survey.default_language, second=survey.second_language).text
