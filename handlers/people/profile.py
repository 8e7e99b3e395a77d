"""/profile: see the profile and change one field at a time."""

from enum import StrEnum

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from accounts import service
from accounts.cities import candidates
from accounts.models import StakeholderRole, User
from accounts.service import InvalidText
from handlers.kit import city_choice
from handlers.kit import profile_fields as steps
from handlers.kit.callbacks import action_pattern, button_args
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.keyboards import Keyboard
from handlers.kit.reprompts import (
    earlier_step_button,
    expect_buttons,
    expect_text,
    text_problem_message,
)


class Awaiting(StrEnum):
    FIELD = "field"
    STAKEHOLDER_ROLE = "stakeholder_role"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    CITY = "city"
    TIMEZONE = "timezone"


EDIT = "pf.edit"
DONE = "pf.done"
ROLE = "pf.role"
CLEAR_ORGANIZATION = "pf.clear_org"
COUNTRY = "pf.country"
TIMEZONE = "pf.tz"
CITY_MATCH = "pf.city"  # GeoNames id, or city_choice.KEEP


def _field_keyboard(context: TidelineContext) -> Keyboard:
    t = context.t
    return [
        [
            context.button(t._("Role"), EDIT, Awaiting.STAKEHOLDER_ROLE),
            context.button(t._("Organization"), EDIT, Awaiting.ORGANIZATION),
        ],
        [
            context.button(t._("Country"), EDIT, Awaiting.COUNTRY),
            context.button(t._("City"), EDIT, Awaiting.CITY),
        ],
        [
            context.button(t._("Time zone"), EDIT, Awaiting.TIMEZONE),
            context.button(t._("Done"), DONE),
        ],
    ]


async def _show_card(
    update: Update, context: TidelineContext, account: User, *, edit: bool
) -> Awaiting:
    await answer(
        update,
        context,
        steps.profile_summary(context, account),
        _field_keyboard(context),
        edit=edit,
    )
    return Awaiting.FIELD


async def show_profile(update: Update, context: TidelineContext) -> Awaiting | int:
    session = await context.session()
    account = await account_of(session, update)
    if account.onboarded_at is None:
        await answer(
            update, context, context.t._("Let's finish setting you up first: send /start.")
        )
        return ConversationHandler.END
    return await _show_card(update, context, account, edit=False)


async def choose_field(update: Update, context: TidelineContext) -> Awaiting:
    field = Awaiting(button_args(update)[0])
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    if field == Awaiting.STAKEHOLDER_ROLE:
        await answer(
            update,
            context,
            steps.stakeholder_prompt(t),
            steps.stakeholder_keyboard(context, ROLE),
            edit=True,
        )
    elif field == Awaiting.ORGANIZATION:
        await answer(
            update,
            context,
            steps.organization_prompt(t),
            [[context.button(t._("No organization"), CLEAR_ORGANIZATION)]],
            edit=True,
        )
    elif field == Awaiting.COUNTRY:
        await answer(
            update,
            context,
            steps.country_prompt(t),
            steps.country_keyboard(context, COUNTRY),
            edit=True,
        )
    elif field == Awaiting.CITY:
        await answer(update, context, steps.city_prompt(t), edit=True)
    else:
        await answer(
            update,
            context,
            t._("Choose your time zone:"),
            steps.timezone_keyboard(context, TIMEZONE, account.country),
            edit=True,
        )
    return field


async def choose_role(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    account = await account_of(session, update)
    service.set_stakeholder_role(account, StakeholderRole(button_args(update)[0]))
    return await _show_card(update, context, account, edit=True)


async def clear_organization(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    account = await account_of(session, update)
    service.set_organization(account, None)
    return await _show_card(update, context, account, edit=True)


async def choose_country(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    account = await account_of(session, update)
    service.set_country(account, button_args(update)[0], context.services.settings.DEFAULT_TIMEZONE)
    return await _show_card(update, context, account, edit=True)


async def choose_timezone(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    account = await account_of(session, update)
    service.set_timezone(account, button_args(update)[0])
    return await _show_card(update, context, account, edit=True)


async def type_organization(update: Update, context: TidelineContext) -> Awaiting | None:
    return await _save_text(update, context, service.set_organization)


async def type_city(update: Update, context: TidelineContext) -> Awaiting | None:
    """The city typed is saved at once; places it may mean are offered to choose from, and the
    other fields' buttons stay usable meanwhile."""
    fallback = context.services.settings.DEFAULT_TIMEZONE
    saved = await _save_text(
        update,
        context,
        lambda account, city: service.set_city(account, city, fallback),
        show_card=False,
    )
    if saved is None:
        return None
    session = await context.session()
    account = await account_of(session, update)
    cities = candidates(account.city or "", account.country)
    if not cities:
        return await _show_card(update, context, account, edit=False)
    keyboard = city_choice.offer_keyboard(context, CITY_MATCH, cities)
    await answer(update, context, city_choice.offer_prompt(context.t), keyboard)
    return Awaiting.FIELD


async def choose_city(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    account = await account_of(session, update)
    geoname_id = city_choice.chosen_id(button_args(update))
    if geoname_id is not None:
        service.choose_city(account, geoname_id, context.services.settings.DEFAULT_TIMEZONE)
    return await _show_card(update, context, account, edit=True)


async def _save_text(  # type: ignore[no-untyped-def]
    update: Update, context: TidelineContext, save, *, show_card: bool = True
) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        session = await context.session()
        account = await account_of(session, update)
        save(account, message.text)
    except InvalidText as problem:
        await answer(
            update,
            context,
            text_problem_message(context.t, problem),
        )
        return None
    if not show_card:
        return Awaiting.FIELD
    return await _show_card(update, context, account, edit=False)


async def done(update: Update, context: TidelineContext) -> int:
    session = await context.session()
    account = await account_of(session, update)
    await answer(update, context, steps.profile_summary(context, account), edit=True)
    return ConversationHandler.END


async def cancel(update: Update, context: TidelineContext) -> int:
    await answer(
        update, context, context.t._("Cancelled. Your profile is as it was before this change.")
    )
    return ConversationHandler.END


def build_profile() -> ConversationHandler:
    not_command = ~filters.COMMAND

    def button(action: str, callback) -> CallbackQueryHandler:  # type: ignore[no-untyped-def]
        return CallbackQueryHandler(callback, pattern=action_pattern(action))

    return ConversationHandler(
        name="profile",
        persistent=True,
        allow_reentry=True,
        entry_points=[CommandHandler("profile", show_profile)],
        states={
            Awaiting.FIELD: [
                button(EDIT, choose_field),
                button(DONE, done),
                button(CITY_MATCH, choose_city),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.STAKEHOLDER_ROLE: [
                button(ROLE, choose_role),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.ORGANIZATION: [
                MessageHandler(filters.TEXT & not_command, type_organization),
                button(CLEAR_ORGANIZATION, clear_organization),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.COUNTRY: [
                button(COUNTRY, choose_country),
                MessageHandler(not_command, expect_buttons),
            ],
            Awaiting.CITY: [
                MessageHandler(filters.TEXT & not_command, type_city),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.TIMEZONE: [
                button(TIMEZONE, choose_timezone),
                MessageHandler(not_command, expect_buttons),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(earlier_step_button, pattern=r"^pf\."),
        ],
    )
