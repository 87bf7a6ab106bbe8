"""Reading uploaded CSV files: UTF-8 with an optional byte order mark, numbered rows, a row cap.

Catalogue imports and contact-volume imports share this reader, so both number rows the way a
spreadsheet shows them (the header is row 1, and a cell with line breaks stays in one row) and
reject the same broken files with the same row-level errors.
"""

from __future__ import annotations

import csv
import io

from servicelist.errors import ImportRejected, RowError

NumberedRows = list[tuple[int, list[str]]]


def read_table(
    data: bytes, *, max_rows: int, empty_hint: str, split_hint: str = "split it into smaller files"
) -> tuple[list[str], NumberedRows]:
    """Return the header and the numbered data rows of a CSV upload, or raise ``ImportRejected``.

    ``empty_hint`` tells the user how to get the columns of an empty file; ``split_hint`` what
    to do with a file of more than ``max_rows`` data rows.
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
