"""A survey's definition as a value: what an XLSForm file holds, what is stored, what exports
write back. Import (``surveys.xlsform``) builds one, ``surveys.definitions`` saves it."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from questions import Kind, Option


@dataclass(frozen=True)
class QuestionTexts:
    label: str
    hint: str = ""
    constraint_message: str = ""
    required_message: str = ""


@dataclass(frozen=True)
class FormQuestion:
    name: str
    kind: Kind
    texts: Mapping[str, QuestionTexts]
    required: bool = False
    # Skip logic: shown only when this holds (surveys.expressions); None: always.
    relevant: str | None = None
    constraint: str | None = None
    options: tuple[Option, ...] = ()
    other: bool = False
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class SurveyTexts:
    title: str
    introduction: str = ""
    thank_you: str = ""


@dataclass(frozen=True)
class Form:
    form_id: str
    default_language: str
    texts: Mapping[str, SurveyTexts]
    questions: tuple[FormQuestion, ...]
    version: str | None = None
    anonymous: bool = False
    second_language: str | None = field(default=None)

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language something is written in, the default first."""
        seen = dict.fromkeys([self.default_language, *self.texts])
        for question in self.questions:
            seen.update(dict.fromkeys(question.texts))
        return tuple(seen)
