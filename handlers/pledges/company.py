"""/company: a person with the Business role registers their company, or sees its screen –
details, members, an invitation link, leaving, the pledge and its status – and administrators
merge a duplicate into the company it duplicates or transfer a company to a new member.

``pl_<token>`` links (one-time, expiring) add colleagues. Every button checks, on the server,
that the person is a member (or an administrator) of the company it names."""

import json
from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum
from html import escape
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts.geography import COUNTRY_CODES, OTHER_COUNTRY
from accounts.models import StakeholderRole, User
from accounts.service import Permission, find_account, has_permission
from db.conversations import load_state, save_state
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.deep_links import PLEDGE, DeepLink
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.person_state import person_key
from handlers.kit.reprompts import earlier_step_button, expect_buttons, expect_text
from handlers.pledges import actions
from handlers.pledges.pledge_texts import (
    NOT_A_MEMBER,
    SECTOR_LABELS,
    SIZE_LABELS,
    STATUS_LABELS,
    company_name,
    problem_message,
)
from i18n import Translator, lazy
from pledges import service
from pledges.brands import BRANDS_MAX
from pledges.content import InvalidContent
from pledges.models import (
    COMPANY_NAME_MAX_LENGTH,
    Company,
    PeriodStatus,
    Pledge,
    PledgeStatus,
    ReportingPeriod,
    Sector,
    SizeBand,
)
from pledges.service import CompanyDetails, JoinOutcome, NotAllowed, NotAMember, WrongStatus


class Awaiting(StrEnum):
    NAME = "name"
    COUNTRY = "country"
    SECTOR = "sector"
    SIZE = "size"
    BRANDS = "brands"
    BRANDS_PUBLIC = "brands_public"
    DUPLICATE_OF = "duplicate_of"  # administrators: the company a duplicate is merged into
    NEW_MEMBER = "new_member"  # administrators: whom a company is transferred to


REGISTER = "pl.co.register"
EDIT = "pl.co.edit"  # company id: its details asked again, one at a time
COUNTRY = "pl.co.country"
SECTOR = "pl.co.sector"
SIZE = "pl.co.size"
NO_BRANDS = "pl.co.no_brands"
BRANDS_PUBLIC = "pl.co.brands_public"  # "yes" or "no"
SHOW = "pl.co.show"  # company id
INVITE = "pl.co.invite"  # company id
LEAVE = "pl.co.leave"  # company id: asks first
LEAVE_CONFIRMED = "pl.co.leave_yes"  # company id
WITHDRAW = "pl.co.withdraw"  # pledge id: asks first
WITHDRAW_CONFIRMED = "pl.co.withdraw_yes"  # pledge id
MERGE = "pl.co.merge"  # company id of the duplicate
TRANSFER = "pl.co.transfer"  # company id
# The pledge wizard (pledge_wizard.py) starts from this button: company id.
START_PLEDGE = "pl.wz.start"

YES, NO = "yes", "no"
# What registration collected so far, kept beside the conversation's own state (same key, so
# /deleteme forgets it too) so a restart loses nothing.
NOTES = "pledges.company"
ADMIN_LIST_SIZE = 30

JOIN_BEFORE_SETUP = lazy(
    "First, let's set you up: it takes a minute. Then I will add you to the company."
)


async def _notes(session: AsyncSession, update: Update) -> dict[str, Any]:
    stored = await load_state(session, NOTES, person_key(update))
    return dict(json.loads(stored)) if stored else {}


async def _save_notes(session: AsyncSession, update: Update, notes: dict[str, Any] | None) -> None:
    await save_state(session, NOTES, person_key(update), json.dumps(notes) if notes else None)


def _admins(context: TidelineContext) -> frozenset[int]:
    return context.services.settings.ADMIN_IDS


def _is_admin(context: TidelineContext, account: User) -> bool:
    return has_permission(account, Permission.MANAGE_ROLES, _admins(context))


# The company screen.


async def screen_text(context: TidelineContext, session: AsyncSession, company: Company) -> str:
    t = context.t
    name = company_name(company, t.language)
    country = (
        t._("Other country")
        if company.country == OTHER_COUNTRY
        else t.country_name(company.country)
    )
    lines = [
        f"<b>{escape(name)}</b> (#{company.id})",
        t._("Country: {country}").format(country=country),
        t._("Sector: {sector}").format(sector=t._(SECTOR_LABELS[Sector(company.sector)])),
        t._("Size: {size}").format(size=t._(SIZE_LABELS[SizeBand(company.size_band)])),
        t._("Brands: {brands}").format(
            brands=escape(", ".join(company.brands)) if company.brands else "–"
        ),
        t._("Counts of its brands found at cleanups shown publicly: {answer}").format(
            answer=t._("yes") if company.public_brand_aggregates else t._("no")
        ),
    ]
    members = [
        await session.get(User, user_id)
        for user_id in await service.member_ids(session, company.id)
    ]
    names = [escape(member.first_name or "–") for member in members if member is not None]
    lines.append(
        t.ngettext("{count} member: {names}", "{count} members: {names}", len(names)).format(
            count=t.number(len(names)), names=", ".join(names) or "–"
        )
    )
    public, open_pledge = await service.current_pledges(session, company.id)
    if public is None and open_pledge is None:
        lines.append(t._("No pledge yet."))
    if public is not None:
        lines.append(
            t._("Public pledge: {status}").format(status=t._(STATUS_LABELS[public.status]))
        )
    if open_pledge is not None:
        lines.append(
            t._("Pledge in progress: {status}").format(
                status=t._(STATUS_LABELS[open_pledge.status])
            )
        )
        if open_pledge.status == PledgeStatus.CHANGES_REQUESTED and open_pledge.review_note:
            lines.append(
                t._("The reviewers' note: {note}").format(note=escape(open_pledge.review_note))
            )
    return "\n".join(lines)


async def screen_keyboard(
    context: TidelineContext, session: AsyncSession, company: Company, account: User
) -> Keyboard:
    t = context.t
    keyboard: Keyboard = []
    member = await service.is_member(session, company.id, account.id)
    public, open_pledge = await service.current_pledges(session, company.id)
    if member:
        if open_pledge is None:
            keyboard.append([context.button(t._("Make a pledge"), START_PLEDGE, company.id)])
        elif open_pledge.status == PledgeStatus.DRAFT:
            keyboard.append([context.button(t._("Continue the pledge"), START_PLEDGE, company.id)])
        elif open_pledge.status == PledgeStatus.CHANGES_REQUESTED:
            keyboard.append([context.button(t._("Edit and resubmit"), START_PLEDGE, company.id)])
        for pledge in (open_pledge, public):
            if pledge is not None:
                label = (
                    t._("Withdraw the public pledge")
                    if pledge is public
                    else t._("Withdraw the pledge in progress")
                )
                keyboard.append([context.button(label, WITHDRAW, pledge.id)])
        if public is not None:
            periods = await session.scalars(
                select(ReportingPeriod)
                .where(
                    ReportingPeriod.pledge_id == public.id,
                    ReportingPeriod.status != PeriodStatus.REPORTED,
                )
                .order_by(ReportingPeriod.year)
            )
            for period in periods:
                keyboard.append(
                    [
                        context.button(
                            t._("Report progress for {year}").format(year=period.year),
                            actions.START_REPORT,
                            period.id,
                        )
                    ]
                )
        keyboard.append(
            [
                context.button(t._("Invite a colleague"), INVITE, company.id),
                context.button(t._("Leave the company"), LEAVE, company.id),
            ]
        )
        keyboard.append([context.button(t._("Change the company's details"), EDIT, company.id)])
    if public is not None:
        keyboard.append([context.button(t._("Public card"), actions.COMPANY_CARD, company.id)])
    if _is_admin(context, account):
        keyboard.append(
            [
                context.button(t._("Merge into another company"), MERGE, company.id),
                context.button(t._("Transfer to a new member"), TRANSFER, company.id),
            ]
        )
    return keyboard


async def show_screen(
    update: Update, context: TidelineContext, company: Company, *, edit: bool = False
) -> None:
    session = await context.session()
    account = await account_of(session, update)
    await answer(
        update,
        context,
        await screen_text(context, session, company),
        await screen_keyboard(context, session, company, account),
        edit=edit,
    )


async def _refuse(update: Update, context: TidelineContext, text: str) -> None:
    if update.callback_query is not None:
        await context.answer_query(update, text, show_alert=True)
    else:
        await answer(update, context, text)


async def _company_for(
    update: Update, context: TidelineContext, company_id: int, *, admins_too: bool = True
) -> Company | None:
    """The company a button or command names, if the person may see it (a member, or an
    administrator); refused, with a localized answer, otherwise."""
    session = await context.session()
    account = await account_of(session, update)
    company = await session.get(Company, company_id)
    if company is not None and company.merged_into_id is not None:
        company = await session.get(Company, company.merged_into_id)
    allowed = company is not None and (
        await service.is_member(session, company.id, account.id)
        or (admins_too and _is_admin(context, account))
    )
    if not allowed:
        await _refuse(update, context, context.t._(NOT_A_MEMBER))
        return None
    return company


async def open_company(update: Update, context: TidelineContext) -> Awaiting | int:
    """/company (or /company <number> for administrators)."""
    session = await context.session()
    account = await account_of(session, update)
    t = context.t
    if account.onboarded_at is None:
        await answer(update, context, t._("Let's finish setting you up first: send /start."))
        return ConversationHandler.END
    if context.args and context.args[0].isdigit():
        company = await _company_for(update, context, int(context.args[0]))
        if company is not None:
            await show_screen(update, context, company)
        return ConversationHandler.END
    companies = await service.companies_of(session, account)
    if len(companies) == 1:
        await show_screen(update, context, companies[0])
        return ConversationHandler.END
    keyboard: Keyboard = [
        [context.button(company_name(company, t.language), SHOW, company.id)]
        for company in companies
    ]
    if _is_admin(context, account):
        listed = await session.scalars(
            select(Company)
            .where(Company.merged_into_id.is_(None))
            .order_by(Company.sort_name, Company.id)
            .limit(ADMIN_LIST_SIZE)
        )
        mine = {company.id for company in companies}
        keyboard += [
            [
                context.button(
                    f"{company_name(company, t.language)} (#{company.id})", SHOW, company.id
                )
            ]
            for company in listed
            if company.id not in mine
        ]
    if account.stakeholder_role != StakeholderRole.BUSINESS:
        text = (
            t._("Choose a company:")
            if keyboard
            else t._(
                "Companies are registered by people with the Business role. If that is you, "
                "change your role in /profile and send /company again."
            )
        )
        await answer(update, context, text, keyboard or None)
        return ConversationHandler.END
    keyboard.append([context.button(t._("Register a company"), REGISTER)])
    if companies or len(keyboard) > 1:
        await answer(update, context, t._("Choose a company, or register one:"), keyboard)
        return ConversationHandler.END
    await answer(
        update,
        context,
        t._(
            "Your company is not registered yet. Register it to make a plastic-reduction "
            "pledge and report progress each year."
        ),
        keyboard,
    )
    return ConversationHandler.END


async def show_company(update: Update, context: TidelineContext) -> None:
    company = await _company_for(update, context, int(button_args(update)[0]))
    if company is not None:
        await show_screen(update, context, company, edit=True)


# Registration, one thing at a time.


async def start_registration(update: Update, context: TidelineContext) -> Awaiting | int:
    session = await context.session()
    account = await account_of(session, update)
    if account.stakeholder_role != StakeholderRole.BUSINESS:
        await _refuse(update, context, context.t._("Sorry, your role does not allow that."))
        return ConversationHandler.END
    await _save_notes(session, update, None)
    await _ask_name(update, context)
    return Awaiting.NAME


async def start_editing(update: Update, context: TidelineContext) -> Awaiting | int:
    """A member changes the company's details: the same questions as registering, and nothing
    changes until the last one is answered."""
    company = await _company_for(update, context, int(button_args(update)[0]), admins_too=False)
    if company is None:
        return ConversationHandler.END
    session = await context.session()
    await _save_notes(session, update, {"company_id": company.id})
    await _ask_name(update, context)
    return Awaiting.NAME


async def _ask_name(update: Update, context: TidelineContext) -> None:
    await answer(
        update,
        context,
        context.t._(
            "What is your company called? Type its name as it is written in {language}."
        ).format(language=context.t.language_name(context.t.language)),
        edit=True,
    )


async def type_name(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    t = context.t
    name = " ".join(message.text.split())
    if not name:
        await answer(update, context, t._("Please type it as text."))
        return None
    if len(name) > COMPANY_NAME_MAX_LENGTH:
        await answer(
            update,
            context,
            t.ngettext(
                "That is too long: please keep it under {count} character.",
                "That is too long: please keep it under {count} characters.",
                COMPANY_NAME_MAX_LENGTH,
            ).format(count=t.number(COMPANY_NAME_MAX_LENGTH)),
        )
        return None
    session = await context.session()
    notes = await _notes(session, update)
    await _save_notes(session, update, {**notes, "name": name})
    named = sorted((t.country_name(code), code) for code in COUNTRY_CODES)
    buttons = [context.button(label, COUNTRY, code) for label, code in named]
    buttons.append(context.button(t._("Other country"), COUNTRY, OTHER_COUNTRY))
    await answer(update, context, t._("In which country is it based?"), rows(buttons, 2))
    return Awaiting.COUNTRY


async def choose_country(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    notes = await _notes(session, update)
    notes["country"] = button_args(update)[0]
    await _save_notes(session, update, notes)
    t = context.t
    buttons = [
        context.button(t._(label), SECTOR, sector) for sector, label in SECTOR_LABELS.items()
    ]
    await answer(update, context, t._("Which sector is it in?"), rows(buttons, 2), edit=True)
    return Awaiting.SECTOR


async def choose_sector(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    notes = await _notes(session, update)
    notes["sector"] = button_args(update)[0]
    await _save_notes(session, update, notes)
    t = context.t
    keyboard = [[context.button(t._(label), SIZE, size)] for size, label in SIZE_LABELS.items()]
    await answer(update, context, t._("How many people work there?"), keyboard, edit=True)
    return Awaiting.SIZE


async def choose_size(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    notes = await _notes(session, update)
    notes["size_band"] = button_args(update)[0]
    await _save_notes(session, update, notes)
    t = context.t
    await answer(
        update,
        context,
        t.ngettext(
            "Which brand names does it sell under? Type them separated by commas (up to "
            "{count} brand), or tap No brands. They let cleanups count the items of your "
            "brands they find.",
            "Which brand names does it sell under? Type them separated by commas (up to "
            "{count} brands), or tap No brands. They let cleanups count the items of your "
            "brands they find.",
            BRANDS_MAX,
        ).format(count=t.number(BRANDS_MAX)),
        [[context.button(t._("No brands"), NO_BRANDS)]],
        edit=True,
    )
    return Awaiting.BRANDS


def _brands_public_prompt(context: TidelineContext) -> tuple[str, Keyboard]:
    t = context.t
    return (
        t._(
            "May the partnership show publicly how many items of your brands cleanups found? "
            "Your members and the reviewers see the counts either way."
        ),
        [
            [
                context.button(t._("Yes, show them"), BRANDS_PUBLIC, YES),
                context.button(t._("No, keep them private"), BRANDS_PUBLIC, NO),
            ]
        ],
    )


async def type_brands(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    brands = [" ".join(part.split()) for part in message.text.split(",")]
    brands = [brand for brand in brands if brand]
    session = await context.session()
    notes = await _notes(session, update)
    problems = service.check_company(_details(context, {**notes, "brands": brands}))
    brand_problems = [problem for problem in problems if problem.field.startswith("brands")]
    if brand_problems or not brands:
        text = problem_message(context.t, brand_problems[0]) if brand_problems else None
        await answer(update, context, text or context.t._("Please type it as text."))
        return None
    notes["brands"] = brands
    await _save_notes(session, update, notes)
    text, keyboard = _brands_public_prompt(context)
    await answer(update, context, text, keyboard)
    return Awaiting.BRANDS_PUBLIC


async def no_brands(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    notes = await _notes(session, update)
    notes["brands"] = []
    await _save_notes(session, update, notes)
    text, keyboard = _brands_public_prompt(context)
    await answer(update, context, text, keyboard, edit=True)
    return Awaiting.BRANDS_PUBLIC


def _details(context: TidelineContext, notes: dict[str, Any]) -> CompanyDetails:
    language = context.t.language
    return CompanyDetails(
        names={language: notes.get("name", "")},
        main_language=language,
        country=notes.get("country", ""),
        sector=notes.get("sector", ""),
        size_band=notes.get("size_band", ""),
        brands=tuple(notes.get("brands", ())),
        public_brand_aggregates=bool(notes.get("brands_public", False)),
    )


async def choose_brands_public(update: Update, context: TidelineContext) -> int:
    session = await context.session()
    notes = await _notes(session, update)
    notes["brands_public"] = button_args(update)[0] == YES
    if "company_id" in notes:
        return await _save_edits(update, context, notes)
    account = await account_of(session, update)
    try:
        company = await service.register_company(
            session, _details(context, notes), founder=account, now=context.now()
        )
    except InvalidContent as invalid:
        # Only a restart between versions could lose a step: start again from the name.
        await answer(update, context, problem_message(context.t, invalid.problems[0]))
        await _save_notes(session, update, None)
        return ConversationHandler.END
    await _save_notes(session, update, None)
    await answer(
        update,
        context,
        context.t._("Registered. You are its first member; invite your colleagues from here."),
        edit=True,
    )
    await show_screen(update, context, company)
    return ConversationHandler.END


async def _save_edits(update: Update, context: TidelineContext, notes: dict[str, Any]) -> int:
    session = await context.session()
    await _save_notes(session, update, None)
    company = await _company_for(update, context, int(notes["company_id"]), admins_too=False)
    if company is None:
        return ConversationHandler.END
    typed = _details(context, notes)
    # The name typed is the reader's language's; names in other languages stay.
    details = replace(
        typed,
        names={**company.names, **typed.names},
        main_language=company.main_language,
    )
    try:
        await service.update_company(
            session, company, details, by=await account_of(session, update), now=context.now()
        )
    except InvalidContent as invalid:
        await answer(update, context, problem_message(context.t, invalid.problems[0]))
        return ConversationHandler.END
    await answer(
        update, context, context.t._("Saved: the company's details are changed."), edit=True
    )
    await show_screen(update, context, company)
    return ConversationHandler.END


# Members: invitations, leaving, withdrawing.


async def invite(update: Update, context: TidelineContext) -> None:
    session = await context.session()
    account = await account_of(session, update)
    company = await session.get(Company, int(button_args(update)[0]))
    t = context.t
    if company is None or company.merged_into_id is not None:
        await _refuse(update, context, t._(NOT_A_MEMBER))
        return
    try:
        invitation = await service.invite(session, company, by=account, now=context.now())
    except NotAMember:
        await _refuse(update, context, t._(NOT_A_MEMBER))
        return
    url = context.services.deep_links.url(context.bot.username, PLEDGE, invitation.token)
    days = service.INVITATION_VALID_FOR.days
    await answer(
        update,
        context,
        t.ngettext(
            "Send this link to one colleague: it adds them to {company}, works once and "
            "expires in {count} day.\n{url}",
            "Send this link to one colleague: it adds them to {company}, works once and "
            "expires in {count} days.\n{url}",
            days,
        ).format(company=escape(company_name(company, t.language)), count=t.number(days), url=url),
    )


async def open_invitation(update: Update, context: TidelineContext, token: str | None) -> None:
    t = context.t
    if token is None:
        await answer(
            update,
            context,
            t._("That invitation link is not valid. Ask a colleague for a new one."),
        )
        return
    session = await context.session()
    account = await account_of(session, update)
    result = await service.join(session, token, account, now=context.now())
    if result.outcome == JoinOutcome.UNKNOWN or result.company is None:
        await answer(
            update,
            context,
            t._("That invitation link is not valid. Ask a colleague for a new one."),
        )
        return
    name = escape(company_name(result.company, t.language))
    if result.outcome == JoinOutcome.EXPIRED:
        await answer(
            update,
            context,
            t._("That invitation to {company} has expired. Ask a colleague for a new one.").format(
                company=name
            ),
        )
        return
    if result.outcome == JoinOutcome.USED:
        await answer(
            update,
            context,
            t._(
                "That invitation to {company} was already used. Each link works once: ask a "
                "colleague for a new one."
            ).format(company=name),
        )
        return
    if result.outcome == JoinOutcome.ALREADY_MEMBER:
        await answer(
            update, context, t._("You are already a member of {company}.").format(company=name)
        )
    else:
        await answer(
            update, context, t._("Welcome: you are now a member of {company}.").format(company=name)
        )
    await show_screen(update, context, result.company)


INVITATION_LINK = DeepLink(
    PLEDGE, r"[A-Za-z0-9_-]{1,61}", open_invitation, before_setup=JOIN_BEFORE_SETUP, remembered=True
)


async def ask_leave(update: Update, context: TidelineContext) -> None:
    company = await _company_for(update, context, int(button_args(update)[0]), admins_too=False)
    if company is None:
        return
    t = context.t
    await answer(
        update,
        context,
        t._(
            "Leave {company}? The company and its pledge stay as they are; what you wrote "
            "for it no longer carries your name."
        ).format(company=escape(company_name(company, t.language))),
        [
            [
                context.button(t._("Yes, leave"), LEAVE_CONFIRMED, company.id),
                context.button(t._("No, stay"), SHOW, company.id),
            ]
        ],
        edit=True,
    )


async def leave(update: Update, context: TidelineContext) -> None:
    session = await context.session()
    account = await account_of(session, update)
    company = await session.get(Company, int(button_args(update)[0]))
    t = context.t
    if company is None or not await service.leave(session, company, account, now=context.now()):
        await _refuse(update, context, t._(NOT_A_MEMBER))
        return
    await answer(
        update,
        context,
        t._("You left {company}.").format(company=escape(company_name(company, t.language))),
        edit=True,
    )


async def _member_pledge(update: Update, context: TidelineContext) -> Pledge | None:
    session = await context.session()
    account = await account_of(session, update)
    pledge = await session.get(Pledge, int(button_args(update)[0]))
    if pledge is None or not await service.is_member(session, pledge.company_id, account.id):
        await _refuse(update, context, context.t._(NOT_A_MEMBER))
        return None
    if pledge.slot is None:
        await _refuse(update, context, context.t._("That pledge can no longer be withdrawn."))
        return None
    return pledge


async def ask_withdraw(update: Update, context: TidelineContext) -> None:
    pledge = await _member_pledge(update, context)
    if pledge is None:
        return
    t = context.t
    await answer(
        update,
        context,
        t._(
            "Withdraw this pledge? It is no longer shown or reviewed, and stays in the "
            "company's history. You can make a new one afterwards."
        ),
        [
            [
                context.button(t._("Yes, withdraw"), WITHDRAW_CONFIRMED, pledge.id),
                context.button(t._("No, keep it"), SHOW, pledge.company_id),
            ]
        ],
        edit=True,
    )


async def withdraw(update: Update, context: TidelineContext) -> None:
    pledge = await _member_pledge(update, context)
    if pledge is None:
        return
    session = await context.session()
    account = await account_of(session, update)
    await service.withdraw_pledge(session, pledge, by=account, now=context.now())
    company = await session.get(Company, pledge.company_id)
    assert company is not None
    await answer(update, context, context.t._("The pledge is withdrawn."), edit=True)
    await show_screen(update, context, company)


# Administrators: merge and transfer.


async def _admin_company(update: Update, context: TidelineContext) -> Company | None:
    session = await context.session()
    account = await account_of(session, update)
    company = await session.get(Company, int(button_args(update)[0]))
    if not _is_admin(context, account):
        await _refuse(update, context, context.t._("Sorry, your role does not allow that."))
        return None
    if company is None or company.merged_into_id is not None:
        await _refuse(update, context, context.t._("That company was merged into another one."))
        return None
    await _save_notes(session, update, {"company_id": company.id})
    return company


async def _ask_admin(
    update: Update,
    context: TidelineContext,
    prompt: Callable[[Translator], str],
    awaiting: Awaiting,
) -> Awaiting | int:
    """An administrator's step on the company the button names: ``prompt`` (translated, with
    a ``{company}`` placeholder), then wait for what it asks."""
    company = await _admin_company(update, context)
    if company is None:
        return ConversationHandler.END
    t = context.t
    name = escape(company_name(company, t.language))
    await answer(update, context, prompt(t).format(company=name))
    return awaiting


async def ask_duplicate_of(update: Update, context: TidelineContext) -> Awaiting | int:
    def prompt(t: Translator) -> str:
        return t._(
            "Which company does {company} duplicate? Type its number (the #number on its "
            "screen). Its members, brands and pledges move there."
        )

    return await _ask_admin(update, context, prompt, Awaiting.DUPLICATE_OF)


async def _typed_company(update: Update, context: TidelineContext) -> Company | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.strip().lstrip("#")
    session = await context.session()
    company = await session.get(Company, int(text)) if text.isdigit() and len(text) < 12 else None
    if company is None or company.merged_into_id is not None:
        await answer(update, context, context.t._("There is no company with that number."))
        return None
    return company


async def type_duplicate_of(update: Update, context: TidelineContext) -> int | None:
    into = await _typed_company(update, context)
    if into is None:
        return None
    session = await context.session()
    account = await account_of(session, update)
    duplicate = await session.get(Company, (await _notes(session, update)).get("company_id", 0))
    t = context.t
    if duplicate is None:
        return ConversationHandler.END
    try:
        await service.merge_companies(
            session, duplicate, into, by=account, admin_ids=_admins(context), now=context.now()
        )
    except WrongStatus:
        await answer(update, context, t._("A company cannot be merged into itself."))
        return None
    except NotAllowed:
        await answer(update, context, t._("Sorry, your role does not allow that."))
        return ConversationHandler.END
    await _save_notes(session, update, None)
    await answer(
        update,
        context,
        t._("{duplicate} is merged into {company}.").format(
            duplicate=escape(company_name(duplicate, t.language)),
            company=escape(company_name(into, t.language)),
        ),
    )
    await show_screen(update, context, into)
    return ConversationHandler.END


async def ask_new_member(update: Update, context: TidelineContext) -> Awaiting | int:
    def prompt(t: Translator) -> str:
        return t._(
            "Whom should {company} be transferred to? Type their Telegram user id (a "
            "number; they must have used this bot). They become its only member."
        )

    return await _ask_admin(update, context, prompt, Awaiting.NEW_MEMBER)


async def type_new_member(update: Update, context: TidelineContext) -> int | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text.strip()
    session = await context.session()
    t = context.t
    person = await find_account(session, int(text)) if text.isdigit() and len(text) < 16 else None
    if person is None or person.telegram_id is None:
        await answer(update, context, t._("I don't know anyone with that Telegram user id here."))
        return None
    account = await account_of(session, update)
    company = await session.get(Company, (await _notes(session, update)).get("company_id", 0))
    if company is None:
        return ConversationHandler.END
    try:
        await service.transfer_company(
            session, company, person, by=account, admin_ids=_admins(context), now=context.now()
        )
    except NotAllowed:
        await answer(update, context, t._("Sorry, your role does not allow that."))
        return ConversationHandler.END
    await _save_notes(session, update, None)
    await answer(
        update,
        context,
        t._("{company} is transferred to {person}.").format(
            company=escape(company_name(company, t.language)),
            person=escape(person.first_name or text),
        ),
    )
    await show_screen(update, context, company)
    return ConversationHandler.END


async def cancel(update: Update, context: TidelineContext) -> int:
    await _save_notes(await context.session(), update, None)
    await answer(update, context, context.t._("Cancelled. Nothing was changed."))
    return ConversationHandler.END


def build_company() -> ConversationHandler:
    not_command = ~filters.COMMAND

    def button(action: str, callback) -> CallbackQueryHandler:  # type: ignore[no-untyped-def]
        return CallbackQueryHandler(callback, pattern=action_pattern(action))

    typed = filters.TEXT & not_command
    return ConversationHandler(
        name="company",
        persistent=True,
        allow_reentry=True,
        entry_points=[
            CommandHandler("company", open_company),
            button(REGISTER, start_registration),
            button(EDIT, start_editing),
            button(MERGE, ask_duplicate_of),
            button(TRANSFER, ask_new_member),
        ],
        states={
            Awaiting.NAME: [
                MessageHandler(typed, type_name),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.COUNTRY: [
                button(COUNTRY, choose_country),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.SECTOR: [
                button(SECTOR, choose_sector),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.SIZE: [
                button(SIZE, choose_size),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.BRANDS: [
                MessageHandler(typed, type_brands),
                button(NO_BRANDS, no_brands),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.BRANDS_PUBLIC: [
                button(BRANDS_PUBLIC, choose_brands_public),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.DUPLICATE_OF: [
                MessageHandler(typed, type_duplicate_of),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.NEW_MEMBER: [
                MessageHandler(typed, type_new_member),
                MessageHandler(not_command, expect_text),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            # A registration button of an earlier step (the screen's own buttons work anywhere).
            CallbackQueryHandler(
                earlier_step_button,
                pattern=r"^pl\.co\.(country|sector|size|no_brands|brands_public)\|",
            ),
        ],
    )


def build_company_buttons() -> list[BaseHandler[Update, TidelineContext, Any]]:
    """The company screen's buttons, usable whether or not a conversation is on."""
    return [
        CallbackQueryHandler(show_company, pattern=action_pattern(SHOW)),
        CallbackQueryHandler(invite, pattern=action_pattern(INVITE)),
        CallbackQueryHandler(ask_leave, pattern=action_pattern(LEAVE)),
        CallbackQueryHandler(leave, pattern=action_pattern(LEAVE_CONFIRMED)),
        CallbackQueryHandler(ask_withdraw, pattern=action_pattern(WITHDRAW)),
        CallbackQueryHandler(withdraw, pattern=action_pattern(WITHDRAW_CONFIRMED)),
    ]
