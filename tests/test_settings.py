"""Settings read from the environment."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from servicelist.settings import Settings


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVICELIST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    monkeypatch.setenv("SERVICELIST_BASE_URI", "https://lists.example.org/id")

    settings = Settings()

    assert settings.database_url == "postgresql://postgres@127.0.0.1:5432/test"
    assert settings.base_uri == "https://lists.example.org/id/"


def test_base_uri_must_be_http() -> None:
    with pytest.raises(ValidationError, match="must start with http"):
        Settings(base_uri="urn:example:")


def test_unknown_sqlite_synchronous_is_rejected() -> None:
    with pytest.raises(ValidationError, match="sqlite_synchronous"):
        Settings(sqlite_synchronous="SOMETIMES")
