"""The draft's summary and its options: other languages, questions, deadlines, the self
check-in radius, the reminder, co-organizers; dropping a question and saving the draft."""

from collections.abc import Callable
from html import escape
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler

from accounts.service import Permission, find_person
from events import organizing, rules
from events.models import Event, EventStatus, QuestionKind
from events.rules import EventRefused, Refusal
from events.service import can_create_events
from events.texts import question_text
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, requires
from handlers.organize import steps
from handlers.organize.flow import (
    LANGUAGE,
    NO_VALUE,
    QUESTION_DONE,
    QUESTION_KIND,
    SKIP,
    Awaiting,
    Next,
    Refused,
    Screen,
    Step,
    card_screen,
    focus,
    focused,
    int_args,
    managed,
    refusal_text,
    retry,
    run,
    summary_screen,
)


def _option_prompt(step: Step, event: Event, state: Awaiting) -> Screen:
    context, t, notes = step.context, step.t, step.notes
    language = t.language_name(notes.get("language") or event.fallback_language)
    none_button = [[context.button(t._("No deadline"), NO_VALUE)]]
    written = [text.language for text in event.texts]
    if state == Awaiting.TEXT_LANGUAGE:
        text = t._(
            "Which language do you want to add? Languages already written are marked ✓; "
            "choosing one again replaces it."
        )
        # The main language is offered too, so its title can be corrected after publishing.
        keyboard = steps.language_keyboard(context, LANGUAGE, written, skip="")
        return Screen(text, keyboard, state)
    if state == Awaiting.TRANSLATED_TITLE:
        return Screen(t._("Type the title in {language}.").format(language=language), None, state)
    if state == Awaiting.TRANSLATED_DESCRIPTION:
        text = t._("Type the description in {language}, or skip it.").format(language=language)
        return Screen(text, [[context.button(t._("Skip"), SKIP)]], state)
    if state == Awaiting.QUESTION_KIND:
        keyboard = [
            [context.button(t._("Free text"), QUESTION_KIND, QuestionKind.TEXT.value)],
            [context.button(t._("A choice from a list"), QUESTION_KIND, QuestionKind.CHOICE.value)],
        ]
        text = t._("People answer this question when they register. How do they answer it?")
        return Screen(text, keyboard, state)
    question = (
        organizing.question_at(event, int(notes["question"])) if "question" in notes else None
    )
    original = question_text(event, question, t.language).text if question else None
    if state == Awaiting.QUESTION_PROMPT:
        text = t._("Type the question in {language}.").format(language=language)
        if original:
            text += "\n\n" + escape(str(original["prompt"]))
        return Screen(text, None, state)
    if state == Awaiting.QUESTION_CHOICES:
        text = t._("Type the choices in {language}, one per line (from 2 to 10).").format(
            language=language
        )
        if original:
            text += "\n\n" + escape("\n".join(original["choices"]))
        return Screen(text, None, state)
    if state == Awaiting.QUESTION_LANGUAGE:
        assert question is not None
        text = t._("Question saved. Add it in another language, or tap Done.")
        keyboard = steps.language_keyboard(
            context, LANGUAGE, list(question.texts), event.fallback_language
        )
        keyboard.append([context.button(t._("Done"), QUESTION_DONE)])
        return Screen(text, keyboard, state)
    zone = escape(t.zone_name(event.timezone, step.now))
    if state == Awaiting.REGISTRATION_DEADLINE:
        text = t._(
            "Until when may people register? Type a local date and time in {zone} as "
            "YYYY-MM-DD HH:MM, before the start, or tap No deadline."
        ).format(zone=zone)
        return Screen(text, none_button, state)
    if state == Awaiting.CANCELLATION_DEADLINE:
        text = t._(
            "Until when may people cancel and free their seat? Type a local date and time in "
            "{zone} as YYYY-MM-DD HH:MM, before the start, or tap No deadline."
        ).format(zone=zone)
        return Screen(text, none_button, state)
    if state == Awaiting.CHECKIN_RADIUS:
        text = t._(
            "People can check themselves in by sharing their live location near the venue "
            "during the event. Within how many metres? Type a number from {low} to {high}, or "
            "tap Off."
        ).format(
            low=t.number(rules.SELF_CHECKIN_RADIUS_MIN_M),
            high=t.number(rules.SELF_CHECKIN_RADIUS_MAX_M),
        )
        return Screen(text, [[context.button(t._("Off"), NO_VALUE)]], state)
    if state == Awaiting.REMINDER_MINUTES:
        text = t._(
            "How many minutes before the start should the reminder go out? Type a number from "
            "{low} to {high}; it is {current} now."
        ).format(
            low=t.number(rules.REMINDER_MINUTES_MIN),
            high=t.number(rules.REMINDER_MINUTES_MAX),
            current=t.number(event.reminder_minutes_before),
        )
        return Screen(text, None, state)
    assert state == Awaiting.CO_ORGANIZER
    text = t._(
        "Who organizes this event with you? Type their @username or Telegram user id. They "
        "need the organizer role and must have started the bot."
    )
    return Screen(text, None, state)


@requires(Permission.ORGANIZE)
async def choose_option(update: Update, context: TidelineContext) -> Next:
    event_id, option = button_args(update)

    async def work(step: Step) -> Screen:
        event = await managed(step, int(event_id), changing=True)
        if option == Awaiting.QUESTION_KIND and not rules.may_add_question(event):
            raise Refused(refusal_text(step.t, Refusal.TOO_MANY_QUESTIONS))
        focus(step, event)
        return _option_prompt(step, event, Awaiting(option))

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def show_summary(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        event = await managed(step, event_id, changing=True)
        if event.status != EventStatus.DRAFT:
            return await card_screen(step, event)
        return await summary_screen(step, event)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def choose_language(update: Update, context: TidelineContext) -> Next:
    """A language for the event's texts, or for the question being written."""
    (language,) = button_args(update)

    async def work(step: Step) -> Screen:
        event = await focused(step)
        step.notes["language"] = language
        following = (
            Awaiting.QUESTION_PROMPT if "question" in step.notes else Awaiting.TRANSLATED_TITLE
        )
        return _option_prompt(step, event, following)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def choose_question_kind(update: Update, context: TidelineContext) -> Next:
    (kind,) = button_args(update)

    async def work(step: Step) -> Screen:
        event = await focused(step)
        focus(step, event, question_kind=kind)
        return _option_prompt(step, event, Awaiting.QUESTION_PROMPT)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def question_done(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        return await summary_screen(step, await focused(step))

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def skip_translated_description(update: Update, context: TidelineContext) -> Next:
    async def work(step: Step) -> Screen:
        event = await focused(step)
        # Skipping while rewriting a language keeps the description it already has.
        language = str(step.notes["language"])
        kept = next((text.description for text in event.texts if text.language == language), "")
        return await _save_translation(step, event, kept)

    return await run(update, context, work)


def no_value_for(option: Awaiting) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def chosen(update: Update, context: TidelineContext) -> Next:
        async def work(step: Step) -> Screen:
            event = await focused(step)
            if option == Awaiting.REGISTRATION_DEADLINE:
                organizing.set_registration_deadline(event, None, now=step.now)
            elif option == Awaiting.CANCELLATION_DEADLINE:
                await organizing.set_cancellation_deadline(step.session, event, None, now=step.now)
            else:
                organizing.set_self_checkin_radius(event, None, now=step.now)
            return await summary_screen(step, event, _saved(step, event, option))

        return await run(update, context, work)

    return chosen


async def _save_translation(step: Step, event: Event, description: str) -> Screen:
    language = str(step.notes["language"])
    organizing.set_event_text(
        event, language, step.notes["translated_title"], description, now=step.now
    )
    notice = step.t._("Added {language}.").format(language=step.t.language_name(language))
    return await summary_screen(step, event, notice)


async def _save_question(step: Step, event: Event, choices: list[str]) -> Screen:
    notes = step.notes
    language = str(notes.get("language") or event.fallback_language)
    if "question" in notes:
        question = organizing.question_at(event, int(notes["question"]))
        assert question is not None
        organizing.set_question_text(
            event, question, language, notes["prompt"], choices, now=step.now
        )
    else:
        question = organizing.add_question(
            event,
            QuestionKind(notes["question_kind"]),
            language,
            notes["prompt"],
            choices,
            now=step.now,
        )
        await step.session.flush()
    focus(step, event, question=question.position, question_kind=str(question.kind))
    return _option_prompt(step, event, Awaiting.QUESTION_LANGUAGE)


async def _find_co_organizer(step: Step, event: Event, text: str) -> Screen:
    t = step.t
    person = await find_person(step.session, text)
    if person is None:
        raise steps.Invalid(
            t._(
                "I don't know that person yet. Ask them to send /start to the bot first, then "
                "try again with their user id or @username."
            )
        )
    name = escape(steps.person_name(person))
    if not can_create_events(person, step.admins):
        raise steps.Invalid(
            t._(
                "{person} does not have the organizer role yet. An administrator can give it "
                "with /grant."
            ).format(person=name)
        )
    if organizing.add_co_organizer(event, person, now=step.now):
        notice = t._("{person} now organizes this event with you.").format(person=name)
    else:
        notice = t._("{person} already organizes this event.").format(person=name)
    return await summary_screen(step, event, notice)


async def _apply_option_text(step: Step, event: Event, state: Awaiting, text: str) -> Screen:
    t, notes = step.t, step.notes
    if state == Awaiting.TRANSLATED_TITLE:
        notes["translated_title"] = steps.parse_line(t, text, rules.TITLE_MAX_LENGTH)
        return _option_prompt(step, event, Awaiting.TRANSLATED_DESCRIPTION)
    if state == Awaiting.TRANSLATED_DESCRIPTION:
        return await _save_translation(step, event, steps.parse_description(t, text))
    if state == Awaiting.QUESTION_PROMPT:
        notes["prompt"] = steps.parse_line(t, text, rules.PROMPT_MAX_LENGTH)
        if notes.get("question_kind") == QuestionKind.CHOICE:
            return _option_prompt(step, event, Awaiting.QUESTION_CHOICES)
        return await _save_question(step, event, [])
    if state == Awaiting.QUESTION_CHOICES:
        question = (
            organizing.question_at(event, int(notes["question"])) if "question" in notes else None
        )
        expected = len(next(iter(question.texts.values())).get("choices", [])) if question else None
        return await _save_question(step, event, steps.parse_choices(t, text, expected))
    if state == Awaiting.REGISTRATION_DEADLINE:
        deadline = steps.parse_deadline(t, text, event, step.now)
        organizing.set_registration_deadline(event, deadline, now=step.now)
    elif state == Awaiting.CANCELLATION_DEADLINE:
        deadline = steps.parse_deadline(t, text, event, step.now)
        await organizing.set_cancellation_deadline(step.session, event, deadline, now=step.now)
    elif state == Awaiting.CHECKIN_RADIUS:
        radius = steps.parse_whole_number(
            t, text, rules.SELF_CHECKIN_RADIUS_MIN_M, rules.SELF_CHECKIN_RADIUS_MAX_M
        )
        organizing.set_self_checkin_radius(event, radius, now=step.now)
    elif state == Awaiting.REMINDER_MINUTES:
        minutes = steps.parse_whole_number(
            t, text, rules.REMINDER_MINUTES_MIN, rules.REMINDER_MINUTES_MAX
        )
        await organizing.set_reminder_minutes(step.session, event, minutes, now=step.now)
    elif state == Awaiting.CO_ORGANIZER:
        return await _find_co_organizer(step, event, text)
    return await summary_screen(step, event, _saved(step, event, state))


def _saved(step: Step, event: Event, state: Awaiting) -> str | None:
    """What a published event's card says after an option was changed (a draft's summary
    shows the new value instead)."""
    if event.status == EventStatus.DRAFT:
        return None
    if state == Awaiting.CANCELLATION_DEADLINE:
        return step.t._("Saved. Everyone registered will hear about the change.")
    return step.t._("Saved.")


def option_text(state: Awaiting) -> Callable[..., Any]:
    @requires(Permission.ORGANIZE)
    async def typed(update: Update, context: TidelineContext) -> Next:
        message = update.effective_message
        assert message is not None and message.text is not None
        text = message.text

        async def work(step: Step) -> Screen:
            event = await focused(step)
            try:
                return await _apply_option_text(step, event, state, text)
            except steps.Invalid as problem:
                return retry(step, problem, _option_prompt(step, event, state))
            except EventRefused as refused:
                raise Refused(refusal_text(step.t, refused.refusal)) from None

        return await run(update, context, work, edit=False)

    return typed


@requires(Permission.ORGANIZE)
async def drop_question(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        event = await managed(step, event_id, changing=True)
        removed = organizing.remove_last_question(event, now=step.now)
        notice = step.t._("Question removed.") if removed else None
        return await summary_screen(step, event, notice)

    return await run(update, context, work)


@requires(Permission.ORGANIZE)
async def save_draft(update: Update, context: TidelineContext) -> Next:
    (event_id,) = int_args(update)

    async def work(step: Step) -> Screen:
        event = await managed(step, event_id, changing=True)
        step.notes = steps.wizard_answers(step.notes)
        notice = step.t._("Saved as a draft. You find it under /organize whenever you want.")
        return await card_screen(step, event, notice, ConversationHandler.END)

    return await run(update, context, work)
