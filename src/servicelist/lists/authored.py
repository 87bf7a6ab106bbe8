"""Evaluate the authored lists (ABC classes, channels, audiences, life events, process templates).

No public source publishes these for the LGSL, so the values are authored as rules in the CSV
files under ``data/authored/``, described in that folder's README. This module only applies
them: it reads the files, checks every row, and returns the authored lists, their items and
one link per assignment, each link naming the rule, exception or mapping behind it.

Rule conditions, shared by every ``*_rules.csv`` file:

* ``label_words`` and ``description_words``: words or phrases separated by ``|``, matched
  case-insensitively as whole words against the service's English label or description.
  A trailing ``*`` matches any word that starts with the text before it (``licen*``), and a
  leading ``^`` matches only at the start of the text (``^staff -``).
* ``interaction``, ``tier``, ``function``, ``navigation``: identifiers separated by ``|``,
  matched against the service's live links. A function or navigation heading also matches
  every service of its descendants.
* ``abc_class`` (channel rules only): the class the service got from the ABC rules.

A rule matches when every non-empty condition matches; an empty condition matches anything.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from servicelist.errors import ImportRejected, RowError
from servicelist.lists import records as r
from servicelist.lists.esd_csv import read_rows

ABC_CLASSES = r.ABC_CLASSES
CHANNELS = r.CHANNELS
AUDIENCES = r.AUDIENCES
LIFE_EVENTS = r.LIFE_EVENTS
PROCESS_TEMPLATES = r.PROCESS_TEMPLATES
AUTHORED_LIST_IDS = r.AUTHORED_LIST_IDS

# Life events use records.CONTAINS ("life-events/{id} contains services/{id}").
HAS_ABC_CLASS = r.HAS_ABC_CLASS
HAS_CHANNEL = r.HAS_CHANNEL
HAS_AUDIENCE = r.HAS_AUDIENCE
FOLLOWS_PROCESS = r.FOLLOWS_PROCESS

# The ABC class of the standard list is a suggestion: each municipality sets its own.
ASSIGNMENT_SUGGESTED = "suggested"

WEEKDAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
OFFICE_TIERS = ("front", "mid", "back")
CHANNEL_ROLES = ("intake", "delivery", "none")
TEMPLATE_KINDS = ("question", "request")
LIFE_EVENT_KINDS = ("citizen", "business")
MAPPING_SOURCES = ("navigation", "function", "service")
# When one life event reaches a service through several mappings, the link keeps the reason of
# the most specific one: an editorial pick of the service beats a heading, a heading beats a
# function.
MAPPING_PRECEDENCE = {"service": 0, "navigation": 1, "function": 2}
REASON_TYPES = {"service": "editorial", "navigation": "navigation", "function": "function"}
# Channels serve customers in English until a municipality adds other languages.
DEFAULT_LANGUAGES = ("en",)
# Delivery channel of a question flow when the service offers it. Otherwise the information goes
# back on the intake (primary) channel, and requests always deliver on that channel.
QUESTION_DELIVERY_CHANNEL = "web"

# Error messages list the allowed values up to this many. Beyond it they report "not found".
MAX_LISTED_CHOICES = 12

RULE_CONDITION_COLUMNS = (
    "label_words",
    "description_words",
    "interaction",
    "tier",
    "function",
    "navigation",
)

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
# ISO 8601 durations without years and months, whose length depends on the calendar, so that
# the steps of a process map can be added up.
_DURATION = re.compile(r"^P(?=\d|T\d)(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$")


# --- Row checks -------------------------------------------------------------------------------


class _Rows:
    """The rows of one authored file and the errors found in them."""

    def __init__(self, directory: Path, name: str, required: Sequence[str]) -> None:
        self.name = name
        path = directory / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            error = RowError(row=0, column=None, value=str(path), reason="file not found")
            raise ImportRejected(f"authored file {name} is missing", [error]) from None
        rows = read_rows(data, source=name, required=required)
        # Row numbers count the header as row 1, as a spreadsheet shows them.
        # NOTE: read_rows skips blank lines and does not return line numbers, so after a blank
        # line or a cell with a line break the numbers in errors are too low.
        self.rows = list(enumerate(rows, start=2))
        self.errors: list[RowError] = []

    def error(self, row: int, column: str | None, value: str | None, reason: str) -> None:
        self.errors.append(RowError(row=row, column=column, value=value, reason=reason))

    def text(self, row_number: int, row: Mapping[str, str], column: str) -> str:
        """Return a required cell, or record that it is empty."""
        value = row.get(column, "").strip()
        if not value:
            self.error(row_number, column, value, f"{column} must not be empty")
        return value

    def choice(
        self, row_number: int, row: Mapping[str, str], column: str, allowed: Iterable[str]
    ) -> str | None:
        """Return a cell that must be one of ``allowed``, or record that it is not."""
        value = row.get(column, "").strip()
        options = list(allowed)
        if value in options:
            return value
        if len(options) > MAX_LISTED_CHOICES:
            reason = f"{column} {value!r} not found"
        else:
            reason = f"{column} must be one of {', '.join(options)}"
        self.error(row_number, column, value, reason)
        return None

    def boolean(self, row_number: int, row: Mapping[str, str], column: str) -> bool | None:
        value = row.get(column, "").strip()
        if value in ("true", "false"):
            return value == "true"
        self.error(row_number, column, value, f"{column} must be true or false")
        return None

    def duration(self, row_number: int, row: Mapping[str, str], column: str) -> str | None:
        value = row.get(column, "").strip()
        if _DURATION.match(value):
            return value
        self.error(
            row_number,
            column,
            value,
            f"{column} must be an ISO 8601 duration in weeks, days, hours, minutes or seconds, "
            "such as PT5M or P10D",
        )
        return None

    def unique(self, row_number: int, column: str, value: str, seen: set[str]) -> bool:
        """Record ``value`` as seen; return False and record an error when it was seen before."""
        if value in seen:
            self.error(row_number, column, value, f"duplicate {column}")
            return False
        seen.add(value)
        return True

    def reject_if_any(self) -> None:
        if self.errors:
            raise ImportRejected(
                f"authored file {self.name} has {len(self.errors)} invalid values", self.errors
            )


def _alternatives(value: str) -> list[str]:
    return [part.strip() for part in value.split("|")]


# --- What is known about a service -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Service:
    """A service with the live links that rule conditions test."""

    identifier: str
    label: str
    description: str
    interactions: frozenset[str]
    tiers: frozenset[str]
    functions: frozenset[str]
    navigation: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Vocabulary:
    """The identifiers of the bundle that authored rows may refer to."""

    services: dict[str, _Service]
    interactions: frozenset[str]
    tiers: frozenset[str]
    function_descendants: dict[str, frozenset[str]]
    navigation_descendants: dict[str, frozenset[str]]
    # Services that only a later release has. Rows naming them are skipped, not rejected.
    later_services: frozenset[str] = frozenset()

    def is_later_service(self, identifier: str) -> bool:
        """Return whether ``identifier`` is a service of a later release but not of this one."""
        return identifier in self.later_services and identifier not in self.services


def _descendants(items: Iterable[r.ItemRecord]) -> dict[str, frozenset[str]]:
    """Map each item of a hierarchical list to itself and every item below it."""
    children: dict[str, list[str]] = defaultdict(list)
    identifiers: list[str] = []
    for item in items:
        identifiers.append(item.identifier)
        if item.parent is not None:
            children[item.parent].append(item.identifier)
    result: dict[str, frozenset[str]] = {}
    for identifier in identifiers:
        found = {identifier}
        pending = [identifier]
        while pending:
            for child in children.get(pending.pop(), ()):
                if child not in found:
                    found.add(child)
                    pending.append(child)
        result[identifier] = frozenset(found)
    return result


def _vocabulary(bundle: r.ListBundle, later_services: Iterable[str] = ()) -> _Vocabulary:
    """Collect the services of ``bundle`` with their live links, and the known identifiers.

    Discontinued links are left out: a discontinued LGNL mapping means the heading no longer
    contains the service.
    """
    linked: dict[tuple[str, str], set[str]] = defaultdict(set)
    for link in bundle.links:
        if link.status != r.STATUS_LIVE:
            continue
        if link.relation == r.CONTAINS and link.object_list == r.SERVICES:
            if link.subject_list in (r.FUNCTIONS, r.NAVIGATION):
                linked[(link.subject_list, link.object_id)].add(link.subject_id)
        elif link.subject_list == r.SERVICES and link.relation == r.HAS_INTERACTION:
            linked[(r.INTERACTIONS, link.subject_id)].add(link.object_id)
        elif link.subject_list == r.SERVICES and link.relation == r.PROVIDED_BY:
            linked[(r.TIERS, link.subject_id)].add(link.object_id)

    services: dict[str, _Service] = {}
    items_by_list: dict[str, list[r.ItemRecord]] = defaultdict(list)
    for item in bundle.items:
        items_by_list[item.list_id].append(item)
    for item in items_by_list[r.SERVICES]:
        key = item.identifier
        services[key] = _Service(
            identifier=key,
            label=item.label,
            description=item.descriptions.get("en", ""),
            interactions=frozenset(linked[(r.INTERACTIONS, key)]),
            tiers=frozenset(linked[(r.TIERS, key)]),
            functions=frozenset(linked[(r.FUNCTIONS, key)]),
            navigation=frozenset(linked[(r.NAVIGATION, key)]),
        )
    return _Vocabulary(
        services=services,
        interactions=frozenset(item.identifier for item in items_by_list[r.INTERACTIONS]),
        tiers=frozenset(item.identifier for item in items_by_list[r.TIERS]),
        function_descendants=_descendants(items_by_list[r.FUNCTIONS]),
        navigation_descendants=_descendants(items_by_list[r.NAVIGATION]),
        later_services=frozenset(later_services),
    )


# --- Rule conditions -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Conditions:
    """The conditions of one rule; ``None`` is an empty cell, which matches every service."""

    label_words: re.Pattern[str] | None = None
    description_words: re.Pattern[str] | None = None
    interactions: frozenset[str] | None = None
    tiers: frozenset[str] | None = None
    functions: frozenset[str] | None = None
    navigation: frozenset[str] | None = None
    abc_classes: frozenset[str] | None = None

    @property
    def is_empty(self) -> bool:
        return all(
            value is None
            for value in (
                self.label_words,
                self.description_words,
                self.interactions,
                self.tiers,
                self.functions,
                self.navigation,
                self.abc_classes,
            )
        )

    def matches(self, service: _Service, abc_class: str | None = None) -> bool:
        if self.label_words is not None and not self.label_words.search(service.label):
            return False
        if self.description_words is not None and not self.description_words.search(
            service.description
        ):
            return False
        for required, present in (
            (self.interactions, service.interactions),
            (self.tiers, service.tiers),
            (self.functions, service.functions),
            (self.navigation, service.navigation),
        ):
            if required is not None and required.isdisjoint(present):
                return False
        return self.abc_classes is None or abc_class in self.abc_classes


def _word_pattern(rows: _Rows, row_number: int, column: str, value: str) -> re.Pattern[str] | None:
    """Compile ``^a|b c|d*`` into a case-insensitive whole-word pattern.

    A leading ``^`` anchors an alternative at the start of the text and a trailing ``*``
    lets its last word continue (``licen*`` matches licence and licensing).
    """
    parts: list[str] = []
    for alternative in _alternatives(value):
        anchored = alternative.startswith("^")
        stem = alternative.removeprefix("^").removesuffix("*")
        if not stem.strip(" *^"):
            rows.error(row_number, column, value, "every alternative between | must have a word")
            return None
        words = [re.escape(word) for word in stem.split()]
        head = "^" if anchored else ""
        tail = r"\w*" if alternative.endswith("*") else ""
        parts.append(head + r"\s+".join(words) + tail)
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def _identifier_set(
    rows: _Rows,
    row_number: int,
    column: str,
    value: str,
    known: Iterable[str] | Mapping[str, frozenset[str]],
    item_kind: str,
) -> frozenset[str] | None:
    """Parse ``1|2|3`` into a set; a mapping of descendants adds every item below each one."""
    found: set[str] = set()
    valid = True
    for identifier in _alternatives(value):
        if isinstance(known, Mapping):
            below = known.get(identifier)
            if below is not None:
                found.update(below)
                continue
        elif identifier in known:
            found.add(identifier)
            continue
        rows.error(row_number, column, identifier, f"{item_kind} {identifier!r} not found")
        valid = False
    return frozenset(found) if valid else None


def _parse_conditions(
    rows: _Rows,
    row_number: int,
    row: Mapping[str, str],
    vocabulary: _Vocabulary,
    abc_classes: Iterable[str] | None = None,
) -> _Conditions:
    """Parse the condition cells of one rule; ``abc_classes`` enables the abc_class column."""

    def cell(column: str) -> str:
        return row.get(column, "").strip()

    def words(column: str) -> re.Pattern[str] | None:
        value = cell(column)
        return _word_pattern(rows, row_number, column, value) if value else None

    def identifiers(
        column: str, known: Iterable[str] | Mapping[str, frozenset[str]], item_kind: str
    ) -> frozenset[str] | None:
        value = cell(column)
        if not value:
            return None
        return _identifier_set(rows, row_number, column, value, known, item_kind)

    classes = None
    if abc_classes is not None:
        classes = identifiers("abc_class", frozenset(abc_classes), "ABC class")
    return _Conditions(
        label_words=words("label_words"),
        description_words=words("description_words"),
        interactions=identifiers("interaction", vocabulary.interactions, "interaction"),
        tiers=identifiers("tier", vocabulary.tiers, "tier"),
        functions=identifiers("function", vocabulary.function_descendants, "function"),
        navigation=identifiers("navigation", vocabulary.navigation_descendants, "heading"),
        abc_classes=classes,
    )


@dataclass(frozen=True, slots=True)
class _Rule:
    """One row of a rules file: its conditions and what it assigns."""

    row: int
    rule_id: str
    priority: int
    conditions: _Conditions
    value: str
    rationale: str
    primary: bool = False


def _parse_rules(
    rows: _Rows,
    vocabulary: _Vocabulary,
    *,
    value_column: str,
    allowed_values: Iterable[str],
    prioritised: bool,
    abc_classes: Iterable[str] | None = None,
    primary: bool = False,
) -> list[_Rule]:
    """Parse a rules file into rules, in priority order when ``prioritised``, else row order."""
    allowed = list(allowed_values)
    rules: list[_Rule] = []
    seen_ids: set[str] = set()
    seen_priorities: set[str] = set()
    for row_number, row in rows.rows:
        rule_id = rows.text(row_number, row, "rule_id")
        if rule_id:
            rows.unique(row_number, "rule_id", rule_id, seen_ids)
        priority = row_number
        if prioritised:
            text = row.get("priority", "").strip()
            if not text.isdigit():
                rows.error(row_number, "priority", text, "priority must be a whole number")
            elif rows.unique(row_number, "priority", str(int(text)), seen_priorities):
                priority = int(text)
        conditions = _parse_conditions(rows, row_number, row, vocabulary, abc_classes)
        value = rows.choice(row_number, row, value_column, allowed)
        rationale = rows.text(row_number, row, "rationale")
        is_primary = rows.boolean(row_number, row, "primary") if primary else False
        if value is None or is_primary is None:
            continue
        rules.append(
            _Rule(
                row_number,
                rule_id,
                priority,
                conditions,
                value,
                rationale,
                primary=bool(is_primary),
            )
        )
    if prioritised:
        rules.sort(key=lambda rule: rule.priority)
    return rules


def _require_last_rule_default(rows: _Rows, rules: Sequence[_Rule]) -> None:
    """Check that only the last rule by priority, and that one, has every condition empty.

    A rule with every condition empty matches every service, so it is the default: any rule
    after it could never win, and without it some services would get nothing.
    """
    if rows.errors:
        return
    for rule in rules[:-1]:
        if rule.conditions.is_empty:
            rows.error(
                rule.row,
                "priority",
                str(rule.priority),
                "only the rule with the highest priority number may have every condition empty",
            )
    if not rules or not rules[-1].conditions.is_empty:
        rows.error(
            rules[-1].row if rules else 1,
            "priority",
            str(rules[-1].priority) if rules else None,
            "the rule with the highest priority number must have every condition empty, "
            "so that every service matches a rule",
        )


def _first_match(rules: Sequence[_Rule], service: _Service, abc_class: str | None = None) -> _Rule:
    """Return the first rule that matches; the rules end with a default that matches all."""
    for rule in rules:
        if rule.conditions.matches(service, abc_class):
            return rule
    raise AssertionError("rules without a default were accepted")


# --- Item lists ------------------------------------------------------------------------------


def _read_metadata(directory: Path) -> list[r.ListRecord]:
    """Read ``lists.json``: one entry per authored list, in the shape of the esd lists file."""
    path = directory / "lists.json"
    try:
        entries = json.loads(path.read_bytes())
        records = [r.ListRecord(**{**entry, "files": tuple(entry["files"])}) for entry in entries]
    except FileNotFoundError:
        error = RowError(row=0, column=None, value=str(path), reason="file not found")
        raise ImportRejected("authored file lists.json is missing", [error]) from None
    except (ValueError, TypeError, KeyError) as exc:
        error = RowError(row=0, column=None, value=None, reason=f"invalid list metadata: {exc}")
        raise ImportRejected("authored file lists.json is invalid", [error]) from exc
    found = [record.id for record in records]
    if sorted(found) != sorted(AUTHORED_LIST_IDS):
        error = RowError(
            row=0,
            column="id",
            value=", ".join(found),
            reason=f"lists.json must describe exactly the lists {', '.join(AUTHORED_LIST_IDS)}",
        )
        raise ImportRejected("authored file lists.json names the wrong lists", [error])
    return records


def _item(
    list_id: str,
    identifier: str,
    position: int,
    label: str,
    description: str,
    *,
    parent: str | None = None,
    properties: dict[str, Any] | None = None,
) -> r.ItemRecord:
    return r.ItemRecord(
        list_id=list_id,
        identifier=identifier,
        position=position,
        labels={"en": label},
        descriptions={"en": description} if description else {},
        parent=parent,
        properties=properties or {},
    )


def _read_abc_classes(directory: Path) -> list[r.ItemRecord]:
    rows = _Rows(directory, "abc_classes.csv", ("id", "label", "definition", "front_line"))
    items: list[r.ItemRecord] = []
    seen: set[str] = set()
    for row_number, row in rows.rows:
        identifier = rows.text(row_number, row, "id")
        label = rows.text(row_number, row, "label")
        definition = rows.text(row_number, row, "definition")
        front_line = rows.text(row_number, row, "front_line")
        if identifier and rows.unique(row_number, "id", identifier, seen):
            properties = {"front_line": front_line}
            items.append(
                _item(
                    ABC_CLASSES,
                    identifier,
                    len(items) + 1,
                    label,
                    definition,
                    properties=properties,
                )
            )
    rows.reject_if_any()
    return items


def _cost(
    rows: _Rows, row_number: int, row: Mapping[str, str], currency: str
) -> dict[str, Any] | None:
    """Return one cost per contact, or None when the row records that no figure was found."""
    amount_column = f"cost_{currency.lower()}"
    source_column = f"{amount_column}_source"
    text = row.get(amount_column, "").strip()
    source = rows.text(row_number, row, source_column)
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount < 0:
        reason = f"{amount_column} must be a decimal number such as 27.50, or empty"
        rows.error(row_number, amount_column, text, reason)
        return None
    return {"amount": float(amount), "currency": currency, "source": source}


def _read_channels(directory: Path) -> list[r.ItemRecord]:
    """Read the channels with their costs; opening hours are added by ``_read_channel_hours``."""
    columns = (
        "id",
        "label",
        "description",
        "eu_alignment",
        "eu_alignment_note",
        "cost_eur",
        "cost_eur_source",
        "cost_gbp",
        "cost_gbp_source",
    )
    rows = _Rows(directory, "channels.csv", columns)
    items: list[r.ItemRecord] = []
    seen: set[str] = set()
    for row_number, row in rows.rows:
        identifier = rows.text(row_number, row, "id")
        if identifier and not _SLUG.match(identifier):
            rows.error(row_number, "id", identifier, "id must be a lower-case slug such as web")
        label = rows.text(row_number, row, "label")
        description = rows.text(row_number, row, "description")
        uri = row["eu_alignment"].strip()
        if uri and not uri.startswith(("http://", "https://")):
            rows.error(row_number, "eu_alignment", uri, "eu_alignment must be an http(s) URI")
        note = rows.text(row_number, row, "eu_alignment_note")
        costs = [_cost(rows, row_number, row, currency) for currency in ("EUR", "GBP")]
        if not identifier or not rows.unique(row_number, "id", identifier, seen):
            continue
        properties: dict[str, Any] = {
            "cost_per_contact": [cost for cost in costs if cost is not None],
            "opening_hours": [],
            "hours_exceptions": [],
            "eu_alignment": {"uri": uri or None, "note": note},
        }
        items.append(
            _item(CHANNELS, identifier, len(items) + 1, label, description, properties=properties)
        )
    rows.reject_if_any()
    return items


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def _hours(rows: _Rows, row_number: int, row: Mapping[str, str]) -> tuple[str, str] | None:
    """Return the ``opens`` and ``closes`` cells of a row, or record why they are invalid."""
    opens = row.get("opens", "").strip()
    closes = row.get("closes", "").strip()
    valid = True
    for column, value in (("opens", opens), ("closes", closes)):
        if not _TIME.match(value) or (column == "opens" and value == "24:00"):
            rows.error(row_number, column, value, f"{column} must be a 24-hour time HH:MM")
            valid = False
    if not valid:
        return None
    if _minutes(opens) >= _minutes(closes):
        rows.error(row_number, "closes", closes, "closes must be later than opens")
        return None
    return opens, closes


def _read_channel_hours(directory: Path, channels: dict[str, dict[str, Any]]) -> None:
    """Add the default opening hours and the dated exceptions to the channels' properties."""
    rows = _Rows(directory, "channel_hours.csv", ("channel_id", "day", "opens", "closes"))
    intervals: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for row_number, row in rows.rows:
        channel = rows.choice(row_number, row, "channel_id", channels)
        day = rows.choice(row_number, row, "day", WEEKDAYS)
        hours = _hours(rows, row_number, row)
        if channel is None or day is None or hours is None:
            continue
        opens, closes = hours
        start, end = _minutes(opens), _minutes(closes)
        if any(
            start < other_end and other_start < end
            for other_start, other_end in intervals[(channel, day)]
        ):
            rows.error(row_number, "opens", opens, f"overlaps other hours of {channel} on {day}")
            continue
        intervals[(channel, day)].append((start, end))
        channels[channel]["opening_hours"].append({"day": day, "opens": opens, "closes": closes})
    rows.reject_if_any()

    rows = _Rows(
        directory,
        "channel_hours_exceptions.csv",
        ("channel_id", "date", "opens", "closes", "reason"),
    )
    seen: set[str] = set()
    for row_number, row in rows.rows:
        channel = rows.choice(row_number, row, "channel_id", channels)
        text = row["date"].strip()
        try:
            day = date.fromisoformat(text).isoformat() if len(text) == 10 else None
        except ValueError:
            day = None
        if day is None:
            rows.error(row_number, "date", text, "date must be an ISO date YYYY-MM-DD")
        # Empty opens and closes cells mean the channel is closed all day.
        closed = not row["opens"].strip() and not row["closes"].strip()
        hours = None if closed else _hours(rows, row_number, row)
        reason = rows.text(row_number, row, "reason")
        if channel is None or day is None or (hours is None and not closed):
            continue
        if not rows.unique(row_number, "date", f"{channel} {day}", seen):
            continue
        channels[channel]["hours_exceptions"].append(
            {
                "date": day,
                "opens": hours[0] if hours else None,
                "closes": hours[1] if hours else None,
                "reason": reason,
            }
        )
    rows.reject_if_any()
    for properties in channels.values():
        properties["opening_hours"].sort(key=lambda hours: WEEKDAYS.index(hours["day"]))
        properties["hours_exceptions"].sort(key=lambda exception: exception["date"])


def _read_audiences(directory: Path) -> list[r.ItemRecord]:
    """Read the audiences; a parent must appear on an earlier row, so there are no cycles."""
    rows = _Rows(directory, "audiences.csv", ("id", "label", "description", "parent"))
    items: list[r.ItemRecord] = []
    seen: set[str] = set()
    for row_number, row in rows.rows:
        identifier = rows.text(row_number, row, "id")
        if identifier and not _SLUG.match(identifier):
            rows.error(row_number, "id", identifier, "id must be a lower-case slug")
        label = rows.text(row_number, row, "label")
        description = rows.text(row_number, row, "description")
        parent = row["parent"].strip() or None
        if parent is not None and parent not in seen:
            rows.error(row_number, "parent", parent, "parent must be an audience on an earlier row")
        if identifier and rows.unique(row_number, "id", identifier, seen):
            items.append(
                _item(AUDIENCES, identifier, len(items) + 1, label, description, parent=parent)
            )
    rows.reject_if_any()
    return items


def _read_life_events(directory: Path) -> list[r.ItemRecord]:
    rows = _Rows(directory, "life_events.csv", ("id", "label", "description", "kind"))
    items: list[r.ItemRecord] = []
    seen: set[str] = set()
    for row_number, row in rows.rows:
        identifier = rows.text(row_number, row, "id")
        if identifier and not _SLUG.match(identifier):
            rows.error(row_number, "id", identifier, "id must be a lower-case slug")
        label = rows.text(row_number, row, "label")
        description = rows.text(row_number, row, "description")
        kind = rows.choice(row_number, row, "kind", LIFE_EVENT_KINDS)
        if identifier and kind and rows.unique(row_number, "id", identifier, seen):
            items.append(
                _item(
                    LIFE_EVENTS,
                    identifier,
                    len(items) + 1,
                    label,
                    description,
                    properties={"kind": kind},
                )
            )
    rows.reject_if_any()
    return items


# --- Process templates -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Templates:
    """The process templates: their items, steps and durations per ABC class."""

    items: list[r.ItemRecord]
    steps: dict[str, list[dict[str, Any]]]
    durations: dict[tuple[str, int, str], str]

    def steps_for(self, template_id: str, abc_class: str) -> list[dict[str, Any]]:
        """Return the steps of a template with the durations set for one ABC class."""
        return [
            {
                **step,
                "duration": self.durations.get(
                    (template_id, step["order"], abc_class), step["duration"]
                ),
            }
            for step in self.steps[template_id]
        ]


def _read_templates(directory: Path, abc_classes: Iterable[str]) -> _Templates:
    """Read the templates, their steps and the optional durations by ABC class."""
    rows = _Rows(
        directory, "process_template_labels.csv", ("template_id", "label", "description", "kind")
    )
    templates: dict[str, tuple[str, str, str]] = {}
    seen: set[str] = set()
    for row_number, row in rows.rows:
        identifier = rows.text(row_number, row, "template_id")
        label = rows.text(row_number, row, "label")
        description = rows.text(row_number, row, "description")
        kind = rows.choice(row_number, row, "kind", TEMPLATE_KINDS)
        if identifier and kind and rows.unique(row_number, "template_id", identifier, seen):
            templates[identifier] = (label, description, kind)
    rows.reject_if_any()

    columns = (
        "template_id",
        "step",
        "label",
        "office_tier",
        "actor_role",
        "duration",
        "manual",
        "channel_role",
        "description",
    )
    rows = _Rows(directory, "process_templates.csv", columns)
    steps: dict[str, list[dict[str, Any]]] = {identifier: [] for identifier in templates}
    for row_number, row in rows.rows:
        template = rows.choice(row_number, row, "template_id", templates)
        text = row["step"].strip()
        expected = len(steps[template]) + 1 if template else None
        if expected is not None and text != str(expected):
            rows.error(
                row_number, "step", text, f"steps of {template} must be numbered 1, 2, 3 … in order"
            )
        step = {
            "order": expected,
            "label": rows.text(row_number, row, "label"),
            "office_tier": rows.choice(row_number, row, "office_tier", OFFICE_TIERS),
            "actor_role": rows.text(row_number, row, "actor_role"),
            "duration": rows.duration(row_number, row, "duration"),
            "manual": rows.boolean(row_number, row, "manual"),
            "channel_role": rows.choice(row_number, row, "channel_role", CHANNEL_ROLES),
            "description": rows.text(row_number, row, "description"),
        }
        if template:
            steps[template].append(step)
    for identifier, template_steps in steps.items():
        if not template_steps:
            rows.error(1, "template_id", identifier, f"template {identifier} has no steps")
    rows.reject_if_any()

    durations: dict[tuple[str, int, str], str] = {}
    if (directory / "process_durations.csv").exists():
        rows = _Rows(
            directory, "process_durations.csv", ("template_id", "step", "abc_class", "duration")
        )
        for row_number, row in rows.rows:
            template = rows.choice(row_number, row, "template_id", templates)
            text = row["step"].strip()
            order = int(text) if text.isdigit() else 0
            if template and not 1 <= order <= len(steps[template]):
                rows.error(row_number, "step", text, f"template {template} has no step {text}")
            abc_class = rows.choice(row_number, row, "abc_class", abc_classes)
            duration = rows.duration(row_number, row, "duration")
            if template and abc_class and duration and order:
                key = (template, order, abc_class)
                if key in durations:
                    rows.error(row_number, "abc_class", abc_class, "duplicate duration")
                durations[key] = duration
        rows.reject_if_any()

    items = [
        _item(
            PROCESS_TEMPLATES,
            identifier,
            position,
            label,
            description,
            properties={"kind": kind, "steps": steps[identifier]},
        )
        for position, (identifier, (label, description, kind)) in enumerate(
            templates.items(), start=1
        )
    ]
    return _Templates(items=items, steps=steps, durations=durations)


# --- Assignments -----------------------------------------------------------------------------


def _rule_link(
    service: str, relation: str, object_list: str, rule: _Rule, properties: dict[str, Any]
) -> r.LinkRecord:
    return r.LinkRecord(
        subject_list=r.SERVICES,
        subject_id=service,
        relation=relation,
        object_list=object_list,
        object_id=rule.value,
        note=rule.rationale,
        source=f"authored rule {rule.rule_id}",
        properties=properties,
    )


def _assign_abc_classes(
    directory: Path, vocabulary: _Vocabulary, classes: Sequence[str]
) -> tuple[dict[str, str], list[r.LinkRecord]]:
    """Give every service one ABC class: its reviewed exception, else the first matching rule."""
    columns = ("rule_id", "priority", *RULE_CONDITION_COLUMNS, "abc_class", "rationale")
    rows = _Rows(directory, "abc_rules.csv", columns)
    rules = _parse_rules(
        rows, vocabulary, value_column="abc_class", allowed_values=classes, prioritised=True
    )
    _require_last_rule_default(rows, rules)
    rows.reject_if_any()

    rows = _Rows(
        directory,
        "abc_exceptions.csv",
        ("service_id", "abc_class", "reason", "reviewed_by", "reviewed_on"),
    )
    exceptions: dict[str, tuple[str, str, str, str]] = {}
    seen: set[str] = set()
    for row_number, row in rows.rows:
        if vocabulary.is_later_service(row["service_id"].strip()):
            continue
        service_id = rows.choice(row_number, row, "service_id", vocabulary.services)
        abc_class = rows.choice(row_number, row, "abc_class", classes)
        reason = rows.text(row_number, row, "reason")
        reviewed_by = rows.text(row_number, row, "reviewed_by")
        reviewed_on = row["reviewed_on"].strip()
        try:
            date.fromisoformat(reviewed_on)
        except ValueError:
            rows.error(row_number, "reviewed_on", reviewed_on, "reviewed_on must be YYYY-MM-DD")
        if service_id and abc_class and rows.unique(row_number, "service_id", service_id, seen):
            exceptions[service_id] = (abc_class, reason, reviewed_by, reviewed_on)
    rows.reject_if_any()

    assigned: dict[str, str] = {}
    links: list[r.LinkRecord] = []
    for service in vocabulary.services.values():
        exception = exceptions.get(service.identifier)
        if exception is not None:
            abc_class, reason, reviewed_by, reviewed_on = exception
            assigned[service.identifier] = abc_class
            links.append(
                r.LinkRecord(
                    subject_list=r.SERVICES,
                    subject_id=service.identifier,
                    relation=HAS_ABC_CLASS,
                    object_list=ABC_CLASSES,
                    object_id=abc_class,
                    note=reason,
                    source="authored exception",
                    properties={
                        "assignment": ASSIGNMENT_SUGGESTED,
                        "rule": "exception",
                        "reviewed_by": reviewed_by,
                        "reviewed_on": reviewed_on,
                    },
                )
            )
            continue
        rule = _first_match(rules, service)
        assigned[service.identifier] = rule.value
        properties = {"assignment": ASSIGNMENT_SUGGESTED, "rule": rule.rule_id}
        links.append(_rule_link(service.identifier, HAS_ABC_CLASS, ABC_CLASSES, rule, properties))
    return assigned, links


def _copy_entries(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copy a list of flat dicts, so that no two links share a mutable value."""
    return [dict(entry) for entry in entries]


def _assign_channels(
    directory: Path,
    vocabulary: _Vocabulary,
    channels: dict[str, dict[str, Any]],
    classes: Sequence[str],
    abc_of: Mapping[str, str],
) -> tuple[dict[str, tuple[str, list[str]]], list[r.LinkRecord]]:
    """Add the channel of every matching rule; the first matching primary rule sets the primary.

    Returns each service's primary channel and all its channels, and the links.
    """
    columns = (
        "rule_id",
        *RULE_CONDITION_COLUMNS,
        "abc_class",
        "channel_id",
        "primary",
        "rationale",
    )
    rows = _Rows(directory, "channel_rules.csv", columns)
    rules = _parse_rules(
        rows,
        vocabulary,
        value_column="channel_id",
        allowed_values=channels,
        prioritised=False,
        abc_classes=classes,
        primary=True,
    )
    if not rows.errors and not any(rule.primary and rule.conditions.is_empty for rule in rules):
        rows.error(
            1,
            "primary",
            None,
            "add a rule with every condition empty and primary true, "
            "so that every service gets a primary channel",
        )
    rows.reject_if_any()

    offered: dict[str, tuple[str, list[str]]] = {}
    links: list[r.LinkRecord] = []
    for service in vocabulary.services.values():
        chosen: dict[str, _Rule] = {}
        primary: str | None = None
        for rule in rules:
            if not rule.conditions.matches(service, abc_of[service.identifier]):
                continue
            if rule.value not in chosen:
                chosen[rule.value] = rule
            if rule.primary and primary is None:
                primary = rule.value
                # The primary channel's link names the rule that made it primary.
                chosen[rule.value] = rule
        assert primary is not None, "a default primary rule was checked for above"
        offered[service.identifier] = (primary, list(chosen))
        for channel, rule in chosen.items():
            defaults = channels[channel]
            properties = {
                "primary": channel == primary,
                "url": None,
                "phone": None,
                "email": None,
                "languages": list(DEFAULT_LANGUAGES),
                "opening_hours": _copy_entries(defaults["opening_hours"]),
                "hours_exceptions": _copy_entries(defaults["hours_exceptions"]),
                "cost_per_contact": _copy_entries(defaults["cost_per_contact"]),
            }
            links.append(_rule_link(service.identifier, HAS_CHANNEL, CHANNELS, rule, properties))
    return offered, links


def _assign_audiences(
    directory: Path, vocabulary: _Vocabulary, audiences: Iterable[str]
) -> list[r.LinkRecord]:
    """Add the audience of every matching rule.

    A rule with every condition empty is a fallback: it applies only to services that no other
    rule gave an audience.
    """
    columns = ("rule_id", *RULE_CONDITION_COLUMNS, "audience_id", "rationale")
    rows = _Rows(directory, "audience_rules.csv", columns)
    rules = _parse_rules(
        rows,
        vocabulary,
        value_column="audience_id",
        allowed_values=audiences,
        prioritised=False,
    )
    if not rows.errors and not any(rule.conditions.is_empty for rule in rules):
        rows.error(
            1,
            "rule_id",
            None,
            "add a rule with every condition empty, so that every service gets an audience",
        )
    rows.reject_if_any()
    specific = [rule for rule in rules if not rule.conditions.is_empty]
    fallback = [rule for rule in rules if rule.conditions.is_empty]

    links: list[r.LinkRecord] = []
    for service in vocabulary.services.values():
        chosen: dict[str, _Rule] = {}
        for rule in specific:
            if rule.value not in chosen and rule.conditions.matches(service):
                chosen[rule.value] = rule
        if not chosen:
            chosen = {rule.value: rule for rule in fallback}
        links.extend(
            _rule_link(service.identifier, HAS_AUDIENCE, AUDIENCES, rule, {})
            for rule in chosen.values()
        )
    return links


def _assign_processes(
    directory: Path,
    vocabulary: _Vocabulary,
    templates: _Templates,
    abc_of: Mapping[str, str],
    channels_of: Mapping[str, tuple[str, list[str]]],
) -> list[r.LinkRecord]:
    """Give every service the template of the first matching process rule."""
    columns = ("rule_id", "priority", *RULE_CONDITION_COLUMNS, "template_id", "rationale")
    rows = _Rows(directory, "process_rules.csv", columns)
    rules = _parse_rules(
        rows,
        vocabulary,
        value_column="template_id",
        allowed_values=templates.steps,
        prioritised=True,
    )
    _require_last_rule_default(rows, rules)
    rows.reject_if_any()

    kinds = {item.identifier: item.properties["kind"] for item in templates.items}
    links: list[r.LinkRecord] = []
    for service in vocabulary.services.values():
        rule = _first_match(rules, service)
        primary, offered = channels_of[service.identifier]
        delivery = primary
        if kinds[rule.value] == "question" and QUESTION_DELIVERY_CHANNEL in offered:
            delivery = QUESTION_DELIVERY_CHANNEL
        properties = {
            "intake_channel": primary,
            "delivery_channel": delivery,
            "steps": templates.steps_for(rule.value, abc_of[service.identifier]),
        }
        links.append(
            _rule_link(service.identifier, FOLLOWS_PROCESS, PROCESS_TEMPLATES, rule, properties)
        )
    return links


def _assign_life_events(
    directory: Path, vocabulary: _Vocabulary, life_events: Iterable[str]
) -> list[r.LinkRecord]:
    """Link each life event to the services its mappings reach, one link per pair."""
    rows = _Rows(
        directory, "life_event_mappings.csv", ("life_event_id", "source", "value", "reason")
    )
    reached_by: dict[str, Callable[[str], frozenset[str]]] = {
        "navigation": lambda heading: _services_below(
            vocabulary, vocabulary.navigation_descendants[heading], "navigation"
        ),
        "function": lambda function: _services_below(
            vocabulary, vocabulary.function_descendants[function], "functions"
        ),
        "service": lambda service: frozenset({service}),
    }
    known: dict[str, Iterable[str]] = {
        "navigation": vocabulary.navigation_descendants,
        "function": vocabulary.function_descendants,
        "service": vocabulary.services,
    }
    best: dict[tuple[str, str], tuple[int, str, str, str]] = {}
    seen: set[str] = set()
    for row_number, row in rows.rows:
        event = rows.choice(row_number, row, "life_event_id", life_events)
        source = rows.choice(row_number, row, "source", MAPPING_SOURCES)
        value = row["value"].strip()
        reason = rows.text(row_number, row, "reason")
        if source == "service" and vocabulary.is_later_service(value):
            continue
        if source is not None and value not in known[source]:
            rows.error(row_number, "value", value, f"{source} {value!r} not found")
            continue
        if event is None or source is None:
            continue
        if not rows.unique(row_number, "value", f"{event} {source} {value}", seen):
            continue
        rank = MAPPING_PRECEDENCE[source]
        for service in reached_by[source](value):
            current = best.get((event, service))
            if current is None or rank < current[0]:
                best[(event, service)] = (rank, source, value, reason)
    rows.reject_if_any()

    return [
        r.LinkRecord(
            subject_list=LIFE_EVENTS,
            subject_id=event,
            relation=r.CONTAINS,
            object_list=r.SERVICES,
            object_id=service,
            note=reason,
            source=f"authored mapping {source} {value}",
            properties={"reason_type": REASON_TYPES[source]},
        )
        for (event, service), (_, source, value, reason) in best.items()
    ]


def _services_below(vocabulary: _Vocabulary, headings: frozenset[str], kind: str) -> frozenset[str]:
    """Return the services linked to any of ``headings`` (navigation headings or functions)."""
    return frozenset(
        service.identifier
        for service in vocabulary.services.values()
        if not headings.isdisjoint(
            service.navigation if kind == "navigation" else service.functions
        )
    )


# --- Entry point -----------------------------------------------------------------------------


def read_authored_lists(
    data_dir: Path, bundle: r.ListBundle, *, later_services: Iterable[str] = ()
) -> r.ListBundle:
    """Read ``data_dir / "authored"`` and evaluate its rules against the services of ``bundle``.

    Returns a new bundle with only the authored lists, their items and the links that assign
    them to services. Raises ``ImportRejected`` listing the invalid rows of the first file
    that has any. The authored files are written for the newest release: to evaluate them over
    an older one, pass the newer services in ``later_services``, and the exceptions and
    life-event mappings that name them are skipped.
    """
    directory = data_dir / "authored"
    vocabulary = _vocabulary(bundle, later_services)
    metadata = _read_metadata(directory)

    abc_items = _read_abc_classes(directory)
    classes = [item.identifier for item in abc_items]
    channel_items = _read_channels(directory)
    channel_properties = {item.identifier: item.properties for item in channel_items}
    _read_channel_hours(directory, channel_properties)
    audience_items = _read_audiences(directory)
    life_event_items = _read_life_events(directory)
    templates = _read_templates(directory, classes)

    abc_of, abc_links = _assign_abc_classes(directory, vocabulary, classes)
    channels_of, channel_links = _assign_channels(
        directory, vocabulary, channel_properties, classes, abc_of
    )
    audience_links = _assign_audiences(
        directory, vocabulary, [item.identifier for item in audience_items]
    )
    process_links = _assign_processes(directory, vocabulary, templates, abc_of, channels_of)
    life_event_links = _assign_life_events(
        directory, vocabulary, [item.identifier for item in life_event_items]
    )

    return r.ListBundle(
        lists=metadata,
        items=[*abc_items, *channel_items, *audience_items, *life_event_items, *templates.items],
        links=[*abc_links, *channel_links, *audience_links, *life_event_links, *process_links],
    )
