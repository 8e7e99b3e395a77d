"""What leaves the bot from the organizers' review: a data card's photos, and every card of the
cleanup as one spreadsheet laid out like the ICC data card (events.cleanup_export)."""

from collections.abc import Awaitable, Callable

from telegram import Chat, InputFile, Update

from events import cleanup_card as card
from events import cleanup_export
from events.cleanup_card import CATEGORIES
from events.models import Event
from handlers.cleanup.flow import FIGURE_LABELS, Awaiting, admins, while_open
from handlers.kit.callbacks import button_args
from handlers.kit.context import TidelineContext, account_of
from i18n import Translator


def export_labels(t: Translator) -> dict[str, str]:
    labels = {
        "report": t._("Report"),
        "submitted_at": t._("Submitted"),
        "reviewed": t._("Reviewed"),
        "people": t._(FIGURE_LABELS[card.Figure.PEOPLE]),
        "bags": t._(FIGURE_LABELS[card.Figure.BAGS]),
        "weight_kg": t._(FIGURE_LABELS[card.Figure.WEIGHT]),
        "distance_km": t._("Distance (km)"),
        cleanup_export.LOCAL_COLUMN: t._("Items of local concern"),
        cleanup_export.TOTAL_COLUMN: t._("Items in total"),
        "yes": t._("yes"),
        "no": t._("no"),
        "sheet_title": t._("Data cards"),
    }
    labels.update({f"item.{key}": t._(category.label) for key, category in CATEGORIES.items()})
    return labels


@while_open
async def export_cards(update: Update, context: TidelineContext) -> Awaiting:
    event_id, extension = button_args(update)
    session = await context.session()
    account = await account_of(session, update)
    reports = await card.reports_to_review(session, account, int(event_id), admins(context))
    event = await session.get(Event, int(event_id))
    assert event is not None
    make = cleanup_export.cleanup_csv if extension == "csv" else cleanup_export.cleanup_xlsx
    data = make(event, reports, labels=export_labels(context.t))
    filename = cleanup_export.export_filename(event.id, extension)
    chat = update.effective_chat
    assert chat is not None
    await context.answer_query(update)
    await context.send(lambda: chat.send_document(InputFile(data, filename=filename)))
    return Awaiting.REVIEW


@while_open
async def show_photos(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    session = await context.session()
    report = await card.managed_report(
        session, int(button_args(update)[0]), await account_of(session, update), admins(context)
    )
    chat = update.effective_chat
    assert chat is not None
    photos = list(report.photo_file_ids)
    await context.answer_query(update)
    for number, file_id in enumerate(photos, start=1):
        caption = t._("Report {number}: photo {index} of {count}").format(
            number=report.id, index=t.number(number), count=t.number(len(photos))
        )
        await context.send(_photo_sender(chat, file_id, caption))
    return Awaiting.REVIEW


def _photo_sender(chat: Chat, file_id: str, caption: str) -> Callable[[], Awaitable[object]]:
    return lambda: chat.send_photo(file_id, caption=caption)
