"""Survey results for organizers: /surveys lists the surveys of their events (administrators:
every survey, and "New partnership-wide survey", which setup.py answers), each opening its
results: invited, started, completed and the response rate, a page per question with its chart,
breakdowns by language, stakeholder role and country, the free-text answers a page at a time,
and the CSV and XLSX exports.

Every button checks again, on the server, that the person organizes the survey's event (or is
an administrator): a forged button, or one forwarded from another organizer, is refused. The
figures come from ``surveys.results`` inside the step's transaction; charts are drawn after it
committed, in a worker thread, so no transaction waits for matplotlib.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from html import escape

from babel.numbers import format_percent
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Chat, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

import charts
from accounts.models import StakeholderRole, User
from accounts.service import Permission
from events.models import Event, EventOrganizer
from events.service import is_organizer_of
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer, requires
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.profile_fields import STAKEHOLDER_LABELS
from handlers.surveys.actions import (
    EXPORT,
    NEW_PARTNERSHIP_SURVEY,
    OPEN_PARTNERSHIP_SURVEY,
    RESULTS,
)
from i18n import Translator
from i18n.fallback import pick
from questions import OTHER, Kind
from questions.engine import option_labels
from surveys import export, results
from surveys.definitions import as_question
from surveys.export import question_label
from surveys.models import Survey, SurveyQuestion, SurveyStatus
from surveys.results import Breakdown, Dimension, QuestionResult

LIST = "sv.reslist"  # page
QUESTION = "sv.resq"  # survey id, question position
BREAKDOWN = "sv.resby"  # survey id, question position, dimension
TEXTS = "sv.restx"  # survey id, question position, page
SURVEYS_PER_PAGE = 8
FORMATS = ("csv", "xlsx")
# A button's label stays readable on a phone.
BUTTON_LABEL_LENGTH = 48
# Chart labels longer than this are cut: a bar's label is a name, not a paragraph.
CHART_LABEL_LENGTH = 60


def _dimension_label(t: Translator, dimension: Dimension) -> str:
    labels = {
        Dimension.LANGUAGE: t._("By language"),
        Dimension.ROLE: t._("By stakeholder role"),
        Dimension.COUNTRY: t._("By country"),
    }
    return labels[dimension]


def survey_title(survey: Survey, language: str) -> str:
    if not survey.texts:
        return survey.form_id
    texts = pick(survey.texts, language, survey.default_language, second=survey.second_language)
    return str(texts.text.get("title", "")) or survey.form_id


def _short(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _percent(t: Translator, value: float) -> str:
    return format_percent(round(value) / 100, locale=t.locale)


async def _visible_surveys(
    session: AsyncSession, account: User, admin: bool, page: int
) -> tuple[list[Survey], int]:
    query = select(Survey)
    if not admin:
        query = query.join(Event, Event.id == Survey.event_id).where(
            Event.id.in_(
                select(EventOrganizer.event_id).where(EventOrganizer.user_id == account.id)
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    shown = await session.scalars(
        query.order_by(Survey.id.desc()).offset(page * SURVEYS_PER_PAGE).limit(SURVEYS_PER_PAGE)
    )
    return list(shown), int(total or 0)


def _is_admin(context: TidelineContext, account: User) -> bool:
    return account.telegram_id in context.services.settings.ADMIN_IDS


async def _list_screen(update: Update, context: TidelineContext, page: int) -> None:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    admin = _is_admin(context, account)
    surveys, total = await _visible_surveys(session, account, admin, page)
    # Administrators alone start a partnership-wide survey (setup.py asks for its file).
    new: Keyboard = (
        [[context.button(t._("New partnership-wide survey"), NEW_PARTNERSHIP_SURVEY)]]
        if admin
        else []
    )
    if not total:
        await answer(update, context, t._("None of your events has a survey yet."), new, edit=True)
        return
    lines = [t._("<b>Surveys</b> – tap one to see its results.")]
    keyboard: Keyboard = [
        [context.button(_short(survey_title(s, t.language), BUTTON_LABEL_LENGTH), RESULTS, s.id)]
        for s in surveys
    ]
    pages = (total + SURVEYS_PER_PAGE - 1) // SURVEYS_PER_PAGE
    paging = []
    if page > 0:
        paging.append(context.button("‹", LIST, page - 1))
    if page + 1 < pages:
        paging.append(context.button("›", LIST, page + 1))
    if paging:
        keyboard.append(paging)
    keyboard += new
    await answer(update, context, "\n".join(lines), keyboard, edit=True)


@requires(Permission.ORGANIZE)
async def list_surveys(update: Update, context: TidelineContext) -> None:
    await _list_screen(update, context, 0)


@requires(Permission.ORGANIZE)
async def list_page(update: Update, context: TidelineContext) -> None:
    (page,) = button_args(update)
    await _list_screen(update, context, max(int(page), 0))


async def _permitted_survey(
    update: Update, context: TidelineContext, survey_id: str
) -> Survey | None:
    """The survey, if this person organizes its event or is an administrator; else the button
    is answered with why not."""
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    survey = await session.get(Survey, int(survey_id)) if survey_id.isdigit() else None
    if survey is None:
        await context.answer_query(update, t._("That survey no longer exists."), show_alert=True)
        return None
    admins = context.services.settings.ADMIN_IDS
    if survey.event_id is None:
        allowed = _is_admin(context, account)
    else:
        event = await session.get(Event, survey.event_id)
        allowed = event is not None and is_organizer_of(event, account, admins)
    if not allowed:
        await context.answer_query(
            update,
            t._("Only the organizers of this survey's event can see its results."),
            show_alert=True,
        )
        return None
    return survey


def _status_text(t: Translator, survey: Survey) -> str:
    labels = {
        SurveyStatus.DRAFT: t._("draft"),
        SurveyStatus.OPEN: t._("open"),
        SurveyStatus.CLOSED: t._("closed"),
    }
    return labels.get(survey.status, str(survey.status))


@requires(Permission.ORGANIZE)
async def show_results(update: Update, context: TidelineContext) -> None:
    (survey_id,) = button_args(update)
    survey = await _permitted_survey(update, context, survey_id)
    if survey is None:
        return
    t = context.t
    overview = await results.overview(await context.session(), survey)
    rate = overview.response_rate
    lines = [
        f"<b>{escape(survey_title(survey, t.language))}</b> ({_status_text(t, survey)})",
        t._("Invited: {invited} · started: {started} · completed: {completed}").format(
            invited=t.number(overview.invited),
            started=t.number(overview.started),
            completed=t.number(overview.completed),
        ),
        t._("Response rate: {rate}").format(rate="–" if rate is None else _percent(t, rate)),
    ]
    if survey.anonymous:
        lines.append(t._("Anonymous: answers are linked to nobody."))
    lines.append(t._("Tap a question for its results and chart."))
    questions = [q for q in survey.questions if q.kind != Kind.NOTE]
    keyboard: Keyboard = [
        [
            context.button(
                _short(f"{number}. {question_label(survey, q, t.language)}", BUTTON_LABEL_LENGTH),
                QUESTION,
                survey.id,
                q.position,
            )
        ]
        for number, q in enumerate(questions, start=1)
    ]
    keyboard.append(
        [
            context.button(t._("Export CSV"), EXPORT, survey.id, "csv"),
            context.button(t._("Export XLSX"), EXPORT, survey.id, "xlsx"),
        ]
    )
    if survey.event_id is None:
        # Only administrators get here for a partnership-wide survey (_permitted_survey).
        keyboard.append(
            [context.button(t._("Audience and sending"), OPEN_PARTNERSHIP_SURVEY, survey.id)]
        )
    keyboard.append([context.button(t._("« All surveys"), LIST, 0)])
    await answer(update, context, "\n".join(lines), keyboard, edit=True)


def _question_at(survey: Survey, position: str) -> SurveyQuestion | None:
    return next(
        (q for q in survey.questions if str(q.position) == position and q.kind != Kind.NOTE), None
    )


def _option_text(t: Translator, survey: Survey, question: SurveyQuestion, value: str) -> str:
    if value == OTHER and question.other:
        return t._("Other")
    for option in question.options:
        if str(option["value"]) == value and option["labels"]:
            picked = pick(
                option["labels"],
                t.language,
                survey.default_language,
                second=survey.second_language,
            )
            return str(picked.text)
    if question.kind == Kind.YES_NO:
        return t._("Yes") if value == "yes" else t._("No") if value == "no" else value
    return value


def _point(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def _scale_words(survey: Survey, question: SurveyQuestion, reader: str) -> dict[Decimal, str]:
    """A rating's labelled points (1 → "Poor", 5 → "Excellent") in the reader's language,
    along the survey's fallback chain, as the person answering reads them."""
    if question.kind != Kind.RATING or not question.options:
        return {}
    engine_question = as_question(survey, question)
    labelled = tuple(option for option in engine_question.options if option.labels)
    labels = option_labels(replace(engine_question, options=labelled), reader)
    return {
        point: label
        for option, label in zip(labelled, labels, strict=True)
        if label and (point := _point(option.value)) is not None
    }


def _bar_label(
    t: Translator,
    survey: Survey,
    result: QuestionResult,
    count: results.Count,
    words: dict[Decimal, str],
) -> str:
    """A bar's (and a result line's) label: the option, the range, or the rating point with its
    word when the scale has one there ("1 · Poor", "3", "5 · Excellent")."""
    question = result.question
    if count.upper is not None:
        return f"{t.number(float(count.value))}–{t.number(float(count.upper))}"
    if question.kind in (Kind.RATING, Kind.INTEGER, Kind.DECIMAL):
        number = t.number(float(count.value))
        point = _point(count.value)
        word = words.get(point) if point is not None else None
        return f"{number} · {word}" if word else number
    return _option_text(t, survey, question, count.value)


def _result_lines(t: Translator, survey: Survey, result: QuestionResult) -> list[str]:
    question = result.question
    lines = [
        t.ngettext("{count} answer", "{count} answers", result.answered).format(
            count=t.number(result.answered)
        )
    ]
    if question.kind == Kind.MULTIPLE and result.answered:
        lines.append(t._("(Several could be chosen: shares are of those who answered.)"))
    if result.mean is not None and result.median is not None:
        lines.append(
            t._("Mean {mean} · median {median}").format(
                mean=t.number(round(result.mean, 2)), median=t.number(round(result.median, 2))
            )
        )
    words = _scale_words(survey, question, t.language)
    for count in result.counts:
        label = escape(_bar_label(t, survey, result, count, words))
        lines.append(
            f"• {label}: {t.number(count.count)} ({_percent(t, result.percent(count.count))})"
        )
    return lines


def _has_texts(question: SurveyQuestion) -> bool:
    return question.kind == Kind.TEXT or question.other


def _question_keyboard(
    context: TidelineContext, survey: Survey, question: SurveyQuestion
) -> Keyboard:
    t = context.t
    keyboard: Keyboard = rows(
        [
            context.button(
                _dimension_label(t, dimension), BREAKDOWN, survey.id, question.position, dimension
            )
            for dimension in results.available_dimensions(survey)
        ],
        2,
    )
    if _has_texts(question):
        keyboard.append(
            [context.button(t._("Read the answers"), TEXTS, survey.id, question.position, 0)]
        )
    shown = [q for q in survey.questions if q.kind != Kind.NOTE]
    index = shown.index(question)
    paging = []
    if index > 0:
        paging.append(
            context.button(t._("‹ Previous"), QUESTION, survey.id, shown[index - 1].position)
        )
    if index + 1 < len(shown):
        paging.append(context.button(t._("Next ›"), QUESTION, survey.id, shown[index + 1].position))
    if paging:
        keyboard.append(paging)
    keyboard.append([context.button(t._("« Back to the results"), RESULTS, survey.id)])
    return keyboard


def chart_of(t: Translator, survey: Survey, result: QuestionResult) -> Callable[[], bytes] | None:
    """What draws the question's chart (labels in the reader's language), or None for a
    question without one (free text, nobody answered)."""
    if not result.counts or not result.answered or len(result.counts) > charts.bar_chart.MAX_BARS:
        return None
    title = question_label(survey, result.question, t.language)
    words = _scale_words(survey, result.question, t.language)
    labels = [
        _short(_bar_label(t, survey, result, c, words), CHART_LABEL_LENGTH) for c in result.counts
    ]
    values = [float(c.count) for c in result.counts]
    shown = [f"{t.number(c.count)} ({_percent(t, result.percent(c.count))})" for c in result.counts]
    language = t.language
    return lambda: charts.bars(title, labels, values, language=language, value_labels=shown)


async def _send_chart(chat: Chat, draw: Callable[[], bytes], caption: str, failed: str) -> None:
    try:
        image = await asyncio.to_thread(draw)
    except (charts.UncoveredTextError, charts.MissingFontError):
        await chat.send_message(failed)
        return
    await chat.send_photo(InputFile(image, filename="chart.png"), caption=caption)


@requires(Permission.ORGANIZE)
async def show_question(update: Update, context: TidelineContext) -> None:
    survey_id, position = button_args(update)
    survey = await _permitted_survey(update, context, survey_id)
    if survey is None:
        return
    t = context.t
    question = _question_at(survey, position)
    if question is None:
        await context.answer_query(update, t._("That question no longer exists."), show_alert=True)
        return
    result = await results.question_result(await context.session(), question)
    label = question_label(survey, question, t.language)
    draw = chart_of(t, survey, result)
    chat = update.effective_chat
    assert chat is not None
    if draw is not None:
        failed = t._("This chart cannot be drawn: a label uses characters no font here has.")
        caption = _short(label, 1000)
        await context.answer_query(update)
        await context.send(lambda: _send_chart(chat, draw, caption, failed))
    text = "\n".join([f"<b>{escape(label)}</b>", *_result_lines(t, survey, result)])
    await answer(update, context, text, _question_keyboard(context, survey, question))


def _group_name(t: Translator, dimension: Dimension, key: str | None) -> str:
    if key is None:
        return t._("Not known")
    if dimension == Dimension.LANGUAGE:
        return t.language_name(key)
    if dimension == Dimension.COUNTRY:
        return t.country_name(key)
    role = next((r for r in StakeholderRole if r.value == key), None)
    return t._(STAKEHOLDER_LABELS[role]) if role else key


def _breakdown_lines(t: Translator, survey: Survey, found: Breakdown) -> list[str]:
    lines: list[str] = []
    question = found.question
    for group in found.groups:
        name = escape(_group_name(t, found.dimension, group.key))
        if group.hidden:
            lines.append(
                t._("<b>{group}</b>: fewer than {count} answers (hidden)").format(
                    group=name, count=t.number(results.MIN_GROUP)
                )
            )
            continue
        header = t.ngettext(
            "<b>{group}</b>: {count} answer", "<b>{group}</b>: {count} answers", group.size
        ).format(group=name, count=t.number(group.size))
        if group.mean is not None:
            header += " · " + t._("mean {mean}").format(mean=t.number(round(group.mean, 2)))
        lines.append(header)
        for count in group.counts:
            share = count.count * 100 / group.size if group.size else 0.0
            option = escape(_option_text(t, survey, question, count.value))
            lines.append(f"   {option}: {t.number(count.count)} ({_percent(t, share)})")
    if not found.groups:
        lines.append(t._("No answers yet."))
    return lines


@requires(Permission.ORGANIZE)
async def show_breakdown(update: Update, context: TidelineContext) -> None:
    survey_id, position, dimension_value = button_args(update)
    survey = await _permitted_survey(update, context, survey_id)
    if survey is None:
        return
    t = context.t
    question = _question_at(survey, position)
    dimension = next((d for d in Dimension if d.value == dimension_value), None)
    if question is None or dimension not in results.available_dimensions(survey):
        await context.answer_query(update, t._("That question no longer exists."), show_alert=True)
        return
    assert dimension is not None
    found = await results.breakdown(await context.session(), survey, question, dimension)
    lines = [
        f"<b>{escape(question_label(survey, question, t.language))}</b>",
        _dimension_label(t, dimension),
        t._(
            "Groups of fewer than {count} answers are not shown, so nobody can be singled out."
        ).format(count=t.number(results.MIN_GROUP)),
        "",
        *_breakdown_lines(t, survey, found),
    ]
    await answer(
        update, context, "\n".join(lines), _question_keyboard(context, survey, question), edit=True
    )


@requires(Permission.ORGANIZE)
async def show_texts(update: Update, context: TidelineContext) -> None:
    survey_id, position, page_value = button_args(update)
    survey = await _permitted_survey(update, context, survey_id)
    if survey is None:
        return
    t = context.t
    question = _question_at(survey, position)
    if question is None or not _has_texts(question):
        await context.answer_query(update, t._("That question no longer exists."), show_alert=True)
        return
    page = max(int(page_value), 0)
    texts, total = await results.free_text_page(await context.session(), question, page)
    pages = max((total + results.TEXT_PAGE_SIZE - 1) // results.TEXT_PAGE_SIZE, 1)
    lines = [f"<b>{escape(question_label(survey, question, t.language))}</b>"]
    lines.append(
        t._("Page {page} of {pages}").format(page=t.number(page + 1), pages=t.number(pages))
    )
    first = page * results.TEXT_PAGE_SIZE + 1
    lines += [f"{number}. {escape(text)}" for number, text in enumerate(texts, start=first)]
    if not total:
        lines.append(t._("No answers yet."))
    keyboard: Keyboard = []
    paging = []
    if page > 0:
        paging.append(
            context.button(t._("‹ Previous"), TEXTS, survey.id, question.position, page - 1)
        )
    if page + 1 < pages:
        paging.append(context.button(t._("Next ›"), TEXTS, survey.id, question.position, page + 1))
    if paging:
        keyboard.append(paging)
    keyboard.append([context.button(t._("« Back to the results"), RESULTS, survey.id)])
    # Free text may fill a message: answers are up to 1,000 characters, ten to a page.
    await answer(update, context, _fit("\n".join(lines)), keyboard, edit=True)


def _fit(text: str, limit: int = 4000) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def export_labels(t: Translator) -> dict[str, str]:
    return {
        "number": t._("No."),
        "language": t._("Language"),
        "name": t._("Name"),
        "other": t._("Other"),
        "sheet_title": t._("Responses"),
    }


@requires(Permission.ORGANIZE)
async def send_export(update: Update, context: TidelineContext) -> None:
    survey_id, extension = button_args(update)
    survey = await _permitted_survey(update, context, survey_id)
    if survey is None or extension not in FORMATS:
        return
    t = context.t
    session = await context.session()
    make: Callable[..., Awaitable[bytes]] = (
        export.responses_csv if extension == "csv" else export.responses_xlsx
    )
    data = await make(session, survey, language=t.language, labels=export_labels(t))
    filename = export.export_filename(survey, extension)
    caption = t._("Responses to {title}").format(title=survey_title(survey, t.language))
    chat = update.effective_chat
    assert chat is not None
    await context.answer_query(update)
    await context.send(
        lambda: chat.send_document(
            InputFile(data, filename=filename), caption=_short(caption, 1000)
        )
    )


def build_survey_results() -> list[BaseHandler[Update, TidelineContext, object]]:
    return [
        CommandHandler("surveys", list_surveys),
        CallbackQueryHandler(list_page, pattern=action_pattern(LIST)),
        CallbackQueryHandler(show_results, pattern=action_pattern(RESULTS)),
        CallbackQueryHandler(show_question, pattern=action_pattern(QUESTION)),
        CallbackQueryHandler(show_breakdown, pattern=action_pattern(BREAKDOWN)),
        CallbackQueryHandler(show_texts, pattern=action_pattern(TEXTS)),
        CallbackQueryHandler(send_export, pattern=action_pattern(EXPORT)),
    ]
