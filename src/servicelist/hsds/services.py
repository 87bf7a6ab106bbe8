"""HSDS organization and services of one municipality.

The municipality is the one organization. Each service it offers (tier rule or local decision)
is an HSDS service with status ``active``; services it does not offer are left out. Fields map
from the effective catalogue:

- ``name``, ``description``: the effective label and description in the municipality's first
  language, or in English when that language has none;
- ``alternate_name``: the standard LGSL label, when the local label differs from it;
- ``url``: the web channel's URL; ``email``: the first channel email address;
- ``fees_description``: ``fees``; ``application_process``: ``procedure``, else the process
  steps; ``wait_time``: the process's expected duration (ISO 8601);
- ``phones``: channels with a phone number; ``contacts``: the department, with the email;
- ``schedules``: each channel's weekly opening hours, with days of equal hours in one weekly
  rule, and its dated exceptions. Times are local time of the municipality;
- ``attributes``: the taxonomy terms the service is filed under: its LGSL entry, interactions,
  functions, navigation headings, ABC class, channels, audiences and life events.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from servicelist.catalogue.durations import total_duration
from servicelist.hsds.identifiers import Uris, uuid_of
from servicelist.hsds.taxonomies import Taxonomies, Term, compact
from servicelist.lists import records as r
from servicelist.municipalities import fields as f
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.navigation import language_map, page_languages, pick_text
from servicelist.municipalities.service_page import DAY_NAMES

HSDS_VERSION = "3.0"
ACTIVE = "active"
# Effective fields that file a service under terms, by the list the terms belong to.
TERM_FIELDS = (
    (r.NAVIGATION, "navigation"),
    (r.AUDIENCES, "audiences"),
    (r.LIFE_EVENTS, "life_events"),
)
WEEKDAYS = tuple(DAY_NAMES)
SMS_CHANNEL = "sms"
EMAIL_CHANNEL = "email"


class HsdsCatalogue:
    """The HSDS view of one municipality's effective catalogue."""

    def __init__(self, local: LocalCatalogue) -> None:
        self.local = local
        municipality = local.municipality
        self.uris = Uris(local.base_uri, municipality.id)
        self.language = page_languages(municipality)[0]
        self.organization_id = uuid_of(self.uris.organization)
        self.offered = [
            service_id for service_id in local.service_ids() if local.offer(service_id).offered
        ]
        self._service_ids = {
            uuid_of(self.uris.service(service_id)): service_id for service_id in self.offered
        }
        self._taxonomies: Taxonomies | None = None

    @property
    def taxonomies(self) -> Taxonomies:
        """Return the taxonomies and terms, built on first use (about 1,900 terms)."""
        if self._taxonomies is None:
            self._taxonomies = Taxonomies(self.local, self.uris, self.language)
        return self._taxonomies

    def service_id(self, hsds_id: str) -> str | None:
        """Return the catalogue id of the offered service with HSDS id ``hsds_id``."""
        return self._service_ids.get(hsds_id)

    # Organization

    def organization(self, *, full: bool) -> dict[str, Any]:
        """Return the municipality as an HSDS organization; ``full`` adds its identifiers."""
        municipality = self.local.municipality
        parent_id = (
            uuid_of(Uris(self.local.base_uri, municipality.parent_id).organization)
            if municipality.parent_id
            else None
        )
        document = compact(
            {
                "id": self.organization_id,
                "name": municipality.name,
                "description": _organization_description(
                    municipality.name, municipality.tier, municipality.country
                ),
                "website": municipality.homepage_url,
                "uri": self.uris.organization,
                "parent_organization_id": parent_id,
            }
        )
        if full:
            identifiers = [("servicelist municipality id", municipality.id)]
            if municipality.gss:
                identifiers.append(("GSS code", municipality.gss))
            document["organization_identifiers"] = [
                {
                    "id": uuid_of(self.uris.organization_identifier(kind)),
                    "organization_id": self.organization_id,
                    "identifier_type": kind,
                    "identifier": value,
                }
                for kind, value in identifiers
            ]
        return document

    # Services

    def values(self, service_id: str) -> f.Flat:
        values, _ = self.local.effective(service_id)
        return values

    def service(
        self, service_id: str, *, full: bool, values: f.Flat | None = None
    ) -> dict[str, Any]:
        """Return one offered service: its one-to-one fields, and with ``full`` every array."""
        values = values if values is not None else self.values(service_id)
        service_uri = self.uris.service(service_id)
        hsds_id = uuid_of(service_uri)
        standard = self.local.catalogue.find_item(r.SERVICES, service_id)
        name, _ = pick_text(language_map(values, "label"), self.language)
        name = name or service_id
        standard_name = pick_text(standard.labels, self.language)[0] if standard else None
        description, _ = pick_text(language_map(values, "description"), self.language)
        steps = list(values.get("process.steps") or [])
        last_modified = self.last_modified(service_id)

        document = compact(
            {
                "id": hsds_id,
                "organization_id": self.organization_id,
                "name": name,
                "alternate_name": standard_name if standard_name != name else None,
                "description": description,
                "url": values.get("channels.web.url"),
                "email": self._email(values),
                "status": ACTIVE,
                "application_process": values.get("procedure") or _steps_text(steps),
                "fees_description": values.get("fees"),
                "wait_time": total_duration(step["duration"] for step in steps) if steps else None,
                "last_modified": last_modified.isoformat() if last_modified else None,
            }
        )
        if not full:
            return document

        document["organization"] = self.organization(full=False)
        document["phones"] = self._phones(service_uri, hsds_id, values)
        document["schedules"] = self._schedules(service_uri, hsds_id, values)
        document["contacts"] = self._contacts(service_uri, hsds_id, values)
        document["languages"] = self._languages(service_uri, hsds_id, values)
        document["service_areas"] = [self._area(service_uri, hsds_id)]
        document["attributes"] = [
            {
                "id": uuid_of(Uris.below(service_uri, "attributes", term.taxonomy_id, term.code)),
                "link_id": hsds_id,
                "link_type": term.list_id,
                "link_entity": "service",
                "taxonomy_term_id": term.id,
                "taxonomy_term": term.reference,
            }
            for term in self.terms(service_id, values)
        ]
        return document

    def terms(self, service_id: str, values: f.Flat) -> list[Term]:
        """Return the taxonomy terms a service is filed under, each once."""
        taxonomies = self.taxonomies
        codes: list[tuple[str, str]] = []
        catalogue = self.local.catalogue
        standard = catalogue.find_item(r.SERVICES, service_id)
        if standard is not None:
            codes.append((r.SERVICES, service_id))
            for list_id in (r.INTERACTIONS, r.FUNCTIONS):
                codes += [
                    (list_id, rel.item.identifier) for rel in catalogue.related(standard, list_id)
                ]
        for list_id, field_name in TERM_FIELDS:
            codes += [(list_id, code) for code in values.get(field_name) or []]
        if values.get("abc_class"):
            codes.append((r.ABC_CLASSES, values["abc_class"]))
        for channel in catalogue.items.get(r.CHANNELS, []):
            if values.get(f"channels.{channel.identifier}.available"):
                codes.append((r.CHANNELS, channel.identifier))

        found: dict[str, Term] = {}
        for list_id, code in codes:
            term = taxonomies.term(list_id, code)
            if term is not None:
                found.setdefault(term.id, term)
        return list(found.values())

    def last_modified(self, service_id: str) -> datetime | None:
        """Return when the service last changed: the later of its newest local change and the
        standard entry's modification date.

        NOTE: a move to a newer release does not count unless it changed a local value.
        """
        stamps: list[datetime] = []
        entry = self.local.local.entries.get(service_id)
        if entry is not None:
            stamps.append(entry.updated_at)
            stamps += [override.updated_at for override in entry.overrides.values()]
        standard = self.local.catalogue.find_item(r.SERVICES, service_id)
        if standard is not None and standard.modified:
            try:
                day = date.fromisoformat(standard.modified)
            except ValueError:
                day = None
            if day is not None:
                stamps.append(datetime(day.year, day.month, day.day, tzinfo=UTC))
        aware = [stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC) for stamp in stamps]
        return max(aware) if aware else None

    def _email(self, values: f.Flat) -> str | None:
        channels = [
            channel.identifier for channel in self.local.catalogue.items.get(r.CHANNELS, [])
        ]
        for channel in sorted(channels, key=lambda identifier: identifier != EMAIL_CHANNEL):
            if values.get(f"channels.{channel}.available") and values.get(
                f"channels.{channel}.email"
            ):
                return str(values[f"channels.{channel}.email"])
        return None

    def _channels(self, values: f.Flat) -> list[tuple[str, str, f.Flat]]:
        """Return (id, label, attributes) of each channel the service is available on."""
        found = []
        for channel in self.local.catalogue.items.get(r.CHANNELS, []):
            prefix = f"channels.{channel.identifier}."
            if not values.get(prefix + "available"):
                continue
            label, _ = pick_text(channel.labels, self.language)
            attributes = {
                attribute: values.get(prefix + attribute, f.channel_default(attribute))
                for attribute in f.CHANNEL_ATTRIBUTES
            }
            found.append((channel.identifier, label or channel.identifier, attributes))
        return found

    def _phones(self, service_uri: str, hsds_id: str, values: f.Flat) -> list[dict[str, Any]]:
        return [
            {
                "id": uuid_of(Uris.below(service_uri, "channels", channel, "phone")),
                "service_id": hsds_id,
                "number": attributes["phone"],
                "type": "text" if channel == SMS_CHANNEL else "voice",
                "description": label,
            }
            for channel, label, attributes in self._channels(values)
            if attributes["phone"]
        ]

    def _schedules(self, service_uri: str, hsds_id: str, values: f.Flat) -> list[dict[str, Any]]:
        schedules: list[dict[str, Any]] = []
        for channel, label, attributes in self._channels(values):
            groups: dict[tuple[str, str], list[str]] = {}
            for entry in attributes["opening_hours"] or []:
                groups.setdefault((entry["opens"], entry["closes"]), []).append(entry["day"])
            for (opens, closes), days in groups.items():
                schedules.append(
                    {
                        "id": uuid_of(
                            Uris.below(service_uri, "channels", channel, "hours", opens, closes)
                        ),
                        "service_id": hsds_id,
                        "freq": "WEEKLY",
                        "interval": 1,
                        "byday": ",".join(day.upper() for day in days),
                        "opens_at": opens,
                        "closes_at": _hsds_time(closes),
                        "description": f"{label}: {_days_text(days)}, {opens} to {closes}",
                        "attending_type": label,
                        "notes": "Local time of the municipality.",
                    }
                )
            for exception in attributes["hours_exceptions"] or []:
                opens, closes = exception.get("opens"), exception.get("closes")
                hours = f"{opens} to {closes}" if opens and closes else "closed"
                schedules.append(
                    compact(
                        {
                            "id": uuid_of(
                                Uris.below(
                                    service_uri,
                                    "channels",
                                    channel,
                                    "exceptions",
                                    exception["date"],
                                )
                            ),
                            "service_id": hsds_id,
                            "valid_from": exception["date"],
                            "valid_to": exception["date"],
                            "dtstart": exception["date"],
                            "opens_at": opens,
                            "closes_at": _hsds_time(closes) if closes else None,
                            "description": f"{label} on {exception['date']}: {hours} "
                            f"({exception['reason']})",
                            "attending_type": label,
                            "notes": "Replaces the weekly hours on this date. Local time of "
                            "the municipality.",
                        }
                    )
                )
        return schedules

    def _contacts(self, service_uri: str, hsds_id: str, values: f.Flat) -> list[dict[str, Any]]:
        department = values.get("department")
        email = self._email(values)
        if not department and not email:
            return []
        return [
            compact(
                {
                    "id": uuid_of(Uris.below(service_uri, "contact")),
                    "service_id": hsds_id,
                    "name": department or self.local.municipality.name,
                    "department": department,
                    "email": email,
                }
            )
        ]

    def _languages(self, service_uri: str, hsds_id: str, values: f.Flat) -> list[dict[str, Any]]:
        codes: dict[str, None] = {}
        for _, _, attributes in self._channels(values):
            for code in attributes["languages"] or []:
                codes[code] = None
        return [
            {
                "id": uuid_of(Uris.below(service_uri, "languages", code)),
                "service_id": hsds_id,
                "code": code,
            }
            for code in codes
        ]

    def _area(self, service_uri: str, hsds_id: str) -> dict[str, Any]:
        municipality = self.local.municipality
        description = f"The area of {municipality.name}"
        if municipality.gss:
            description += f" (GSS code {municipality.gss})"
        return {
            "id": uuid_of(Uris.below(service_uri, "area")),
            "service_id": hsds_id,
            "name": municipality.name,
            "description": description + ".",
        }


def _organization_description(name: str, tier: str | None, country: str | None) -> str:
    if tier and country:
        return f"{name}, a {tier} council in {country}."
    if country:
        return f"{name}, a municipality in {country}."
    return f"{name}, a municipality."


def _steps_text(steps: list[dict[str, Any]]) -> str | None:
    """Return the process steps as numbered sentences, or None without steps."""
    if not steps:
        return None
    parts = []
    for number, step in enumerate(steps, start=1):
        text = f"{number}. {step['label']}"
        if step.get("description"):
            text += f": {step['description']}"
        parts.append(text.rstrip(".") + ".")
    return " ".join(parts)


def _days_text(days: list[str]) -> str:
    """Return weekdays as text, a run of three or more consecutive days as a range."""
    indexes = sorted(WEEKDAYS.index(day) for day in days if day in WEEKDAYS)
    consecutive = indexes == list(range(indexes[0], indexes[-1] + 1)) if indexes else False
    if consecutive and len(indexes) >= 3:
        return f"{DAY_NAMES[WEEKDAYS[indexes[0]]]} to {DAY_NAMES[WEEKDAYS[indexes[-1]]]}"
    return ", ".join(DAY_NAMES.get(day, day) for day in days)


def _hsds_time(value: str) -> str:
    """Return an opening time for HSDS; 24:00 (end of day) is written 23:59."""
    return "23:59" if value == "24:00" else value
