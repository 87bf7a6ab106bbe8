"""API keys: creation, hashing, lookup and revocation.

A key reads ``sl_<id>_<secret>``. The id is stored in clear and names the key in logs and
history; only a SHA-256 hash of the secret is stored. The secret has 256 bits from ``secrets``,
so a fast hash is enough: no password-style stretching is needed to resist guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, select, update
from sqlmodel import col

from servicelist.errors import InvalidValue, NotFound
from servicelist.municipalities.models import ApiKey, Municipality

READER = "reader"
EDITOR = "editor"
ADMIN = "admin"
PLATFORM_ADMIN = "platform-admin"
# Each role may do everything the roles before it may.
ROLES = (READER, EDITOR, ADMIN, PLATFORM_ADMIN)
PREFIX = "sl"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(
    connection: Connection, *, role: str, name: str, municipality_id: str | None
) -> tuple[ApiKey, str]:
    """Store a new key and return it with the token, which is shown once and never stored."""
    if role not in ROLES:
        raise InvalidValue(f"{role!r} is not a role; use one of {', '.join(ROLES)}")
    if role == PLATFORM_ADMIN and municipality_id is not None:
        raise InvalidValue("a platform-admin key belongs to no municipality; omit the municipality")
    if role != PLATFORM_ADMIN and municipality_id is None:
        raise InvalidValue(f"a {role} key needs the municipality it belongs to")
    if municipality_id is not None:
        found = connection.execute(
            select(col(Municipality.id)).where(col(Municipality.id) == municipality_id)
        ).first()
        if found is None:
            raise NotFound(f"There is no municipality {municipality_id!r}.")
    if not name.strip():
        raise InvalidValue("the key needs a name saying who or what uses it")

    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        id=key_id,
        secret_hash=hash_secret(secret),
        municipality_id=municipality_id,
        role=role,
        name=name.strip(),
        created_at=datetime.now(UTC),
        revoked_at=None,
    )
    connection.execute(insert(ApiKey).values(**key.model_dump()))
    return key, f"{PREFIX}_{key_id}_{secret}"


def find_key(connection: Connection, token: str) -> ApiKey | None:
    """Return the live key that ``token`` names, or None for a malformed, unknown or revoked one."""
    prefix, _, rest = token.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret or len(token) > 200:
        return None
    row = connection.execute(select(ApiKey).where(col(ApiKey.id) == key_id)).first()
    if row is None:
        return None
    key = ApiKey.model_validate(row._mapping)
    if key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, hash_secret(secret)):
        return None
    return key


def list_keys(connection: Connection, municipality_id: str | None = None) -> list[ApiKey]:
    query = select(ApiKey).order_by(col(ApiKey.created_at))
    if municipality_id is not None:
        query = query.where(col(ApiKey.municipality_id) == municipality_id)
    return [ApiKey.model_validate(row._mapping) for row in connection.execute(query)]


def revoke_key(connection: Connection, key_id: str) -> None:
    """Revoke a key; it stops working at once. Raise ``NotFound`` for an unknown id."""
    result = connection.execute(
        update(ApiKey)
        .where(col(ApiKey.id) == key_id, col(ApiKey.revoked_at).is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    if result.rowcount == 0:
        raise NotFound(f"There is no live API key {key_id!r}.")
