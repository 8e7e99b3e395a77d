"""Reading accounts straight from the database in tests."""

from sqlalchemy import select

from accounts.models import User
from demo.runner import BotRunner


async def account(bot: BotRunner, telegram_id: int) -> User | None:
    async with bot.session_factory() as session:
        return await session.scalar(select(User).where(User.telegram_id == telegram_id))
