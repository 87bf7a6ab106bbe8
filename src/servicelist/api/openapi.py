"""The OpenAPI document of the app, as committed in ``openapi/openapi.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from servicelist.api.app import create_app
from servicelist.database import create_database_engine
from servicelist.settings import Settings


def openapi_document() -> dict[str, Any]:
    """Return the OpenAPI document; building it needs no database."""
    engine = create_database_engine("sqlite://")
    return create_app(Settings(database_url="sqlite://"), engine).openapi()


def write_openapi(path: Path) -> None:
    """Write the OpenAPI document as stable, indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
