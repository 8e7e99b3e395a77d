"""A failure inside a handler is logged without personal data and the person gets an apology."""

import logging

from demo.runner import BotRunner


async def test_failure_is_logged_without_personal_data_and_apologized_for(
    bot: BotRunner,
    caplog,  # type: ignore[no-untyped-def]
) -> None:
    ana = bot.server.user(
        5001, first_name="Ana Secret-Name", username="ana_private", language_code="pt"
    )
    await bot.do(ana.send_command("start"))
    bot.server.faults.add(
        method="sendMessage",
        status=400,
        count=1,
        description="Bad Request: Ana Secret-Name broke it",
    )
    with caplog.at_level(logging.INFO):
        await bot.do(ana.send_command("help"))
    pt = bot.catalogs.translator("pt")
    assert ana.last.text == pt._(
        "Sorry, something went wrong on my side. Please try again in a "
        "moment; what you entered before is saved."
    )
    failures = [
        record.getMessage() for record in caplog.records if record.name == "tideline.errors"
    ]
    assert len(failures) == 1 and "BadRequest" in failures[0]
    everything_logged = caplog.text
    for private in ("Ana", "Secret", "ana_private", "5001"):
        assert private not in everything_logged

    await bot.do(ana.send_command("help"))
    assert pt._("What I can do") in ana.last.text
