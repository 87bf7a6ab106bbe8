"""The overridable fields of a service, as flat paths such as ``label.en`` or ``channels.web.url``.

A standard service flattens to a dict of path to JSON value. A municipality's overrides use the
same paths, so the effective value of a field is the override when one exists and the standard
value otherwise, and a release review compares old standard, new standard and local value path
by path. Language maps and channels are split into one path per language and per channel
attribute, so a local Dutch label or a local web address never hides an upstream change to
another language or another attribute.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from servicelist.catalogue.snapshot import Catalogue
from servicelist.lists import records as r

# Attributes of a service's channel, in the order the JSON shows them.
CHANNEL_ATTRIBUTES = (
    "available",
    "primary",
    "url",
    "phone",
    "email",
    "languages",
    "opening_hours",
    "hours_exceptions",
    "interaction_urls",
    "note",
)
SCALAR_TEXT_FIELDS = ("fees", "procedure", "department")
LIST_FIELDS = ("keywords", "audiences", "life_events", "navigation")
# Every fixed path; ``label.*``, ``description.*`` and ``channels.*.*`` are patterns.
FIXED_PATHS = (
    *SCALAR_TEXT_FIELDS,
    "abc_class",
    *LIST_FIELDS,
    "process.template",
    "process.steps",
)

LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,38}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")
DATE = re.compile(r"^[0-9]{4}-[01][0-9]-[0-3][0-9]$")
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
OFFICE_TIERS = ("front", "mid", "back")
DURATION = re.compile(r"^P(?!$)([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+S)?)?$")

MAX_LABEL = 300
MAX_TEXT = 20_000
MAX_LIST = 100
MAX_URL = 2_000

Flat = dict[str, Any]


class FieldError(ValueError):
    """A path or value that cannot be stored. The message gives the reason and what is accepted."""


@dataclass(frozen=True, slots=True)
class Terms:
    """The identifiers a value may refer to: the release's lists plus the municipality's own."""

    abc_classes: frozenset[str]
    channels: frozenset[str]
    audiences: frozenset[str]
    life_events: frozenset[str]
    navigation: frozenset[str]
    interactions: frozenset[str]
    process_templates: frozenset[str]

    @classmethod
    def of(
        cls,
        catalogue: Catalogue,
        local_life_events: frozenset[str] = frozenset(),
        local_navigation: frozenset[str] = frozenset(),
    ) -> Terms:
        def ids(list_id: str) -> frozenset[str]:
            return frozenset(item.identifier for item in catalogue.items.get(list_id, []))

        return cls(
            abc_classes=ids(r.ABC_CLASSES),
            channels=ids(r.CHANNELS),
            audiences=ids(r.AUDIENCES),
            life_events=ids(r.LIFE_EVENTS) | local_life_events,
            navigation=ids(r.NAVIGATION) | local_navigation,
            interactions=ids(r.INTERACTIONS),
            process_templates=ids(r.PROCESS_TEMPLATES),
        )


# Standard values


def standard_fields(catalogue: Catalogue, service: r.ItemRecord) -> Flat:
    """Flatten one standard service into its overridable paths and their values."""
    flat: Flat = {}
    for language, text in service.labels.items():
        flat[f"label.{language}"] = text
    for language, text in service.descriptions.items():
        flat[f"description.{language}"] = text
    flat["keywords"] = list(service.properties.get("keywords", []))
    flat["fees"] = service.properties.get("fees")
    flat["procedure"] = service.properties.get("procedure")
    functions = catalogue.related(service, r.FUNCTIONS)
    flat["department"] = functions[0].item.label if functions else None

    abc = catalogue.related(service, r.ABC_CLASSES)
    flat["abc_class"] = abc[0].item.identifier if abc else None

    linked = {rel.item.identifier: rel.link for rel in catalogue.related(service, r.CHANNELS)}
    for channel in catalogue.items.get(r.CHANNELS, []):
        link = linked.get(channel.identifier)
        prefix = f"channels.{channel.identifier}"
        if link is None:
            flat[f"{prefix}.available"] = False
            continue
        properties = link.properties
        flat[f"{prefix}.available"] = True
        flat[f"{prefix}.primary"] = bool(properties.get("primary"))
        flat[f"{prefix}.url"] = properties.get("url")
        flat[f"{prefix}.phone"] = properties.get("phone")
        flat[f"{prefix}.email"] = properties.get("email")
        flat[f"{prefix}.languages"] = list(properties.get("languages", []))
        flat[f"{prefix}.opening_hours"] = list(properties.get("opening_hours", []))
        flat[f"{prefix}.hours_exceptions"] = list(properties.get("hours_exceptions", []))
        flat[f"{prefix}.interaction_urls"] = {}
        flat[f"{prefix}.note"] = link.note

    flat["audiences"] = [rel.item.identifier for rel in catalogue.related(service, r.AUDIENCES)]
    flat["life_events"] = [rel.item.identifier for rel in catalogue.related(service, r.LIFE_EVENTS)]
    flat["navigation"] = [rel.item.identifier for rel in catalogue.related(service, r.NAVIGATION)]

    process = catalogue.related(service, r.PROCESS_TEMPLATES)
    if process:
        template, link = process[0].item, process[0].link
        flat["process.template"] = template.identifier
        flat["process.steps"] = list(link.properties.get("steps") or template.properties["steps"])
    else:
        flat["process.template"] = None
        flat["process.steps"] = None
    return flat


def empty_fields(catalogue: Catalogue) -> Flat:
    """Return the fields of a local-only service before any value is set."""
    flat: Flat = {
        "keywords": [],
        "fees": None,
        "procedure": None,
        "department": None,
        "abc_class": None,
        "audiences": [],
        "life_events": [],
        "navigation": [],
        "process.template": None,
        "process.steps": None,
    }
    for channel in catalogue.items.get(r.CHANNELS, []):
        flat[f"channels.{channel.identifier}.available"] = False
    return flat


def channel_default(attribute: str) -> Any:
    """Return the value of a channel attribute that neither standard nor override sets."""
    if attribute == "available" or attribute == "primary":
        return False
    if attribute in ("languages", "opening_hours", "hours_exceptions"):
        return []
    if attribute == "interaction_urls":
        return {}
    return None


# Validation of local values


def check_path(path: str, terms: Terms) -> None:
    """Raise ``FieldError`` unless ``path`` names an overridable field."""
    parts = path.split(".")
    if parts[0] in ("label", "description") and len(parts) == 2:
        if not LANGUAGE_TAG.match(parts[1]):
            raise FieldError(
                f"{parts[1]!r} is not a language tag; use a BCP 47 tag such as en, nl or fr-BE"
            )
        return
    if parts[0] == "channels" and len(parts) == 3:
        if parts[1] not in terms.channels:
            known = ", ".join(sorted(terms.channels))
            raise FieldError(f"there is no channel {parts[1]!r}; use one of {known}")
        if parts[2] not in CHANNEL_ATTRIBUTES:
            attributes = ", ".join(CHANNEL_ATTRIBUTES)
            raise FieldError(f"channels have no attribute {parts[2]!r}; use one of {attributes}")
        return
    if path in FIXED_PATHS:
        return
    raise FieldError(
        f"{path!r} is not an overridable field; use label.<language>, description.<language>, "
        f"{', '.join(FIXED_PATHS)} or channels.<channel>.<attribute>"
    )


def check_value(path: str, value: Any, terms: Terms) -> Any:
    """Return ``value`` normalised for ``path``, or raise ``FieldError`` saying what is accepted.

    The path must already have passed ``check_path``.
    """
    parts = path.split(".")
    head = parts[0]
    if head == "label":
        return check_text(value, MAX_LABEL)
    if head == "description":
        return check_text(value, MAX_TEXT)
    if head in SCALAR_TEXT_FIELDS:
        return check_text(value, MAX_TEXT)
    if head == "keywords":
        return _text_list(value, MAX_LABEL)
    if head == "abc_class":
        return _one_of(value, terms.abc_classes, "ABC class")
    if head == "audiences":
        return _id_list(value, terms.audiences, "audience")
    if head == "life_events":
        return _id_list(value, terms.life_events, "life event")
    if head == "navigation":
        return _id_list(value, terms.navigation, "navigation heading")
    if path == "process.template":
        return _one_of(value, terms.process_templates, "process template")
    if path == "process.steps":
        return _steps(value)
    return _CHANNEL_CHECKS[parts[2]](value, terms)


def check_text(value: Any, maximum: int) -> str:
    if not isinstance(value, str):
        raise FieldError(f"expected text, got {_type_name(value)}")
    text = value.strip()
    if not text:
        raise FieldError("text must not be empty; reset the field to follow the standard")
    if len(text) > maximum:
        raise FieldError(f"text is {len(text)} characters long; the maximum is {maximum}")
    if any(ord(character) < 32 and character not in "\n\t" for character in text):
        raise FieldError("text contains control characters")
    return text


def _text_list(value: Any, maximum: int) -> list[str]:
    if not isinstance(value, list):
        raise FieldError(f"expected a list of text, got {_type_name(value)}")
    if len(value) > MAX_LIST:
        raise FieldError(f"the list has {len(value)} entries; the maximum is {MAX_LIST}")
    result: list[str] = []
    for entry in value:
        text = check_text(entry, maximum)
        if text not in result:
            result.append(text)
    return result


def _one_of(value: Any, allowed: frozenset[str], noun: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        known = ", ".join(sorted(allowed)) if len(allowed) <= 40 else f"{len(allowed)} identifiers"
        raise FieldError(f"{value!r} is not a known {noun}; use one of {known}")
    return value


def _id_list(value: Any, allowed: frozenset[str], noun: str) -> list[str]:
    if not isinstance(value, list):
        raise FieldError(f"expected a list of {noun} identifiers, got {_type_name(value)}")
    if len(value) > MAX_LIST:
        raise FieldError(f"the list has {len(value)} entries; the maximum is {MAX_LIST}")
    result: list[str] = []
    for entry in value:
        identifier = _one_of(entry, allowed, noun)
        if identifier not in result:
            result.append(identifier)
    return result


def check_url(value: Any, _terms: Terms | None = None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise FieldError(f"expected a URL, got {_type_name(value)}")
    text = value.strip()
    if len(text) > MAX_URL:
        raise FieldError(f"the URL is {len(text)} characters long; the maximum is {MAX_URL}")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise FieldError(f"{value!r} is not an absolute http or https URL")
    return text


def _phone(value: Any, _terms: Terms) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not PHONE.match(value.strip()):
        raise FieldError(f"{value!r} is not a phone number; use digits, spaces and an optional +")
    return value.strip()


def _email(value: Any, _terms: Terms) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not EMAIL.match(value.strip()):
        raise FieldError(f"{value!r} is not an email address")
    return value.strip()


def _flag(value: Any, _terms: Terms) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"expected true or false, got {_type_name(value)}")
    return value


def _languages(value: Any, _terms: Terms) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_LIST:
        raise FieldError("expected a list of language tags such as ['en', 'cy']")
    for entry in value:
        if not isinstance(entry, str) or not LANGUAGE_TAG.match(entry):
            raise FieldError(f"{entry!r} is not a BCP 47 language tag")
    return list(dict.fromkeys(value))


def _opening_hours(value: Any, _terms: Terms) -> list[dict[str, str]]:
    if not isinstance(value, list) or len(value) > 50:
        raise FieldError('expected a list of {"day": "Mo", "opens": "09:00", "closes": "17:00"}')
    result = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"day", "opens", "closes"}:
            raise FieldError(
                f'{entry!r} must have exactly "day", "opens" and "closes", '
                'e.g. {"day": "Mo", "opens": "09:00", "closes": "17:00"}'
            )
        if entry["day"] not in DAYS:
            raise FieldError(f"{entry['day']!r} is not a day; use one of {', '.join(DAYS)}")
        _opening_times(entry)
        result.append({"day": entry["day"], "opens": entry["opens"], "closes": entry["closes"]})
    return result


def _opening_times(entry: Mapping[str, Any]) -> None:
    opens, closes = entry["opens"], entry["closes"]
    if opens is None and closes is None:
        return
    for value in (opens, closes):
        if not isinstance(value, str) or not TIME.match(value):
            raise FieldError(f"{value!r} is not a time; use HH:MM on the 24-hour clock")
    if opens >= closes:
        raise FieldError(f"opening time {opens} is not before closing time {closes}")


def _hours_exceptions(value: Any, _terms: Terms) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > 400:
        raise FieldError(
            'expected a list of {"date": "2026-12-24", "opens": "09:00", "closes": "13:00", '
            '"reason": "..."} (opens and closes null when closed all day)'
        )
    result = []
    for entry in value:
        if not isinstance(entry, dict) or set(entry) != {"date", "opens", "closes", "reason"}:
            raise FieldError(f'{entry!r} must have exactly "date", "opens", "closes" and "reason"')
        if not isinstance(entry["date"], str) or not DATE.match(entry["date"]):
            raise FieldError(f"{entry['date']!r} is not a date; use YYYY-MM-DD")
        _opening_times(entry)
        reason = check_text(entry["reason"], MAX_LABEL)
        result.append({**entry, "reason": reason})
    return result


def _interaction_urls(value: Any, terms: Terms) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > MAX_LIST:
        raise FieldError(
            'expected an object of interaction identifier to URL, e.g. {"8": "https://..."}'
        )
    result: dict[str, str] = {}
    for key, url in sorted(value.items(), key=lambda pair: (len(pair[0]), pair[0])):
        if key not in terms.interactions:
            raise FieldError(f"{key!r} is not an LGIL interaction identifier")
        checked = check_url(url)
        if checked is None:
            raise FieldError(f"the URL for interaction {key} must not be null")
        result[key] = checked
    return result


def _note(value: Any, _terms: Terms) -> str | None:
    if value is None:
        return None
    return check_text(value, MAX_TEXT)


def _steps(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not value or len(value) > 50:
        raise FieldError("expected a non-empty list of process steps (at most 50)")
    required = {"label", "office_tier", "duration"}
    optional = {"actor_role", "manual", "channel_role", "description"}
    result = []
    for order, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise FieldError(f"step {order} must be an object")
        keys = set(entry) - {"order"}
        if not required <= keys or not keys <= required | optional:
            raise FieldError(
                f"step {order} must have {', '.join(sorted(required))} and may have "
                f"{', '.join(sorted(optional))}"
            )
        if entry["office_tier"] not in OFFICE_TIERS:
            raise FieldError(f"step {order}: office_tier must be one of {', '.join(OFFICE_TIERS)}")
        if not isinstance(entry["duration"], str) or not DURATION.match(entry["duration"]):
            raise FieldError(
                f"step {order}: {entry['duration']!r} is not an ISO 8601 duration such as PT10M"
            )
        step: dict[str, Any] = {"order": order, "label": check_text(entry["label"], MAX_LABEL)}
        step["office_tier"] = entry["office_tier"]
        step["duration"] = entry["duration"]
        for key in sorted(optional & keys):
            if key == "manual":
                step[key] = _flag(entry[key], _NO_TERMS)
            else:
                step[key] = check_text(entry[key], MAX_TEXT)
        result.append(step)
    return result


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "text"}.get(
        type(value), "an object" if isinstance(value, dict) else "a list"
    )


_NO_TERMS = Terms(*(frozenset[str]() for _ in range(7)))

_CHANNEL_CHECKS: dict[str, Callable[[Any, Terms], Any]] = {
    "available": _flag,
    "primary": _flag,
    "url": check_url,
    "phone": _phone,
    "email": _email,
    "languages": _languages,
    "opening_hours": _opening_hours,
    "hours_exceptions": _hours_exceptions,
    "interaction_urls": _interaction_urls,
    "note": _note,
}
