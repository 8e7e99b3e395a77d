"""/start: language, privacy consent and profile, one step at a time."""

from enum import StrEnum
from html import escape

from telegram import Update
from telegram.ext import (
    BaseHandler,
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
from handlers.kit.reprompts import (
    earlier_step_button,
    expect_buttons,
    expect_text,
    text_problem_message,
)
from handlers.people.help import help_text
from handlers.runtime.command_menu import set_chat_command_menu


class Awaiting(StrEnum):
    LANGUAGE = "language"
    CONSENT = "consent"
    STAKEHOLDER_ROLE = "stakeholder_role"
    ORGANIZATION = "organization"
    COUNTRY = "country"
    CITY = "city"
    TIMEZONE = "timezone"


ONBOARDING = "onboarding"
LANGUAGE = "ob.lang"
CONSENT_CHOICE = "ob.consent"
CONSENT_DONE = "ob.consent_done"
ROLE = "ob.role"
SKIP_ORGANIZATION = "ob.skip_org"
COUNTRY = "ob.country"
CITY_MATCH = "ob.city"  # GeoNames id, or city_choice.KEEP
TIMEZONE_OK = "ob.tz_ok"
TIMEZONE_OTHER = "ob.tz_other"
TIMEZONE = "ob.tz"


async def start(update: Update, context: TidelineContext) -> Awaiting | int:
    session = await context.session()
    account = await account_of(session, update)
    links = context.services.deep_links
    if context.args and account.onboarded_at is None:
        await links.remember(session, update, context.args[0])
    if context.args:
        await answer(update, context, links.describe_before_setup(context.t, context.args[0]))
    if account.onboarded_at is not None:
        name = escape(account.first_name or "")
        await answer(
            update,
            context,
            context.t._("Welcome back, {name}!").format(name=name)
            + "\n\n"
            + help_text(context, account),
        )
        return ConversationHandler.END
    t = context.t
    intro = t._(
        "Hello! I am Tideline, the assistant of the China–ASEAN Eco-City and Marine "
        "Plastic Reduction Partnership. Let's set you up: it takes a minute."
    )
    await answer(
        update,
        context,
        intro + "\n\n" + steps.language_prompt(t),
        steps.language_keyboard(context, LANGUAGE, account.language),
    )
    return Awaiting.LANGUAGE


async def choose_language(update: Update, context: TidelineContext) -> Awaiting:
    (language,) = button_args(update)
    session = await context.session()
    account = await account_of(session, update)
    service.set_language(account, language)
    t = context.use_language(language)
    await answer(
        update,
        context,
        t._("Language: {language}").format(language=steps.LANGUAGES[language].native_name),
        edit=True,
    )
    await steps.show_consent_screen(update, context, account, CONSENT_CHOICE, CONSENT_DONE)
    await set_chat_command_menu(context, account)
    return Awaiting.CONSENT


async def choose_consent(update: Update, context: TidelineContext) -> Awaiting:
    await steps.take_consent_choice(update, context, CONSENT_CHOICE, CONSENT_DONE)
    return Awaiting.CONSENT


async def finish_consent(update: Update, context: TidelineContext) -> Awaiting:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    # Purposes never ticked are recorded as refused, so the export shows every choice.
    for purpose, granted in service.consents_of(account).items():
        service.set_consent(account, purpose, granted, context.now())
    await answer(update, context, steps.privacy_notice(t), edit=True)
    await answer(
        update, context, steps.stakeholder_prompt(t), steps.stakeholder_keyboard(context, ROLE)
    )
    return Awaiting.STAKEHOLDER_ROLE


async def choose_role(update: Update, context: TidelineContext) -> Awaiting:
    (role_value,) = button_args(update)
    role = StakeholderRole(role_value)
    t = context.t
    session = await context.session()
    service.set_stakeholder_role(await account_of(session, update), role)
    await answer(
        update,
        context,
        t._("Role: {role}").format(role=t._(steps.STAKEHOLDER_LABELS[role])),
        edit=True,
    )
    await answer(
        update,
        context,
        steps.organization_prompt(t),
        [[context.button(t._("Skip"), SKIP_ORGANIZATION)]],
    )
    return Awaiting.ORGANIZATION


async def type_organization(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        session = await context.session()
        service.set_organization(await account_of(session, update), message.text)
    except InvalidText as problem:
        await _reject_text(update, context, problem)
        return None
    return await _ask_country(update, context)


async def skip_organization(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    service.set_organization(await account_of(session, update), None)
    await answer(
        update,
        context,
        context.t._("Organization: {organization}").format(organization="–"),
        edit=True,
    )
    return await _ask_country(update, context)


async def _ask_country(update: Update, context: TidelineContext) -> Awaiting:
    await answer(
        update, context, steps.country_prompt(context.t), steps.country_keyboard(context, COUNTRY)
    )
    return Awaiting.COUNTRY


async def choose_country(update: Update, context: TidelineContext) -> Awaiting:
    (country,) = button_args(update)
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    service.set_country(account, country, context.services.settings.DEFAULT_TIMEZONE)
    await answer(
        update,
        context,
        t._("Country: {country}").format(country=escape(steps.country_label(t, country))),
        edit=True,
    )
    await answer(update, context, steps.city_prompt(t))
    return Awaiting.CITY


async def type_city(update: Update, context: TidelineContext) -> Awaiting | None:
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        session = await context.session()
        account = await account_of(session, update)
        service.set_city(account, message.text, context.services.settings.DEFAULT_TIMEZONE)
    except InvalidText as problem:
        await _reject_text(update, context, problem)
        return None
    cities = candidates(message.text, account.country)
    if cities:
        keyboard = city_choice.offer_keyboard(context, CITY_MATCH, cities)
        await answer(update, context, city_choice.offer_prompt(context.t), keyboard)
        return None
    return await _ask_timezone(update, context, account, edit=False)


async def choose_city(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    account = await account_of(session, update)
    geoname_id = city_choice.chosen_id(button_args(update))
    if geoname_id is not None:
        service.choose_city(account, geoname_id, context.services.settings.DEFAULT_TIMEZONE)
    return await _ask_timezone(update, context, account, edit=True)


async def _ask_timezone(
    update: Update, context: TidelineContext, account: User, *, edit: bool
) -> Awaiting:
    t = context.t
    if edit:
        city = escape(account.city or "")
        await answer(update, context, t._("City: {city}").format(city=city), edit=True)
    assert account.timezone is not None
    question = t._("Your time zone looks like {zone}. Is that right?").format(
        zone=escape(t.zone_name(account.timezone, context.now()))
    )
    await answer(
        update,
        context,
        question,
        [
            [context.button(t._("Yes, that's right"), TIMEZONE_OK)],
            [context.button(t._("Choose another time zone"), TIMEZONE_OTHER)],
        ],
    )
    return Awaiting.TIMEZONE


async def offer_timezones(update: Update, context: TidelineContext) -> Awaiting:
    session = await context.session()
    country = (await account_of(session, update)).country
    await answer(
        update,
        context,
        context.t._("Choose your time zone:"),
        steps.timezone_keyboard(context, TIMEZONE, country),
        edit=True,
    )
    return Awaiting.TIMEZONE


async def choose_timezone(update: Update, context: TidelineContext) -> int:
    (zone,) = button_args(update)
    session = await context.session()
    service.set_timezone(await account_of(session, update), zone)
    return await _finish(update, context)


async def confirm_timezone(update: Update, context: TidelineContext) -> int:
    return await _finish(update, context)


async def _finish(update: Update, context: TidelineContext) -> int:
    t = context.t
    session = await context.session()
    account = await account_of(session, update)
    service.complete_onboarding(account, context.now())
    await answer(
        update,
        context,
        t._("All set, thank you!") + "\n\n" + steps.profile_summary(context, account),
        edit=True,
    )
    await answer(update, context, help_text(context, account))
    await context.services.deep_links.open_remembered(session, update, context)
    return ConversationHandler.END


async def _reject_text(update: Update, context: TidelineContext, problem: InvalidText) -> None:
    await answer(
        update,
        context,
        text_problem_message(context.t, problem),
    )


async def cancel(update: Update, context: TidelineContext) -> int:
    await answer(
        update, context, context.t._("Set-up paused. Send /start whenever you want to continue.")
    )
    return ConversationHandler.END


def _button(action: str, callback) -> CallbackQueryHandler:  # type: ignore[no-untyped-def]
    return CallbackQueryHandler(callback, pattern=action_pattern(action))


def build_onboarding() -> ConversationHandler:
    not_command = ~filters.COMMAND
    expects_buttons: list[BaseHandler] = [MessageHandler(not_command, expect_buttons)]
    expects_text: list[BaseHandler] = [
        MessageHandler(filters.TEXT & not_command, type_organization),
    ]
    return ConversationHandler(
        name=ONBOARDING,
        persistent=True,
        allow_reentry=True,
        entry_points=[CommandHandler("start", start)],
        states={
            Awaiting.LANGUAGE: [_button(LANGUAGE, choose_language), *expects_buttons],
            Awaiting.CONSENT: [
                _button(CONSENT_CHOICE, choose_consent),
                _button(CONSENT_DONE, finish_consent),
                *expects_buttons,
            ],
            Awaiting.STAKEHOLDER_ROLE: [_button(ROLE, choose_role), *expects_buttons],
            Awaiting.ORGANIZATION: [
                *expects_text,
                _button(SKIP_ORGANIZATION, skip_organization),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.COUNTRY: [_button(COUNTRY, choose_country), *expects_buttons],
            Awaiting.CITY: [
                MessageHandler(filters.TEXT & not_command, type_city),
                _button(CITY_MATCH, choose_city),
                MessageHandler(not_command, expect_text),
            ],
            Awaiting.TIMEZONE: [
                _button(TIMEZONE_OK, confirm_timezone),
                _button(TIMEZONE_OTHER, offer_timezones),
                _button(TIMEZONE, choose_timezone),
                *expects_buttons,
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(earlier_step_button, pattern=r"^ob\."),
        ],
    )
