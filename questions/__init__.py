"""One question engine for everything the bot asks people as a form.

Registration questions (events) and post-event survey questions (surveys) are the same idea: a
typed question with a stable name, its wording per language (a label, for choices the options),
rules (required, a length or a range) and validation of what a person typed or tapped. So there
is one engine, here, and both map their own rows onto its ``Question``: ``events.texts`` does it
for registration questions, the surveys package will for its own. The engine knows neither
Telegram nor the database: it turns a person's input into the value to store, or raises
``InvalidAnswer`` naming the problem, which the chat layer words in the reader's language.

Choosing the wording shown to a reader follows the one fallback chain of ``i18n.fallback``.
Answers to choices are stored as the option's value (language-independent), so exports and
results compare like with like whatever language each person answered in.

Extending it: add the kind to ``Kind`` and its parser to ``PARSERS``; a kind's parser receives
the question, the typed text and the reader's language (numbers are read in the reader's
convention, ``i18n.numbers``). Kinds answered by buttons use ``answer_chosen`` (one option, yes
or no) and ``answer_chosen_many`` (multiple choice). The survey kinds – multiple choice with an
optional "other, please say", ratings, integers and decimals with bounds, dates, yes/no and
notes – came with the surveys package, which adds skip logic and constraints on top.
"""

from questions.engine import (
    OTHER,
    PARSERS,
    InvalidAnswer,
    Kind,
    Option,
    Problem,
    Question,
    answer_chosen,
    answer_chosen_many,
    answer_typed,
    rating_points,
    wording,
)

__all__ = [
    "OTHER",
    "PARSERS",
    "InvalidAnswer",
    "Kind",
    "Option",
    "Problem",
    "Question",
    "answer_chosen",
    "answer_chosen_many",
    "answer_typed",
    "rating_points",
    "wording",
]
