"""The CSV reader and its repairs of the quirks in the published esd and GOV.UK files."""

from __future__ import annotations

import pytest

from servicelist.errors import ImportRejected
from servicelist.lists.esd_csv import clean_text, read_rows
from servicelist.lists.sources import parse_esd_list, parse_interaction_pairs

ESD_HEADER = "Identifier,Label,Description,Created,Modified,History notes,Type,\r\n"


def test_crlf_and_trailing_empty_column() -> None:
    data = (
        ESD_HEADER + "372,Abandoned vehicles,Removed.,2013-04-03,2013-04-03,Notes.,Service,\r\n"
    ).encode()

    rows = read_rows(data, source="services.csv", required=("Identifier", "Label"))

    assert len(rows) == 1
    assert rows[0]["Identifier"] == "372"
    assert rows[0]["Type"] == "Service"
    assert "" not in rows[0]


def test_newline_inside_quoted_description() -> None:
    data = (
        ESD_HEADER
        + '1466,Accessibility,"First line.\r\nSecond line.",2013-04-03,2013-04-03,,Service,\r\n'
    ).encode()

    items = parse_esd_list(data, list_id="services", source="services.csv")

    assert items[0].descriptions["en"] == "First line.\nSecond line."


def test_rdf_literal_description_is_unwrapped() -> None:
    published = '"Registered with the authority.\nIn the UK by Ofsted."@en'

    assert clean_text(published) == "Registered with the authority.\nIn the UK by Ofsted."


def test_rdf_literal_with_doubled_inner_quotes() -> None:
    published = '"Carry mail """"in the licensed area"""" under licence."@en'

    assert clean_text(published) == 'Carry mail "in the licensed area" under licence.'


def test_history_note_trailing_language_tag() -> None:
    assert clean_text("Name changed to 'Betting office licence' in version 4.00.@en") == (
        "Name changed to 'Betting office licence' in version 4.00."
    )


def test_email_like_text_keeps_at_sign() -> None:
    assert clean_text("write to info@en") == "write to info@en"
    assert clean_text("Contact us at desk@council.gov.uk") == "Contact us at desk@council.gov.uk"


def test_mojibake_and_character_references() -> None:
    assert clean_text("larger public buildingsÂ\xa0areÂ\xa0required") == (
        "larger public buildings are required"
    )
    assert clean_text("costing less than &#163;1") == "costing less than £1"
    assert clean_text("bursary.\xa0") == "bursary."


def test_mac_roman_e_acute_repaired() -> None:
    assert clean_text("Street caf\u017d licence") == "Street café licence"
    assert clean_text("\u017dilina twinning") == "\u017dilina twinning"


def test_header_shorter_than_rows_with_named_extras() -> None:
    data = (
        b"la,lgsl,lgil,link\n"
        b"leicester,school-clothing,providing-information,http://www.leicester.gov.uk/grants,2,8\n"
        b"leicester,school-clothing,providing-information,http://www.leicester.gov.uk/other,2,8\n"
        b"york,abandoned-vehicles,report,http://www.york.gov.uk/report,372,17\n"
    )

    links = parse_interaction_pairs(data, source="fallback.csv")

    pairs = {(link.subject_id, link.object_id): link.note for link in links}
    assert set(pairs) == {("2", "8"), ("372", "17")}
    assert pairs[("2", "8")] == "used by 2 council pages in GOV.UK's fallback links (2017)"


def test_header_shorter_than_rows_without_names_is_rejected() -> None:
    data = b"la,lgsl,lgil,link\nleicester,a,b,http://x.example/,2,8\n"

    with pytest.raises(ImportRejected) as caught:
        read_rows(data, source="fallback.csv", required=("la",))

    error = caught.value.errors[0]
    assert error.row == 2
    assert error.value == "2"
    assert "6 fields" in error.reason


def test_missing_required_column_is_reported() -> None:
    with pytest.raises(ImportRejected) as caught:
        read_rows(
            b"Identifier,Name\n1,x\n", source="services.csv", required=("Identifier", "Label")
        )

    assert [error.column for error in caught.value.errors] == ["Label"]
    assert caught.value.errors[0].row == 1


def test_non_utf8_file_is_rejected() -> None:
    with pytest.raises(ImportRejected) as caught:
        read_rows("Identifier,Label\n1,Caf\xe9\n".encode("latin-1"), source="x.csv", required=())

    assert "UTF-8" in caught.value.detail


def test_utf8_byte_order_mark_is_ignored() -> None:
    rows = read_rows(
        "\ufeffIdentifier,Label\n1,Café\n".encode(), source="x.csv", required=("Identifier",)
    )

    assert rows == [{"Identifier": "1", "Label": "Café"}]


def test_every_bad_row_is_reported_at_once() -> None:
    data = (
        ESD_HEADER
        + "abc,Label one,,,,,Service,\r\n"
        + "7,,,,,,Service,\r\n"
        + "7,Seven,,,,,Service,\r\n"
        + "7,Again,,,,,Service,\r\n"
    ).encode()

    with pytest.raises(ImportRejected) as caught:
        parse_esd_list(data, list_id="services", source="services.csv")

    reported = [(error.row, error.column, error.reason) for error in caught.value.errors]
    assert reported == [
        (2, "Identifier", "identifier must be a whole number"),
        (3, "Label", "label must not be empty"),
        (5, "Identifier", "duplicate identifier"),
    ]


def test_empty_file_is_rejected() -> None:
    with pytest.raises(ImportRejected) as caught:
        read_rows(b"", source="empty.csv", required=("Identifier",))

    assert caught.value.errors[0].reason == "the file is empty"
