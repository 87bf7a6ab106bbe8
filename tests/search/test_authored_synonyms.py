"""The authored synonyms file: its rows are valid and every expansion names real wording."""

from __future__ import annotations

import csv

import pytest

from servicelist.errors import ImportRejected
from servicelist.lists import records as r
from servicelist.lists.sources import read_newest_bundled_release
from servicelist.search import text
from servicelist.search.synonyms import AUTHORED_FILE, parse_authored, read_authored
from servicelist.settings import default_data_dir


def test_file_parses() -> None:
    synonyms = read_authored(default_data_dir())
    assert len(synonyms) >= 300
    terms = {" ".join(synonym.term_key) for synonym in synonyms}
    for caller_word in ("bin", "fly tipping", "dog poo", "pothole", "nappy", "streetlight"):
        assert caller_word in terms, caller_word


def test_every_expansion_is_real_wording() -> None:
    """Each expansion occurs word for word in a label, description or previous label."""
    bundle = read_newest_bundled_release(default_data_dir()).bundle
    texts = [
        " "
        + " ".join(
            text.words(
                " ".join(
                    [
                        item.label,
                        *item.descriptions.values(),
                        str(item.properties.get("previous_label") or ""),
                    ]
                )
            )
        )
        + " "
        for item in bundle.items
        if item.list_id == r.SERVICES
    ]
    missing = [
        synonym.expansion
        for synonym in read_authored(default_data_dir())
        if not any(f" {' '.join(synonym.expansion_words)} " in found for found in texts)
    ]
    assert missing == []


def test_columns_and_notes() -> None:
    path = default_data_dir() / AUTHORED_FILE
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["term", "expansion", "note"]
    assert all(row["note"].strip() for row in rows)


def test_bad_rows_reported_by_row() -> None:
    data = (
        b"term,expansion,note\n"
        b"bin,household waste collection,fine\n"
        b",litter,empty term\n"
        b"bin,household waste collection,repeated\n"
        b"rubbish,rubbish,same words\n"
        b"skip,skip permits,\n"
    )
    with pytest.raises(ImportRejected) as raised:
        parse_authored(data)
    found = sorted((error.row, error.column) for error in raised.value.errors)
    assert found == [(3, "term"), (4, "expansion"), (5, "expansion"), (6, "note")]


def test_missing_column_rejected() -> None:
    with pytest.raises(ImportRejected) as raised:
        parse_authored(b"term,expansion\nbin,litter\n")
    assert [(error.row, error.column) for error in raised.value.errors] == [(1, "note")]


def test_not_utf8_rejected() -> None:
    with pytest.raises(ImportRejected):
        parse_authored("term,expansion,note\ncafé,x,y\n".encode("latin-1"))
