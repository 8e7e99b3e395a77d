"""How the outbox kinds of pledges read when they are sent: in the member's language at send time.

Cut-offs — a send that fell due while the bot was down, or that events overtook, is skipped with
the reason recorded on its outbox row:

* ``pledge.report_due``: the period is no longer open (reported, or the deadline passed), or
  the recipient is no longer a member of the company.
* ``pledge.decision``: the recipient is no longer a member of the company (or the pledge is gone).
"""

from datetime import datetime
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardMarkup

from delivery import outbox
from delivery.outbox import OutboxItem
from handlers.pledges import actions
from handlers.pledges.progress_texts import company_name, day_text, metric_name
from handlers.runtime.sender import Outgoing, Renderer, RenderRequest, SkipSend
from pledges import service
from pledges.models import (
    Commitment,
    Company,
    Decision,
    PeriodStatus,
    Pledge,
    ProgressReport,
    ReportingPeriod,
    ReviewDecision,
)

DECISION = "pledge.decision"


async def tell_members(
    session: AsyncSession, decision: ReviewDecision, company_id: int, *, now: datetime
) -> None:
    """Every member hears of a reviewer's decision, each in their own language when it is sent
    (after their quiet hours)."""
    await outbox.enqueue_many(
        session,
        [
            OutboxItem(
                user_id,
                DECISION,
                f"pledge:decision:{decision.id}:user:{user_id}",
                now,
                {"decision_id": decision.id},
            )
            for user_id in await service.member_ids(session, company_id)
        ],
        now=now,
    )


async def _member_company(request: RenderRequest, company_id: int) -> Company:
    company = await request.session.get(Company, company_id)
    if company is None or not await service.is_member(request.session, company_id, request.user.id):
        raise SkipSend("no longer a member of the company")
    return company


async def render_report_due(request: RenderRequest) -> Outgoing:
    t = request.t
    period = await request.session.get(ReportingPeriod, int(request.payload["period_id"]))
    if period is None or period.status != PeriodStatus.OPEN:
        raise SkipSend("the period is no longer open")
    company = await _member_company(request, int(request.payload["company_id"]))
    days = int(request.payload["days"])
    lines = [
        t._("<b>{company}</b>: your progress report on {year} is due by {deadline}.").format(
            company=company_name(company, t.language),
            year=period.year,
            deadline=day_text(t, period.deadline),
        ),
        t.ngettext("{count} day left.", "{count} days left.", days).format(count=t.number(days)),
    ]
    found = request.payload.get("brand_items_found")
    if found:
        count = int(found)
        lines.append(
            t.ngettext(
                "{count} item of your brands was found at partnership cleanups.",
                "{count} items of your brands were found at partnership cleanups.",
                count,
            ).format(count=t.number(count))
        )
    button = request.button(t._("Write the progress report"), actions.START_REPORT, period.id)
    return Outgoing(text="\n".join(lines), keyboard=InlineKeyboardMarkup([[button]]))


async def render_decision(request: RenderRequest) -> Outgoing:
    t = request.t
    decision = await request.session.get(ReviewDecision, int(request.payload["decision_id"]))
    if decision is None:
        raise SkipSend("the pledge no longer exists")
    pledge = await request.session.get(Pledge, decision.pledge_id)
    assert pledge is not None
    company = await _member_company(request, pledge.company_id)
    name = company_name(company, t.language)
    note = escape(decision.note) if decision.note else None
    keyboard = None
    if decision.commitment_id is None:
        if decision.decision == Decision.CHANGES_REQUESTED:
            lines = [
                t._(
                    "<b>{company}</b>: the reviewers ask for changes before your pledge can be "
                    "accepted."
                ).format(company=name),
                t._("Their note: {note}").format(note=note or ""),
                t._("Edit the pledge from your company screen and submit it again."),
            ]
        else:
            lines = [
                t._("<b>{company}</b>: your pledge was accepted and is now public.").format(
                    company=name
                )
            ]
            if note:
                lines.append(t._("Their note: {note}").format(note=note))
        return Outgoing(text="\n".join(lines))
    commitment = await request.session.get(Commitment, decision.commitment_id)
    report = await request.session.get(ProgressReport, decision.report_id)
    assert commitment is not None and report is not None
    period = await request.session.get(ReportingPeriod, report.period_id)
    assert period is not None
    head = t._("<b>{company}</b>, progress report on {year}:").format(
        company=name, year=period.year
    )
    metric = metric_name(t, commitment)
    if decision.decision == Decision.VERIFIED:
        line = t._("{metric} was verified.").format(metric=metric)
    elif decision.decision == Decision.NOT_ALIGNED:
        line = t._("{metric} was marked not aligned: {reason}").format(
            metric=metric, reason=note or ""
        )
    else:
        line = t._(
            "{metric} needs evidence. Add documents or photos to the report and submit it again."
        ).format(metric=metric)
        button = request.button(t._("Open the progress report"), actions.START_REPORT, period.id)
        keyboard = InlineKeyboardMarkup([[button]])
    return Outgoing(text=f"{head}\n{line}", keyboard=keyboard)


RENDERERS: dict[str, Renderer] = {
    service.Kind.REPORT_DUE: render_report_due,
    DECISION: render_decision,
}
