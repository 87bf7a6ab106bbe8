"""The caller behind ``Authorization: Bearer``: its API key, and what its role allows.

Keys of one municipality see other municipalities' private resources as missing (404), so a key
cannot learn whether another tenant's unpublished data exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Request
from sqlalchemy import Engine

from servicelist.errors import Forbidden, NotFound, Unauthorized
from servicelist.municipalities import keys


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller behind a valid API key."""

    key_id: str
    name: str
    role: str
    municipality_id: str | None

    @property
    def actor(self) -> str:
        """Return how history records this caller: the key id and its name."""
        return f"key {self.key_id} ({self.name})"

    @property
    def is_platform_admin(self) -> bool:
        return self.role == keys.PLATFORM_ADMIN

    def belongs_to(self, municipality_id: str) -> bool:
        return self.is_platform_admin or self.municipality_id == municipality_id

    def require(self, municipality_id: str, role: str) -> None:
        """Raise unless this key may act on ``municipality_id`` with at least ``role``.

        A key of another municipality gets the same 404 as an unknown municipality.
        """
        if not self.belongs_to(municipality_id):
            raise NotFound(f"There is no municipality {municipality_id!r}.")
        if keys.ROLES.index(self.role) < keys.ROLES.index(role):
            raise Forbidden(
                f"This request needs the {role} role; key {self.key_id} has the {self.role} role."
            )

    def require_platform_admin(self) -> None:
        if not self.is_platform_admin:
            raise Forbidden(
                f"This request needs a platform-admin key; key {self.key_id} has the "
                f"{self.role} role."
            )


def _lookup(engine: Engine, token: str) -> Principal | None:
    with engine.connect() as connection:
        key = keys.find_key(connection, token)
    if key is None:
        return None
    return Principal(key.id, key.name, key.role, key.municipality_id)


async def optional_principal(request: Request) -> Principal | None:
    """Return the caller, None without an Authorization header, or raise for a bad key."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "The Authorization header must read 'Bearer <key>' with a key created by "
            "`servicelist keys create`."
        )
    principal = await to_thread.run_sync(_lookup, request.app.state.engine, token.strip())
    if principal is None:
        raise Unauthorized("The API key is unknown or revoked; ask an administrator for a new one.")
    return principal


async def required_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    """Return the caller, or raise 401 when the request has no API key."""
    if principal is None:
        raise Unauthorized(
            "This request needs an API key: send 'Authorization: Bearer <key>'. "
            "Keys are created with `servicelist keys create`."
        )
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
RequiredPrincipal = Annotated[Principal, Depends(required_principal)]
