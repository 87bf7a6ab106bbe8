"""GeoReport v2 XML, written with explicit escaping.

The XML mirrors the JSON as the spec's samples show it. A list becomes an element with one
child per entry (``services``/``service``, ``attributes``/``attribute``, ``values``/``value``,
``errors``/``error``). An object becomes an element with one child per field, in field order.
True and false become ``true`` and ``false``, and null becomes an empty element. Element
names are fixed here, so only text content needs escaping. Text is escaped for ``&``, ``<``,
``>`` and carriage return (a parser would turn a literal one into a line feed), and characters
that XML 1.0 forbids become U+FFFD, so the output is always well formed.
"""

from __future__ import annotations

import re
from typing import Any

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# The element of each entry of a list element.
ENTRY_ELEMENTS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}
# Everything outside the XML 1.0 Char production.
_NOT_XML_CHARACTER = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape_text(text: str) -> str:
    """Escape text content; replace characters that XML 1.0 does not allow with U+FFFD."""
    text = _NOT_XML_CHARACTER.sub("\ufffd", text)
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


def to_xml(root: str, value: Any) -> bytes:
    """Return ``value`` as a UTF-8 XML document whose root element is ``root``."""
    parts: list[str] = [DECLARATION]
    _write(parts, root, value)
    parts.append("\n")
    return "".join(parts).encode("utf-8")


def _write(parts: list[str], name: str, value: Any) -> None:
    if isinstance(value, list):
        entry = ENTRY_ELEMENTS[name]
        parts.append(f"<{name}>")
        for item in value:
            _write(parts, entry, item)
        parts.append(f"</{name}>")
    elif isinstance(value, dict):
        parts.append(f"<{name}>")
        for key, item in value.items():
            _write(parts, key, item)
        parts.append(f"</{name}>")
    else:
        parts.append(f"<{name}>{_scalar(value)}</{name}>")


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return str(value)
    return escape_text(str(value))
