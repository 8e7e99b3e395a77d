"""/pledges: the public registry of accepted pledges, for everyone. Filters by country and sector
and pages are buttons; each company's card has its commitments, latest verified figures, its
standing and a progress chart (charts.trajectory_chart); organizers and reviewers export the
registry as CSV or XLSX (pledges.export).

Everything is read again on each press: a button only says what to show, and a company whose
pledge is no longer public (withdrawn, merged) is refused like a forged one."""

from collections.abc import Awaitable, Callable
from html import escape

from telegram import Chat, InputFile, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler

from accounts.models import User
from accounts.service import Permission, has_permission
from charts.trajectory_chart import MAX_METRICS, MetricSeries, trajectory
from handlers.kit import profile_fields
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.keyboards import Keyboard, rows
from handlers.pledges.actions import COMPANY_CARD
from handlers.pledges.pledge_texts import SECTOR_LABELS
from handlers.pledges.progress_texts import METRIC_NAMES, PROGRESS_LABELS
from i18n import Translator, lazy
from i18n.fallback import pick
from pledges import brand_audits, export, public, service
from pledges.content import COUNT_METRICS
from pledges.models import (
    PERCENT_METRICS,
    Commitment,
    Company,
    Metric,
    Pledge,
    ProblematicItem,
    Sector,
)
from pledges.service import Figure, Standing

REGISTRY = "pl.reg"  # country or ANY, sector or ANY, page
FILTER = "pl.regf"  # COUNTRY_FILTER or SECTOR_FILTER, country or ANY, sector or ANY
EXPORT = "pl.export"  # "csv" or "xlsx"
ANY = "-"
COUNTRY_FILTER = "country"
SECTOR_FILTER = "sector"
PAGE_SIZE = 5
EXPORT_FORMATS = ("csv", "xlsx")

ITEM_LABELS = {
    ProblematicItem.PVC: lazy("PVC"),
    ProblematicItem.PS_EPS: lazy("PS/EPS"),
    ProblematicItem.OXO_DEGRADABLE: lazy("oxo-degradable plastics"),
    ProblematicItem.STRAWS: lazy("straws"),
    ProblematicItem.STIRRERS: lazy("stirrers"),
    ProblematicItem.CUTLERY: lazy("cutlery"),
    ProblematicItem.CARRIER_BAGS: lazy("carrier bags"),
    ProblematicItem.MULTILAYER_SACHETS: lazy("multilayer sachets"),
    ProblematicItem.SHRINK_SLEEVES: lazy("shrink sleeves"),
}
STANDING_LABELS = {
    Standing.ON_TRACK: lazy("on track"),
    Standing.BEHIND: lazy("behind"),
    Standing.NOT_REPORTING: lazy("not reporting"),
    Standing.NO_REPORT_YET: lazy("no verified report yet"),
}


def _admins(context: TidelineContext) -> frozenset[int]:
    return context.services.settings.ADMIN_IDS


def may_export(user: User, admin_ids: frozenset[int]) -> bool:
    return has_permission(user, Permission.ORGANIZE, admin_ids) or has_permission(
        user, Permission.REVIEW, admin_ids
    )


def company_name(t: Translator, company: Company) -> str:
    return pick(company.names, t.language, company.main_language).text


def sector_label(t: Translator, sector: str) -> str:
    return t._(SECTOR_LABELS[Sector(sector)])


def _percent(t: Translator, value: float) -> str:
    return t._("{value}%").format(value=t.number(round(value, 1)))


def _value(t: Translator, commitment: Commitment, value: float) -> str:
    if commitment.metric in PERCENT_METRICS:
        return _percent(t, value)
    if commitment.metric == Metric.FREE and commitment.unit:
        return f"{t.number(round(value, 2))} {escape(commitment.unit)}"
    return t.number(round(value, 2))


def metric_name(t: Translator, commitment: Commitment, main_language: str) -> str:
    if commitment.labels and commitment.metric in (Metric.FREE, Metric.REUSE_MODELS):
        return pick(commitment.labels, t.language, main_language).text
    return t._(METRIC_NAMES[Metric(commitment.metric)])


def _commitment_line(t: Translator, figure: Figure, main_language: str) -> str:
    commitment = figure.commitment
    line = t._("{metric}: {target} by {year}").format(
        metric=escape(metric_name(t, commitment, main_language)),
        target=_value(t, commitment, commitment.target_value),
        year=commitment.target_year,
    )
    if commitment.metric == Metric.PROBLEMATIC_ITEMS and commitment.items:
        names = [
            escape(commitment.other_item or "")
            if item == ProblematicItem.OTHER
            else t._(ITEM_LABELS[ProblematicItem(item)])
            for item in commitment.items
        ]
        line += f" ({', '.join(names)})"
    if figure.value is not None and figure.progress is not None:
        line += "\n   " + t._("Latest verified: {value} in {year}, {progress}").format(
            value=_value(t, commitment, figure.value),
            year=figure.year,
            progress=t._(PROGRESS_LABELS[figure.progress]),
        )
    return "• " + line


# -- the list -------------------------------------------------------------------------------------


def _filter_value(value: str) -> str | None:
    return None if value == ANY else value


async def _totals_lines(context: TidelineContext) -> list[str]:
    t = context.t
    session = await context.session()
    totals = await service.partnership_totals(session, reporting_year=context.now().year - 1)
    lines = [
        t.ngettext(
            "{count} company pledged", "{count} companies pledged", totals.companies_pledged
        ).format(count=t.number(totals.companies_pledged)),
        t._("{tonnes} t of plastic packaging covered").format(
            tonnes=t.number(round(totals.tonnes_covered, 1))
        ),
    ]
    if totals.average_recycled_content is not None:
        lines.append(
            t._("Average recycled content: {value}").format(
                value=_percent(t, totals.average_recycled_content)
            )
        )
    if totals.companies_due:
        lines.append(
            t._("{on_time} of {due} reported on time for {year}").format(
                on_time=t.number(totals.companies_on_time),
                due=t.number(totals.companies_due),
                year=totals.reporting_year,
            )
        )
    return lines


async def _show_registry(
    update: Update,
    context: TidelineContext,
    *,
    country: str | None,
    sector: str | None,
    page: int,
    edit: bool,
) -> None:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    found = await service.registry_page(
        session, country=country, sector=sector, page=page, page_size=PAGE_SIZE
    )
    lines = [t._("<b>Public registry of plastic pledges</b>"), *await _totals_lines(context), ""]
    if country is not None:
        country_name = profile_fields.country_label(t, country)
        lines.append(t._("Country: {country}").format(country=escape(country_name)))
    if sector is not None:
        lines.append(t._("Sector: {sector}").format(sector=sector_label(t, sector)))
    if not found.entries:
        lines.append(t._("No accepted pledge matches yet."))
    else:
        lines.append(
            t._("Page {page} of {pages}").format(
                page=t.number(found.page), pages=t.number(found.pages)
            )
        )
        for entry in found.entries:
            company = entry.company
            name = escape(company_name(t, company))
            where = escape(profile_fields.country_label(t, company.country))
            lines.append(f"• <b>{name}</b> – {where}, {sector_label(t, company.sector)}")
        lines += ["", t._("Tap a company to see its card.")]
    here = (country or ANY, sector or ANY)
    keyboard: Keyboard = [
        [context.button(company_name(t, entry.company), COMPANY_CARD, entry.company.id)]
        for entry in found.entries
    ]
    paging = []
    if found.page > 1:
        paging.append(context.button(t._("◀ Previous"), REGISTRY, *here, found.page - 1))
    if found.page < found.pages:
        paging.append(context.button(t._("Next ▶"), REGISTRY, *here, found.page + 1))
    if paging:
        keyboard.append(paging)
    keyboard.append(
        [
            context.button(t._("Country"), FILTER, COUNTRY_FILTER, *here),
            context.button(t._("Sector"), FILTER, SECTOR_FILTER, *here),
        ]
    )
    if country is not None or sector is not None:
        keyboard.append([context.button(t._("All countries and sectors"), REGISTRY, ANY, ANY, 1)])
    if may_export(account, _admins(context)):
        keyboard.append(
            [
                context.button(t._("Export CSV"), EXPORT, "csv"),
                context.button(t._("Export XLSX"), EXPORT, "xlsx"),
            ]
        )
    await answer(update, context, "\n".join(lines), keyboard, edit=edit)


async def show_registry(update: Update, context: TidelineContext) -> None:
    await _show_registry(update, context, country=None, sector=None, page=1, edit=False)


async def turn_page(update: Update, context: TidelineContext) -> None:
    country, sector, page = button_args(update)
    await _show_registry(
        update,
        context,
        country=_filter_value(country),
        sector=_filter_value(sector),
        page=int(page),
        edit=True,
    )


async def choose_filter(update: Update, context: TidelineContext) -> None:
    """The countries or sectors that have public pledges, with how many, as buttons."""
    which, country, sector = button_args(update)
    t = context.t
    session = await context.session()
    facets = await service.registry_facets(session)
    buttons = []
    if which == COUNTRY_FILTER:
        prompt = t._("Pledges of companies in which country?")
        for code, count in facets["country"].items():
            label = f"{profile_fields.country_label(t, code)} ({t.number(count)})"
            buttons.append(context.button(label, REGISTRY, code, sector, 1))
    else:
        prompt = t._("Pledges of companies in which sector?")
        for code, count in facets["sector"].items():
            label = f"{sector_label(t, code)} ({t.number(count)})"
            buttons.append(context.button(label, REGISTRY, country, code, 1))
    keyboard = rows(buttons, 2)
    keyboard.append([context.button(t._("Back"), REGISTRY, country, sector, 1)])
    await answer(update, context, prompt, keyboard, edit=True)


# -- a company's card -----------------------------------------------------------------------------


async def _brand_lines(context: TidelineContext, account: User, company: Company) -> list[str]:
    """Items of the company's brands found at cleanups: by country and year for its members
    and reviewers; by brand for everyone, if the company agreed."""
    t = context.t
    session = await context.session()
    lines: list[str] = []
    insider = await service.is_member(session, company.id, account.id) or has_permission(
        account, Permission.REVIEW, _admins(context)
    )
    if insider:
        found = await brand_audits.found_by_country_and_year(session, company)
        lines += ["", t._("<b>Items of its brands found at partnership cleanups</b>")]
        if not found:
            lines.append(t._("None counted so far."))
        for row in found:
            lines.append(
                "• "
                + t.ngettext(
                    "{country}, {year}: {count} item", "{country}, {year}: {count} items", row.items
                ).format(
                    country=escape(profile_fields.country_label(t, row.country)),
                    year=row.year,
                    count=t.number(row.items),
                )
            )
    if company.public_brand_aggregates:
        by_brand = await brand_audits.found_by_brand(session, company)
        if by_brand:
            lines += ["", t._("<b>Items found at cleanups, by brand</b>")]
            lines += [f"• {escape(brand)}: {t.number(items)}" for brand, items in by_brand]
    return lines


def _chart(
    t: Translator, company: Company, pledge: Pledge, history: dict[int, list[tuple[int, float]]]
) -> bytes:
    assert pledge.baseline_year is not None
    series = [
        MetricSeries(
            name=metric_name(t, commitment, company.main_language),
            baseline=(pledge.baseline_year, commitment.baseline_value),
            target=(commitment.target_year, commitment.target_value),
            reported=tuple(history.get(commitment.id, ())),
            percent=commitment.metric in PERCENT_METRICS,
            whole=commitment.metric in COUNT_METRICS,
        )
        for commitment in pledge.commitments[:MAX_METRICS]
    ]
    return trajectory(
        company_name(t, company),
        series,
        language=t.language,
        reported_label=t._("Verified values"),
        trajectory_label=t._("Straight line to the target"),
    )


async def show_card(update: Update, context: TidelineContext) -> None:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    found = await public.public_pledge(session, int(button_args(update)[0]))
    if found is None:
        await context.answer_query(
            update, t._("This company has no pledge in the public registry."), show_alert=True
        )
        return
    company, pledge = found
    summary = await service.card(session, company, pledge)
    where = escape(profile_fields.country_label(t, company.country))
    lines = [
        f"<b>{escape(company_name(t, company))}</b>",
        f"{where} · {sector_label(t, company.sector)}",
        t._("Status: {standing}").format(standing=t._(STANDING_LABELS[summary.standing])),
    ]
    if pledge.statements:
        statement = pick(pledge.statements, t.language, company.main_language).text
        lines += ["", f"<i>{escape(statement)}</i>"]
    if pledge.baseline_year is not None and pledge.baseline_tonnes is not None:
        lines += [
            "",
            t._("Baseline: {tonnes} t of plastic packaging in {year}").format(
                tonnes=t.number(round(pledge.baseline_tonnes, 1)), year=pledge.baseline_year
            ),
        ]
    lines += [t._("<b>Commitments</b>")]
    lines += [_commitment_line(t, figure, company.main_language) for figure in summary.figures]
    lines += await _brand_lines(context, account, company)
    history = await public.verified_history(session, pledge)
    png = _chart(t, company, pledge, history)
    chat = update.effective_chat
    assert chat is not None
    await context.answer_query(update)
    await answer(update, context, "\n".join(lines))
    caption = t._("Progress of {company}").format(company=company_name(t, company))
    await context.send(_photo_sender(chat, png, caption))


def _photo_sender(chat: Chat, png: bytes, caption: str) -> Callable[[], Awaitable[object]]:
    return lambda: chat.send_photo(InputFile(png, filename="progress.png"), caption=caption)


# -- exports --------------------------------------------------------------------------------------


async def export_registry(update: Update, context: TidelineContext) -> None:
    (extension,) = button_args(update)
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    if extension not in EXPORT_FORMATS or not may_export(account, _admins(context)):
        await context.answer_query(
            update, t._("Only organizers and reviewers can export the registry."), show_alert=True
        )
        return
    table = await export.pledge_table(session)
    data = export.pledges_csv(table) if extension == "csv" else export.pledges_xlsx(table)
    filename = export.export_filename(extension)
    chat = update.effective_chat
    assert chat is not None
    await context.answer_query(update)
    await context.send(lambda: chat.send_document(InputFile(data, filename=filename)))


def build_registry() -> list[BaseHandler[Update, TidelineContext, object]]:
    return [
        CommandHandler("pledges", show_registry),
        CallbackQueryHandler(turn_page, pattern=action_pattern(REGISTRY)),
        CallbackQueryHandler(choose_filter, pattern=action_pattern(FILTER)),
        CallbackQueryHandler(show_card, pattern=action_pattern(COMPANY_CARD)),
        CallbackQueryHandler(export_registry, pattern=action_pattern(EXPORT)),
    ]
