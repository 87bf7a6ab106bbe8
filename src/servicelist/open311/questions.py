"""The authored Open311 questions of the reporting services (``authored/open311_questions.csv``).

Each row is one attribute of an Open311 service definition for one LGSL service. It gives the
code, the position, whether the resident answers it (``variable``), the datatype, whether it is
required, the question and a hint. List datatypes also get their options, as ``key=Name``
separated by ``|``.
The file is part of the bundled data, so an invalid row is a packaging error: reading it raises
``ValueError`` naming every bad row.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

QUESTIONS_FILE = Path("authored") / "open311_questions.csv"
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
COLUMNS = (
    "service_id",
    "code",
    "order",
    "variable",
    "datatype",
    "required",
    "description",
    "datatype_description",
    "values",
)
CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
VALUE_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class Question:
    """One attribute of a service definition, as authored."""

    code: str
    order: int
    variable: bool
    datatype: str
    required: bool
    description: str
    datatype_description: str | None
    values: tuple[tuple[str, str], ...]


def load_questions(data_dir: Path) -> dict[str, tuple[Question, ...]]:
    """Return the authored questions per LGSL service id, in their order."""
    return _load(data_dir / QUESTIONS_FILE)


@lru_cache(maxsize=4)
def _load(path: Path) -> dict[str, tuple[Question, ...]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path}: the header must be {','.join(COLUMNS)}")
        rows = list(reader)

    errors: list[str] = []
    by_service: dict[str, list[Question]] = defaultdict(list)
    for number, row in enumerate(rows, start=2):
        try:
            question = _question(row)
        except ValueError as error:
            errors.append(f"row {number}: {error}")
            continue
        by_service[row["service_id"]].append(question)

    for service_id, questions in by_service.items():
        codes = [question.code for question in questions]
        orders = [question.order for question in questions]
        if len(set(codes)) != len(codes):
            errors.append(f"service {service_id}: a code appears twice")
        if sorted(orders) != list(range(1, len(orders) + 1)):
            errors.append(f"service {service_id}: orders must be 1, 2, 3 ... without gaps")
    if errors:
        raise ValueError(f"{path} has invalid rows: " + "; ".join(errors))
    return {
        service_id: tuple(sorted(questions, key=lambda question: question.order))
        for service_id, questions in by_service.items()
    }


def _question(row: dict[str, str | None]) -> Question:
    if None in row or any(row.get(column) is None for column in COLUMNS):
        raise ValueError("the row does not have exactly one cell per column")
    cells = {column: (row[column] or "").strip() for column in COLUMNS}
    if not cells["service_id"].isdigit():
        raise ValueError(f"service_id {cells['service_id']!r} is not an LGSL number")
    if not CODE.match(cells["code"]):
        raise ValueError(f"code {cells['code']!r} must be lowercase letters, digits and _")
    if not cells["order"].isdigit() or int(cells["order"]) < 1:
        raise ValueError(f"order {cells['order']!r} must be a positive whole number")
    if cells["datatype"] not in DATATYPES:
        raise ValueError(f"datatype {cells['datatype']!r} must be one of {', '.join(DATATYPES)}")
    for column in ("variable", "required"):
        if cells[column] not in BOOLEANS:
            raise ValueError(f"{column} {cells[column]!r} must be true or false")
    if not cells["description"]:
        raise ValueError("description is empty")
    values = _values(cells["values"])
    if (cells["datatype"] in LIST_DATATYPES) != bool(values):
        raise ValueError("values are given exactly for singlevaluelist and multivaluelist")
    return Question(
        code=cells["code"],
        order=int(cells["order"]),
        variable=BOOLEANS[cells["variable"]],
        datatype=cells["datatype"],
        required=BOOLEANS[cells["required"]],
        description=cells["description"],
        datatype_description=cells["datatype_description"] or None,
        values=values,
    )


def _values(cell: str) -> tuple[tuple[str, str], ...]:
    if not cell:
        return ()
    values: list[tuple[str, str]] = []
    for option in cell.split("|"):
        key, separator, name = option.partition("=")
        if not separator or not VALUE_KEY.match(key.strip()) or not name.strip():
            raise ValueError(f"option {option!r} must read key=Name with a lowercase key")
        values.append((key.strip(), name.strip()))
    if len({key for key, _ in values}) != len(values):
        raise ValueError("an option key appears twice")
    return tuple(values)
