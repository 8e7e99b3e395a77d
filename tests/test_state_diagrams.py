"""Each large conversation's Mermaid diagram names exactly the states its builder declares."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from telegram.ext import ConversationHandler

from handlers.broadcasts.compose import build_broadcast
from handlers.cleanup.report import build_cleanup_card
from handlers.events.registration import build_registration
from handlers.organize.conversation import build_organize
from handlers.people.onboarding import build_onboarding
from handlers.pledges.company import build_company
from handlers.pledges.pledge_wizard import build_pledge_wizard
from handlers.pledges.report import build_progress_report
from handlers.pledges.review import build_review
from handlers.surveys.answer import build_answering
from handlers.surveys.setup import build_survey_setup

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
TRANSITION = re.compile(r"^\s*(\S+)\s+-->\s+([^\s:]+)")
CHOICE = re.compile(r"^\s*state\s+(\S+)\s+<<choice>>")


def _diagram_states(path: Path) -> set[str]:
    """The states a stateDiagram-v2 draws, without its start/end and its choice points."""
    lines = path.read_text().splitlines()
    choices = {match.group(1) for line in lines if (match := CHOICE.match(line))}
    ends = {name for line in lines if (match := TRANSITION.match(line)) for name in match.groups()}
    return ends - choices - {"[*]"}


# Conversations track people per chat, as build_application says when it builds them.
@pytest.mark.filterwarnings("ignore:If 'per_message=False':telegram.warnings.PTBUserWarning")
@pytest.mark.parametrize(
    ("diagram", "build"),
    [
        ("organize/conversation.mmd", build_organize),
        ("cleanup/report.mmd", build_cleanup_card),
        ("broadcasts/compose.mmd", build_broadcast),
        ("events/registration.mmd", build_registration),
        ("people/onboarding.mmd", build_onboarding),
        ("pledges/company.mmd", build_company),
        ("pledges/pledge_wizard.mmd", build_pledge_wizard),
        ("pledges/report.mmd", build_progress_report),
        ("pledges/review.mmd", build_review),
        ("surveys/setup.mmd", build_survey_setup),
        ("surveys/answer.mmd", build_answering),
    ],
)
def test_diagram_draws_every_state_of_its_conversation(
    diagram: str, build: Callable[[], ConversationHandler]
) -> None:
    declared = {state.name for state in build().states}
    assert _diagram_states(HANDLERS / diagram) == declared
