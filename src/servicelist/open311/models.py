"""The table of Open311 selections. Storage only; the rules live in ``selection``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, DateTime, ForeignKeyConstraint
from sqlmodel import Field, SQLModel

from servicelist.database import metadata

SQLModel.metadata = metadata


class Open311Selection(SQLModel, table=True):
    """The services a municipality publishes through Open311, and their codes.

    A municipality without a row uses the default selection: its offered services with the
    LGIL interaction "Reporting".
    """

    __tablename__ = "open311_selection"
    __table_args__ = (ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),)

    municipality_id: str = Field(primary_key=True, max_length=64)
    interactions: list[str] = Field(sa_column=Column(JSON, nullable=False))
    services: list[str] = Field(sa_column=Column(JSON, nullable=False))
    service_codes: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    request_type: str = Field(max_length=20)
    revision: int = 1
    updated_by: str
    updated_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
