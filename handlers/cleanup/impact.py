"""/impact: what each of the person's cleanups achieved, and their own part in it; the same
summary goes out a day after a cleanup (the outbox renderer)."""

from telegram import Update
from telegram.ext import CommandHandler

from events import cleanup_card as card
from events.notices import Kind
from handlers.cleanup.flow import escaped_title, figures_line
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.runtime.sender import Outgoing, Renderer, RenderRequest, SkipSend
from i18n import Translator


def impact_text(t: Translator, impacts: list[card.EventImpact]) -> str:
    if not impacts:
        return t._(
            "None of your cleanups has data yet. After a cleanup, send /report to add your "
            "group's data card."
        )
    lines = [t._("<b>Your cleanup impact</b>")]
    for impact in impacts:
        event, totals = impact.event, impact.totals
        lines += [
            "",
            f"<b>{escaped_title(t, event)}</b> · {t.date(event.starts_at, event.timezone)}",
            t._("<b>Everyone</b>: {figures}").format(figures=figures_line(t, totals)),
            t._("{reviewed} of {reports} data cards reviewed by the organizers").format(
                reviewed=t.number(totals.reviewed), reports=t.number(totals.reports)
            ),
        ]
        if impact.own is not None:
            lines.append(
                t._("<b>Your data card</b>: {figures}").format(figures=figures_line(t, impact.own))
            )
        else:
            lines.append(t._("You took part: thank you!"))
    return "\n".join(lines)


async def show_impact(update: Update, context: TidelineContext) -> None:
    session = await context.session()
    account = await account_of(session, update)
    impacts = await card.impact_of(session, account)
    await answer(update, context, impact_text(context.t, impacts))


def build_impact() -> CommandHandler:
    return CommandHandler("impact", show_impact)


async def render_impact(request: RenderRequest) -> Outgoing:
    """A day after a cleanup: what everyone collected and the person's own data card."""
    event_id = int(request.payload["event_id"])
    impacts = [
        impact
        for impact in await card.impact_of(request.session, request.user)
        if impact.event.id == event_id and impact.totals.reports
    ]
    if not impacts:
        raise SkipSend("no data card for this cleanup")
    return Outgoing(text=impact_text(request.t, impacts))


RENDERERS: dict[str, Renderer] = {Kind.IMPACT: render_impact}
