"""Runtime settings, read once from the environment (prefix ``SERVICELIST_``)."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_DATA_DIR = _PACKAGE_DIR.parent.parent / "data"
_WHEEL_DATA_DIR = _PACKAGE_DIR / "bundled_data"


def default_data_dir() -> Path:
    """Return the bundled data folder of a source checkout, else the one inside the wheel."""
    if _CHECKOUT_DATA_DIR.is_dir():
        return _CHECKOUT_DATA_DIR
    return _WHEEL_DATA_DIR


class Settings(BaseSettings):
    """Every setting of the service. Environment variables override the defaults."""

    model_config = SettingsConfigDict(env_prefix="SERVICELIST_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/servicelist.sqlite3",
        description="SQLAlchemy URL. SQLite paths are relative to the working directory.",
    )
    base_uri: str = Field(
        default="http://127.0.0.1:8000/",
        description="Prefix of every URI the service mints for its own resources; ends with '/'.",
    )
    data_dir: Path = Field(default_factory=default_data_dir)
    max_body_bytes: int = Field(default=1_048_576, gt=0, description="Largest request body.")
    max_import_bytes: int = Field(
        default=16_777_216,
        gt=0,
        description="Largest body of a CSV import, which carries a whole catalogue.",
    )
    page_size_default: int = Field(default=100, gt=0)
    page_size_max: int = Field(default=1000, gt=0)
    refresh_interval_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How often a server checks the database for a newer load of the lists.",
    )
    change_retention_days: int = Field(
        default=90,
        ge=0,
        description=(
            "Days of change history kept; `servicelist changes prune` removes older changes, "
            "and change-feed cursors from before them get 410 Gone."
        ),
    )
    sqlite_synchronous: str = Field(
        default="NORMAL",
        description=(
            "SQLite PRAGMA synchronous. In WAL mode NORMAL survives application crashes; "
            "FULL also survives power loss."
        ),
    )

    @field_validator("base_uri")
    @classmethod
    def _base_uri_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"base URI {value!r} must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @field_validator("sqlite_synchronous")
    @classmethod
    def _known_synchronous(cls, value: str) -> str:
        allowed = {"OFF", "NORMAL", "FULL", "EXTRA"}
        if value.upper() not in allowed:
            raise ValueError(f"sqlite_synchronous {value!r} must be one of {sorted(allowed)}")
        return value.upper()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
