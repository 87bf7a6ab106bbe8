"""Reading uploaded CSV files: UTF-8 with an optional byte order mark, numbered rows, a row cap.

Catalogue imports and contact-volume imports share this reader and error collector. So both
number rows the way a spreadsheet shows them: the header is row 1, and a cell with line breaks
stays in one row. Both reject broken files with the same row-level errors.
"""

from __future__ import annotations

import csv
import io

from servicelist.errors import ImportRejected, RowError

NumberedRows = list[tuple[int, list[str]]]

MAX_REPORTED_ERRORS = 500
MAX_VALUE_CHARS = 200
MAX_REASON_CHARS = 1_000


def shorten(text: str, maximum: int = MAX_VALUE_CHARS) -> str:
    """Return ``text`` cut to ``maximum`` characters, ending with "..." when it was cut."""
    return text if len(text) <= maximum else text[: maximum - 3] + "..."


class RowErrors:
    """Row errors of one uploaded file. All are counted, and the first 500 are kept."""

    def __init__(self, subject: str = "The file") -> None:
        self.subject = subject
        self.listed: list[RowError] = []
        self.count = 0

    def add(self, row: int, column: str | None, value: str | None, reason: str) -> None:
        self.count += 1
        if len(self.listed) < MAX_REPORTED_ERRORS:
            shown = shorten(value) if value is not None else None
            # Field checks quote the value in the reason, and a cell may be 100,000 characters.
            self.listed.append(RowError(row, column, shown, shorten(reason, MAX_REASON_CHARS)))

    def raise_if_any(self) -> None:
        """Raise ``ImportRejected`` with the kept errors when any error was added."""
        if not self.count:
            return
        counted = f"{self.count} errors" if self.count > 1 else "an error"
        truncation = ""
        if self.count > len(self.listed):
            truncation = f" The first {len(self.listed)} are listed."
        raise ImportRejected(
            f"{self.subject} has {counted}, so nothing was changed.{truncation} Each entry of "
            "'errors' gives the row (the header is row 1), the column, the value and the reason.",
            self.listed,
        )


def read_table(
    data: bytes, *, max_rows: int, empty_hint: str, split_hint: str = "split it into smaller files"
) -> tuple[list[str], NumberedRows]:
    """Return the header and the numbered data rows of a CSV upload, or raise ``ImportRejected``.

    ``empty_hint`` explains how to get the columns of an empty file, and ``split_hint`` what to
    do with a file of more than ``max_rows`` data rows.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportRejected(
            "The file is not UTF-8 text; save it as 'CSV UTF-8' and upload it again.",
            [RowError(0, None, None, f"invalid UTF-8 at byte {error.start}: {error.reason}")],
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    row_number = 1
    rows: NumberedRows = []
    try:
        header = next(reader, None)
        if header is None:
            raise ImportRejected(
                f"The file is empty; {empty_hint}.",
                [RowError(1, None, None, "the file has no header row")],
            )
        for cells in reader:
            row_number += 1
            if row_number - 1 > max_rows:
                raise ImportRejected(
                    f"The file has more than {max_rows} rows; {split_hint}.",
                    [RowError(row_number, None, None, f"more than {max_rows} rows")],
                )
            rows.append((row_number, cells))
    except csv.Error as error:
        raise ImportRejected(
            f"The file is not valid CSV at row {row_number + 1}: {error}.",
            [RowError(row_number + 1, None, None, f"invalid CSV: {error}")],
        ) from None
    return header, rows
