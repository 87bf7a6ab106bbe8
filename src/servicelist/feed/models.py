"""The table that records how far each municipality's change history was pruned."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKeyConstraint
from sqlmodel import Field, SQLModel

from servicelist.database import metadata

SQLModel.metadata = metadata


class ChangeHorizon(SQLModel, table=True):
    """The highest ``change.id`` pruned from one municipality's history, and when.

    A feed cursor positioned before ``pruned_through`` may have missed pruned changes, so the
    feed rejects it with 410 Gone.
    """

    __tablename__ = "change_horizon"
    __table_args__ = (ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),)

    municipality_id: str = Field(primary_key=True, max_length=64)
    pruned_through: int
    pruned_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
