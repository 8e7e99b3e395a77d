"""How the outbox kinds of surveys (surveys.invitations.Kind) read when they are sent: in the
recipient's language at send time, with a button that opens the survey (its ``sv_`` link).

Cut-offs — a send that no longer makes sense when it falls due is skipped with the reason kept on
its outbox row:

* ``survey.invitation`` and ``survey.reminder``: the survey is closed (or no longer answerable),
  the person has already answered it, erased their data, or withdrew consent to event logistics
  (post-event survey) or to news (partnership-wide survey, invited as broadcasts are).
"""

from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from accounts.models import ConsentPurpose
from accounts.service import consents_of
from events.models import Event
from events.texts import event_title
from handlers.kit.deep_links import SURVEY, start_url
from handlers.runtime.sender import Outgoing, Renderer, RenderRequest, SkipSend
from i18n.fallback import pick
from surveys.definitions import answerable
from surveys.invitations import Kind
from surveys.models import Survey
from surveys.responses import has_submitted, questions_left, response_of


async def _still_wanted(request: RenderRequest) -> tuple[Survey, Event | None]:
    survey = await request.session.get(Survey, request.payload["survey_id"])
    if survey is None:
        raise SkipSend("survey no longer exists")
    if not answerable(survey, request.now):
        raise SkipSend("survey closed")
    event = None
    if survey.event_id is not None:
        event = await request.session.get(Event, survey.event_id)
        if event is None:
            raise SkipSend("event no longer exists")
    person = request.user
    if person.erased_at is not None:
        raise SkipSend("person erased their data")
    if event is not None and not consents_of(person)[ConsentPurpose.EVENT_LOGISTICS]:
        raise SkipSend("consent to event logistics withdrawn")
    if event is None and not consents_of(person)[ConsentPurpose.NEWS]:
        raise SkipSend("consent to news withdrawn")
    if await has_submitted(request.session, survey, person.id):
        raise SkipSend("already answered")
    return survey, event


def survey_title(request: RenderRequest, survey: Survey) -> str:
    titles = {
        language: str(texts.get("title", ""))
        for language, texts in survey.texts.items()
        if texts.get("title")
    }
    if not titles:
        return ""
    picked = pick(
        titles, request.t.language, survey.default_language, second=survey.second_language
    )
    return picked.text


def _open_button(request: RenderRequest, survey: Survey, label: str) -> InlineKeyboardMarkup:
    url = start_url(request.bot_username, f"{SURVEY}{survey.id}")
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, url=url)]])


def _heading(request: RenderRequest, survey: Survey, event: Event | None) -> str:
    title = survey_title(request, survey)
    if event is None:
        heading = title or request.t._("A survey from the partnership")
        return f"📝 <b>{escape(heading)}</b>"
    named = f" – <i>{escape(title)}</i>" if title else ""
    return f"📝 <b>{escape(event_title(event, request.t.language))}</b>{named}"


async def render_invitation(request: RenderRequest) -> Outgoing:
    survey, event = await _still_wanted(request)
    t = request.t
    body = (
        t._(
            "Thank you for taking part! How was it? A few questions help the organizers make "
            "the next one better."
        )
        if event is not None
        else t._("The partnership would like to hear from you: a few questions, a few minutes.")
    )
    text = _heading(request, survey, event) + "\n\n" + body
    if survey.anonymous:
        text += "\n" + t._("Your answers are anonymous: nobody can see who gave them.")
    return Outgoing(text=text, keyboard=_open_button(request, survey, t._("Start")))


async def render_reminder(request: RenderRequest) -> Outgoing:
    survey, event = await _still_wanted(request)
    t = request.t
    response = await response_of(request.session, survey, request.user.id)
    if response is None:
        body = (
            t._("A reminder: the organizers would still like to hear how it was for you.")
            if event is not None
            else t._("A reminder: the partnership would still like to hear from you.")
        )
        label = t._("Start")
    else:
        left = questions_left(survey, response)
        body = t.ngettext(
            "You are almost done: {count} question is left. Your answers so far are kept.",
            "You are almost done: {count} questions are left. Your answers so far are kept.",
            left,
        ).format(count=t.number(left))
        label = t._("Continue")
    text = _heading(request, survey, event) + "\n\n" + body
    return Outgoing(text=text, keyboard=_open_button(request, survey, label))


RENDERERS: dict[str, Renderer] = {
    Kind.INVITATION: render_invitation,
    Kind.REMINDER: render_reminder,
}
