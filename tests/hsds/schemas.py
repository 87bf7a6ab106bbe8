"""Validation against the HSDS 3.0 JSON Schemas in tests/data/hsds, resolved locally.

The schemas refer to each other by file name (``"$ref": "phone.json"``) and the API reference
by the canonical URL of the 3.0 schema folder. Every file is registered under that URL, and the
registry has no retrieval function, so a reference to any other document fails instead of
being fetched.
"""

from __future__ import annotations

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parents[1] / "data" / "hsds"
SCHEMA_BASE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"
PAGE = "openapi.json#/components/schemas/Page"


@cache
def registry() -> Registry[Any]:
    resources = []
    for path in sorted(SCHEMA_DIR.rglob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents, default_specification=DRAFT202012)
        resources.append((SCHEMA_BASE + path.relative_to(SCHEMA_DIR).as_posix(), resource))
    return Registry().with_resources(resources)


@cache
def validator(schema: str) -> Draft202012Validator:
    """Return a validator of the schema at ``schema`` relative to the schema folder."""
    return Draft202012Validator(
        {"$ref": SCHEMA_BASE + schema},
        registry=registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def errors_of(schema: str, document: Any) -> list[str]:
    """Return every validation error of ``document``, with where it occurs."""
    return [
        f"{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator(schema).iter_errors(document)
    ]


def assert_valid(schema: str, document: Any) -> None:
    errors = errors_of(schema, document)
    assert not errors, "\n".join(errors[:20])
    assert_formats(schema, document)


def assert_formats(schema: str, document: Any) -> None:
    """Check the ``uuid`` and ``uri`` formats that the schema declares on ``document``.

    jsonschema checks ``uri`` only when the optional rfc3987 package is installed, so this
    walks the schema's own ``format`` keywords with the standard library.
    """
    contents = registry().contents(SCHEMA_BASE + schema.partition("#")[0])
    _check(contents, document, schema)


def _check(schema: Any, value: Any, where: str) -> None:
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        target = schema["$ref"]
        if not target.startswith("#"):
            _check(registry().contents(SCHEMA_BASE + target), value, f"{where}>{target}")
        return
    kind = schema.get("format")
    if isinstance(value, str) and kind == "uuid":
        assert str(uuid.UUID(value)) == value, f"{where}: {value!r} is not a UUID"
    if isinstance(value, str) and kind == "uri":
        parts = urlsplit(value)
        assert parts.scheme and (parts.netloc or parts.path), f"{where}: {value!r} is no URI"
    if isinstance(value, dict):
        for name, child in schema.get("properties", {}).items():
            if name in value:
                _check(child, value[name], f"{where}/{name}")
    if isinstance(value, list) and "items" in schema:
        for index, child in enumerate(value):
            _check(schema["items"], child, f"{where}/{index}")
