"""The declarative base every domain's models share, and the conversation states kept for the chat
layer. Every schema change comes with one Alembic migration."""

from sqlalchemy import String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ConversationState(Base):
    """Where each person stands in each chat conversation, so a restart strands nobody."""

    __tablename__ = "conversation_states"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[str] = mapped_column(Text)
