"""Reading CSV files in the shapes the esd-toolkit and GOV.UK publish, with their known quirks.

The readers take bytes and return rows or raise ``ImportRejected`` listing every bad row, so a
caller can report all problems at once and store nothing.

Quirks of the published files that the readers repair:

* CRLF line endings, and line breaks inside quoted descriptions;
* a trailing comma on every line, which makes an unnamed empty last column;
* a header with fewer names than its rows have fields (GOV.UK's fallback links), where the
  caller names the extra columns;
* descriptions exported as an RDF literal, ``"text"@en`` with doubled quotes inside,
  and history notes ending in a stray ``@en``;
* UTF-8 text decoded once too often (``Â`` before a no-break space) and HTML character
  references such as ``&#163;``.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Sequence

from servicelist.errors import ImportRejected, RowError

MAX_FIELD_CHARS = 100_000

_RDF_LITERAL = re.compile(r'^"(?P<text>.*)"@(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]+)*)$', re.DOTALL)
_TRAILING_LANGUAGE_TAG = re.compile(r"(?<=\.)@en$")
_QUOTE_RUN = re.compile(r'"{2,}')
# UTF-8 bytes of U+00A0 and U+00C2 read as Windows-1252, once or twice.
_MOJIBAKE = (
    ("\u00c3\u201a\u00c2\xa0", " "),
    ("\u00c3\u201a\u00c2", " "),
    ("\u00c2\xa0", " "),
    ("\u00c2 ", " "),
)


# The 2019 exports spell "café" as "cafŽ": an "é" written in Mac Roman (0x8E) and read as
# Windows-1252, where 0x8E is "Ž". English text never has "Ž" after a lowercase letter, so only
# that position is repaired and a real "Ž" in a name stays.
_MAC_ROMAN_E_ACUTE = re.compile("(?<=[a-z])\u017d")


def clean_text(value: str) -> str:
    """Return the text of a published field with the export artefacts removed."""
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    literal = _RDF_LITERAL.match(text.strip())
    if literal:
        text = _QUOTE_RUN.sub('"', literal.group("text"))
    text = _TRAILING_LANGUAGE_TAG.sub("", text.strip())
    for broken, repaired in _MOJIBAKE:
        text = text.replace(broken, repaired)
    text = _MAC_ROMAN_E_ACUTE.sub("é", text)
    text = html.unescape(text).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def read_rows(
    data: bytes,
    *,
    source: str,
    required: Sequence[str],
    extra_columns: Sequence[str] = (),
) -> list[dict[str, str]]:
    """Parse CSV bytes into one dict per row, keyed by the header names.

    ``extra_columns`` names the fields that rows carry beyond the header. Row numbers in
    errors count the header as row 1, as a spreadsheet shows them.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        error = RowError(row=0, column=None, value=None, reason=f"not UTF-8 text: {exc.reason}")
        raise ImportRejected(f"{source} is not UTF-8 encoded; save it as UTF-8", [error]) from exc

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        error = RowError(row=1, column=None, value=None, reason="the file is empty")
        raise ImportRejected(f"{source} has no header row", [error]) from None
    while header and header[-1] == "":
        header.pop()

    missing = [name for name in required if name not in header]
    if missing:
        header_errors = [
            RowError(row=1, column=name, value=None, reason="required column is missing")
            for name in missing
        ]
        raise ImportRejected(f"{source} lacks the columns {', '.join(missing)}", header_errors)

    columns = header + list(extra_columns)
    rows: list[dict[str, str]] = []
    errors: list[RowError] = []
    try:
        for fields in reader:
            row_number = reader.line_num
            if not any(field.strip() for field in fields):
                continue
            while len(fields) > len(columns) and fields[-1] == "":
                fields = fields[:-1]
            if len(fields) > len(columns):
                errors.append(
                    RowError(
                        row=row_number,
                        column=None,
                        value=fields[len(columns)][:200],
                        reason=f"row has {len(fields)} fields but the header names {len(columns)}",
                    )
                )
                continue
            too_long = next((f for f in fields if len(f) > MAX_FIELD_CHARS), None)
            if too_long is not None:
                errors.append(
                    RowError(
                        row=row_number,
                        column=None,
                        value=too_long[:200],
                        reason=f"field is longer than {MAX_FIELD_CHARS} characters",
                    )
                )
                continue
            padded = fields + [""] * (len(columns) - len(fields))
            rows.append(dict(zip(columns, padded, strict=True)))
    except csv.Error as exc:
        errors.append(RowError(row=reader.line_num, column=None, value=None, reason=str(exc)))

    if errors:
        raise ImportRejected(f"{source} has {len(errors)} invalid rows", errors)
    return rows
