"""Labels, prompts and keyboards for a person's profile fields (language, role, country, city, time
zone, consent): onboarding, /profile, /language and /privacy ask them, broadcasts filter by them."""

from html import escape

from telegram import Update

from accounts.geography import COUNTRY_CODES, OTHER_COUNTRY, zones_for
from accounts.models import ConsentPurpose, StakeholderRole, User
from accounts.service import choose_consent, consents_of
from handlers.kit.callbacks import button_args
from handlers.kit.city_choice import city_name
from handlers.kit.context import TidelineContext, account_of, answer
from handlers.kit.keyboards import Keyboard, rows
from handlers.kit.reprompts import out_of_date_notice
from i18n import LANGUAGES, Translator, lazy

STAKEHOLDER_LABELS: dict[StakeholderRole, str] = {
    StakeholderRole.COMMUNITY: lazy("Community member"),
    StakeholderRole.BUSINESS: lazy("Business"),
    StakeholderRole.GOVERNMENT: lazy("Government"),
    StakeholderRole.RESEARCH: lazy("Research or academia"),
    StakeholderRole.NGO: lazy("NGO"),
    StakeholderRole.FINANCE: lazy("Finance"),
    StakeholderRole.INTERNATIONAL: lazy("International organization"),
    StakeholderRole.MEDIA: lazy("Media"),
}

CONSENT_LABELS: dict[ConsentPurpose, str] = {
    ConsentPurpose.EVENT_LOGISTICS: lazy("Event logistics (needed to register)"),
    ConsentPurpose.PHOTOS_LOCATION: lazy("Photos and location"),
    ConsentPurpose.PARTNER_SHARING: lazy("Share my contact details with event partners"),
    ConsentPurpose.NEWS: lazy("News and invitations"),
}


def language_keyboard(context: TidelineContext, action: str, current: str | None) -> Keyboard:
    buttons = [
        context.button(("✓ " if code == current else "") + language.native_name, action, code)
        for code, language in LANGUAGES.items()
    ]
    return rows(buttons, 2)


def language_prompt(t: Translator) -> str:
    return t._("Choose your language:")


def privacy_notice(t: Translator) -> str:
    return "\n\n".join(
        [
            t._("<b>Your privacy</b>"),
            t._(
                "Tideline keeps your profile (language, role, organization, country, city and "
                "time zone) and what you do here (registrations, check-ins, reports) to run the "
                "partnership's events. We never show your name to other participants."
            ),
            t._(
                "Choose what we may use your data for. You can change this any time with "
                "/privacy, download your data with /mydata and delete it with /deleteme."
            ),
            t._(
                "<b>Event logistics</b> – registering you for events, sending reminders and, "
                "after an event you joined, asking for your feedback (post-event surveys). "
                "Needed to register."
            ),
            t._(
                "<b>Photos and location</b> – checking in by sharing your location and adding "
                "photos to cleanup reports."
            ),
            t._(
                "<b>Share my contact details with event partners</b> – the organizations "
                "co-hosting an event you join may contact you."
            ),
            t._(
                "<b>News and invitations</b> – invitations to roundtables and cleanups, and "
                "partnership news."
            ),
        ]
    )


# What a consent button does, carried in its data: the state it showed decides, never the state
# stored when it is pressed, so a tap on an older message cannot do the opposite of its label.
GRANT = "grant"
WITHDRAW = "withdraw"


def consent_keyboard(
    context: TidelineContext, account: User, choose_action: str, done_action: str | None
) -> Keyboard:
    t = context.t
    granted = consents_of(account)
    keyboard = [
        [
            context.button(
                ("✅ " if granted[purpose] else "⬜ ") + t._(label),
                choose_action,
                purpose.value,
                WITHDRAW if granted[purpose] else GRANT,
            )
        ]
        for purpose, label in CONSENT_LABELS.items()
    ]
    if done_action:
        keyboard.append([context.button(t._("Continue"), done_action)])
    return keyboard


def consent_choice(args: list[str]) -> tuple[ConsentPurpose, bool] | None:
    """The purpose and the state a consent button asks for; None for a button made before
    buttons carried their intent."""
    if len(args) != 2 or args[1] not in (GRANT, WITHDRAW):
        return None
    return ConsentPurpose(args[0]), args[1] == GRANT


async def show_consent_screen(
    update: Update,
    context: TidelineContext,
    account: User,
    choose_action: str,
    done_action: str | None,
    *,
    edit: bool = False,
) -> None:
    """The consent screen, as set-up and /privacy both show it."""
    keyboard = consent_keyboard(context, account, choose_action, done_action)
    await answer(update, context, privacy_notice(context.t), keyboard, edit=edit)


async def take_consent_choice(
    update: Update, context: TidelineContext, choose_action: str, done_action: str | None
) -> None:
    """A tap on a consent button: set what it showed, or say the screen was out of date, then
    show the screen as it now stands."""
    session = await context.session()
    account = await account_of(session, update)
    choice = consent_choice(button_args(update))
    if choice is None or not choose_consent(account, *choice, context.now()):
        await context.answer_query(update, out_of_date_notice(context.t), show_alert=True)
    await show_consent_screen(update, context, account, choose_action, done_action, edit=True)


def stakeholder_keyboard(context: TidelineContext, action: str) -> Keyboard:
    buttons = [
        context.button(context.t._(label), action, role.value)
        for role, label in STAKEHOLDER_LABELS.items()
    ]
    return rows(buttons, 2)


def stakeholder_prompt(t: Translator) -> str:
    return t._("Which of these describes you best?")


def organization_prompt(t: Translator) -> str:
    return t._("Which organization do you belong to? Type its name, or skip this step.")


def country_keyboard(context: TidelineContext, action: str, *prefix: object) -> Keyboard:
    """The partnership's countries by name and "Other country", each button carrying
    ``prefix`` (say, the survey it is for) and the country code."""
    t = context.t
    named = sorted(((t.country_name(code), code) for code in COUNTRY_CODES), key=lambda x: x[0])
    buttons = [context.button(name, action, *prefix, code) for name, code in named]
    buttons.append(context.button(t._("Other country"), action, *prefix, OTHER_COUNTRY))
    return rows(buttons, 2)


def country_prompt(t: Translator) -> str:
    return t._("Which country do you live in?")


def city_prompt(t: Translator) -> str:
    return t._("Which city or town are you in? Type its name.")


def timezone_keyboard(context: TidelineContext, action: str, country: str | None) -> Keyboard:
    now = context.now()
    return [
        [context.button(context.t.zone_name(zone, now), action, zone)]
        for zone in zones_for(country)
    ]


def country_label(t: Translator, country: str | None) -> str:
    if country is None:
        return "–"
    return t._("Other country") if country == OTHER_COUNTRY else t.country_name(country)


def _city(t: Translator, account: User) -> str:
    return city_name(t, account.city, account.city_geoname_id) if account.city else "–"


def profile_summary(context: TidelineContext, account: User) -> str:
    t = context.t
    role = t._(STAKEHOLDER_LABELS[account.stakeholder_role]) if account.stakeholder_role else "–"
    zone = t.zone_name(account.timezone, context.now()) if account.timezone else "–"
    lines = [
        t._("<b>Your profile</b>"),
        t._("Language: {language}").format(language=LANGUAGES[account.language].native_name),
        t._("Role: {role}").format(role=escape(role)),
        t._("Organization: {organization}").format(
            organization=escape(account.organization or "–")
        ),
        t._("Country: {country}").format(country=escape(country_label(t, account.country))),
        t._("City: {city}").format(
            city=escape(
                city_name(t, account.city, account.city_geoname_id) if account.city else "–"
            )
        ),
        t._("Time zone: {zone}").format(zone=escape(zone)),
        t._("Member since: {date}").format(
            date=t.date(
                account.created_at,
                account.timezone or context.services.settings.DEFAULT_TIMEZONE,
            )
        ),
    ]
    return "\n".join(lines)
