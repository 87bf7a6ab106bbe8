"""CSV and XLSX exports of comparisons: formula neutralising and numbers as numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.benchmarks.conftest import Factory, bearer

FORMULA_NAME = '=HYPERLINK("http://127.0.0.1/","x")'
AT_NAME = "@SUM(1+1)"
PLUS_NAME = "+1-1"


def formula_towns(new_municipality: Factory, region: str) -> list[str]:
    names = (FORMULA_NAME, AT_NAME, PLUS_NAME)
    return [new_municipality(name=name, region=region, published=True)[0] for name in names]


def test_csv_neutralises_formula_names(
    api: TestClient, new_municipality: Factory, new_region: Callable[..., str]
) -> None:
    region = new_region()
    formula_towns(new_municipality, region)

    response = api.get("/v1/benchmarks", params={"region": region, "format": "csv"})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="benchmarks.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    names = {row["name"] for row in rows}
    assert names == {"'" + FORMULA_NAME, "'" + AT_NAME, "'" + PLUS_NAME}
    for row in rows:
        assert float(row["coverage"]) == 1.0
        assert row["coverage_rank"] == "1"
        assert row["peer_group"] == f"{region}/none"


def test_csv_statistics_table(
    api: TestClient, new_municipality: Factory, new_region: Callable[..., str]
) -> None:
    region = new_region()
    formula_towns(new_municipality, region)

    response = api.get(
        "/v1/benchmarks", params={"region": region, "format": "csv", "table": "statistics"}
    )

    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    region_coverage = next(
        row for row in rows if row["scope"] == "region" and row["metric"] == "coverage"
    )
    assert region_coverage["group"] == region
    assert region_coverage["count"] == "3"
    assert float(region_coverage["median"]) == 1.0


def test_xlsx_neutralises_and_keeps_numbers(
    api: TestClient, new_municipality: Factory, new_region: Callable[..., str]
) -> None:
    region = new_region("=Region(1)")
    formula_towns(new_municipality, region)

    response = api.get("/v1/benchmarks", params={"region": region, "format": "xlsx"})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Municipalities", "Statistics"]
    sheet = workbook["Municipalities"]
    header = [cell.value for cell in sheet[1]]
    name_column = header.index("name")
    coverage_column = header.index("coverage")
    rank_column = header.index("coverage_rank")
    data = list(sheet.iter_rows(min_row=2))
    assert {row[name_column].value for row in data} == {
        "'" + FORMULA_NAME,
        "'" + AT_NAME,
        "'" + PLUS_NAME,
    }
    for row in data:
        assert row[name_column].data_type == "s"
        assert row[coverage_column].data_type == "n"
        assert row[coverage_column].value == 1.0
        assert row[rank_column].value == 1
    for row in workbook["Statistics"].iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_accept_header_chooses_csv(api: TestClient) -> None:
    csv_response = api.get(
        "/v1/benchmarks", params={"region": "wales"}, headers={"Accept": "text/csv"}
    )
    unknown = api.get("/v1/benchmarks", params={"region": "wales"}, headers={"Accept": "image/png"})

    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    assert unknown.status_code == 406
    assert "text/csv" in unknown.json()["supported"]


def test_service_comparison_csv(api: TestClient, platform_token: str) -> None:
    response = api.get(
        "/v1/benchmarks/services/372",
        params={"region": "wales", "format": "csv"},
        headers=bearer(platform_token),
    )

    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert response.headers["cache-control"] == "private, no-cache"
    assert len(rows) == len(api.get("/v1/regions/wales").json()["municipalities"])
    assert {row["offered"] for row in rows} <= {"True", "False"}
    assert all(row["channels"] for row in rows if row["offered"] == "True")
