"""Tables of contact volumes and channel costs per municipality. Storage only.

Money is stored as decimal text (``"8.62"``), not as a floating-point or SQL ``NUMERIC``
column. SQLite has no exact decimal type and would store a ``NUMERIC`` as a float, so text is
the one form that keeps the amount exact on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, ForeignKeyConstraint
from sqlmodel import Field, SQLModel

from servicelist.database import metadata

SQLModel.metadata = metadata


def _timestamp() -> Any:
    return Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class ContactVolume(SQLModel, table=True):
    """How many contacts one service had on one channel in one period (month or quarter)."""

    __tablename__ = "contact_volume"
    __table_args__ = (ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),)

    municipality_id: str = Field(primary_key=True, max_length=64)
    service_id: str = Field(primary_key=True, max_length=80)
    channel_id: str = Field(primary_key=True, max_length=40)
    # ISO 8601 month "2026-01" or quarter "2026-Q1"; one municipality uses one of the two.
    period: str = Field(primary_key=True, max_length=7)
    contacts: int
    updated_by: str
    updated_at: datetime = _timestamp()


class ChannelCost(SQLModel, table=True):
    """A municipality's own cost per contact on one channel, in one currency."""

    __tablename__ = "channel_cost"
    __table_args__ = (ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),)

    municipality_id: str = Field(primary_key=True, max_length=64)
    channel_id: str = Field(primary_key=True, max_length=40)
    currency: str = Field(primary_key=True, max_length=3)
    amount: str = Field(max_length=24)
    source: str
    updated_by: str
    updated_at: datetime = _timestamp()
