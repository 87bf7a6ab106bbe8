"""A municipality's effective catalogue: the standard release with its local entries on top.

Every field of an effective service carries its provenance: ``standard`` with the release it
comes from, or ``local`` with who set it, when and from which source. Nothing here touches
the database; the routers pass in what the repository read.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from servicelist.catalogue.durations import total_duration
from servicelist.catalogue.snapshot import Catalogue
from servicelist.catalogue.views import item_href, service_href, service_uri
from servicelist.errors import NotFound
from servicelist.lists import records as r
from servicelist.municipalities import fields as f
from servicelist.municipalities.models import LocalTerm, Municipality
from servicelist.municipalities.repository import LOCAL, EntryRecord, LocalData, iso

API_PREFIX = "/v1"
LOCAL_ID_HELP = "lowercase letters, digits and hyphens, starting with a letter (at most 80)"


def municipality_href(municipality_id: str) -> str:
    return f"{API_PREFIX}/municipalities/{municipality_id}"


def local_service_href(municipality_id: str, service_id: str) -> str:
    return f"{municipality_href(municipality_id)}/services/{service_id}"


def municipality_uri(base_uri: str, municipality_id: str) -> str:
    return f"{base_uri}municipalities/{municipality_id}"


class StandardFieldCache:
    """Flattened standard fields per release and service, computed once per process.

    Releases never change, so entries stay valid; the least recently used release goes first.
    """

    def __init__(self, max_releases: int = 4) -> None:
        self._releases: OrderedDict[int, dict[str, f.Flat]] = OrderedDict()
        self._max = max_releases
        self._lock = threading.Lock()

    def fields(self, catalogue: Catalogue, release: int, service: r.ItemRecord) -> f.Flat:
        with self._lock:
            services = self._releases.get(release)
            if services is None:
                services = self._releases[release] = {}
                if len(self._releases) > self._max:
                    self._releases.popitem(last=False)
            else:
                self._releases.move_to_end(release)
        found = services.get(service.identifier)
        if found is None:
            found = services[service.identifier] = f.standard_fields(catalogue, service)
        return found


@dataclass(frozen=True, slots=True)
class Offer:
    """Whether a municipality offers a service, why, and who provides it when it does not."""

    offered: bool
    source: str
    reason: str
    provider: Municipality | None = None


@dataclass(slots=True)
class LocalCatalogue:
    """One municipality's catalogue: its release, what it stores locally and its parent."""

    municipality: Municipality
    catalogue: Catalogue
    local: LocalData
    standard_fields: StandardFieldCache
    parent: Municipality | None = None
    base_uri: str = ""

    @property
    def release(self) -> int:
        return self.municipality.release

    def terms(self) -> f.Terms:
        return f.Terms.of(
            self.catalogue,
            self.local.term_ids(r.LIFE_EVENTS),
            self.local.term_ids(r.NAVIGATION),
        )

    def standard(self, service_id: str) -> f.Flat:
        """Return the standard fields of a service in this release; {} for a local service."""
        service = self.catalogue.find_item(r.SERVICES, service_id)
        if service is None:
            return {}
        return self.standard_fields.fields(self.catalogue, self.release, service)

    def service_ids(self) -> Iterator[str]:
        """Yield every standard service of the release, then the local services."""
        for service in self.catalogue.items.get(r.SERVICES, []):
            yield service.identifier
        for service_id, entry in sorted(self.local.entries.items()):
            if entry.kind == LOCAL:
                yield service_id

    def exists(self, service_id: str) -> bool:
        entry = self.local.entries.get(service_id)
        if entry is not None and entry.kind == LOCAL:
            return True
        return self.catalogue.find_item(r.SERVICES, service_id) is not None

    def require(self, service_id: str) -> None:
        if not self.exists(service_id):
            raise NotFound(
                f"Municipality {self.municipality.id!r} has no service {service_id!r}: it is "
                f"neither in release {self.release} of the standard list nor a local service."
            )

    # Offered or not

    def offer(self, service_id: str) -> Offer:
        entry = self.local.entries.get(service_id)
        if entry is not None and entry.offered is not None:
            return Offer(entry.offered, "local", "set by the municipality")
        if entry is not None and entry.kind == LOCAL:
            return Offer(True, "local", "a local service is offered until it is marked otherwise")
        service = self.catalogue.find_item(r.SERVICES, service_id)
        if service is None:
            return Offer(False, "standard", "not in this release")
        return self._tier_offer(service)

    def _tier_offer(self, service: r.ItemRecord) -> Offer:
        if service.status == r.STATUS_RETIRED:
            return Offer(
                False, "standard", f"retired from the standard list in release {self.release}"
            )
        tier = self.municipality.tier
        tiers = [rel.item.identifier for rel in self.catalogue.related(service, r.TIERS)]
        if tier is None:
            return Offer(True, "standard", "the municipality has no tier, so no tier rule applies")
        if not tiers:
            return Offer(True, "standard", "the standard gives no providing tier for this service")
        if tier in tiers:
            return Offer(True, "standard", f"tier rule: {'/'.join(tiers)} councils provide it")
        provider = None
        if self.parent is not None and self.parent.tier in tiers:
            provider = self.parent
        return Offer(
            False,
            "standard",
            f"tier rule: {'/'.join(tiers)} councils provide it, not {tier} councils",
            provider,
        )

    # Effective fields

    def effective(self, service_id: str) -> tuple[f.Flat, dict[str, dict[str, Any]]]:
        """Return the effective fields of a service and the provenance of each."""
        entry = self.local.entries.get(service_id)
        if entry is not None and entry.kind == LOCAL:
            base = f.empty_fields(self.catalogue)
            standard_source: dict[str, Any] = {"source": "default"}
        else:
            base = self.standard(service_id)
            standard_source = {"source": "standard", "release": self.release}
        values: f.Flat = dict(base)
        provenance: dict[str, dict[str, Any]] = {path: standard_source for path in base}
        if entry is not None:
            for path, override in entry.overrides.items():
                values[path] = override.value
                provenance[path] = {
                    "source": "local",
                    "origin": override.source,
                    "set_by": override.updated_by,
                    "set_at": iso(override.updated_at),
                    "based_on_release": override.base_release,
                }
        return values, provenance

    # JSON

    def service_view(self, service_id: str) -> dict[str, Any]:
        """Build the JSON of one effective service, every field with its provenance."""
        values, provenance = self.effective(service_id)
        entry = self.local.entries.get(service_id)
        standard_item = self.catalogue.find_item(r.SERVICES, service_id)
        offer = self.offer(service_id)
        municipality = self.municipality
        languages = [*municipality.languages, "en"]

        labels = _language_map(values, "label")
        descriptions = _language_map(values, "description")
        view: dict[str, Any] = {
            "id": service_id,
            "href": local_service_href(municipality.id, service_id),
            "uri": f"{municipality_uri(self.base_uri, municipality.id)}/services/{service_id}",
            "municipality": {
                "id": municipality.id,
                "name": municipality.name,
                "href": municipality_href(municipality.id),
            },
            "kind": entry.kind if entry is not None else "standard",
            "release": self.release,
            "standard": (
                {
                    "id": service_id,
                    "href": service_href(service_id),
                    "uri": service_uri(self.base_uri, service_id),
                    "status": standard_item.status,
                    "replaced_by": standard_item.properties.get("replaced_by"),
                }
                if standard_item is not None
                else None
            ),
            "revision": entry.revision if entry is not None else 0,
            "offered": offer.offered,
            "offered_source": offer.source,
            "offered_reason": offer.reason,
            "provided_by": (
                {
                    "id": offer.provider.id,
                    "name": offer.provider.name,
                    "href": local_service_href(offer.provider.id, service_id),
                }
                if offer.provider is not None
                else None
            ),
            "label": _preferred(labels, languages),
            "labels": labels,
            "description": _preferred(descriptions, languages),
            "descriptions": descriptions,
            "keywords": values.get("keywords", []),
            "fees": values.get("fees"),
            "procedure": values.get("procedure"),
            "department": values.get("department"),
            "abc_class": self._abc(values.get("abc_class")),
            "channels": self._channels(values),
            "audiences": self._references(r.AUDIENCES, values.get("audiences", [])),
            "life_events": self._references(r.LIFE_EVENTS, values.get("life_events", [])),
            "navigation": self._references(r.NAVIGATION, values.get("navigation", [])),
            "process": self._process(values),
            "overridden": sorted(entry.overrides) if entry is not None else [],
            "provenance": provenance,
        }
        return view

    def summary_view(self, service_id: str) -> dict[str, Any]:
        """Build the short form of an effective service for lists."""
        values, _ = self.effective(service_id)
        entry = self.local.entries.get(service_id)
        offer = self.offer(service_id)
        labels = _language_map(values, "label")
        channels = [
            channel.identifier
            for channel in self.catalogue.items.get(r.CHANNELS, [])
            if values.get(f"channels.{channel.identifier}.available")
        ]
        return {
            "id": service_id,
            "href": local_service_href(self.municipality.id, service_id),
            "kind": entry.kind if entry is not None else "standard",
            "label": _preferred(labels, [*self.municipality.languages, "en"]),
            "offered": offer.offered,
            "provided_by": offer.provider.id if offer.provider is not None else None,
            "abc_class": values.get("abc_class"),
            "channels": channels,
            "web_url": values.get("channels.web.url"),
            "overridden": len(entry.overrides) if entry is not None else 0,
            "revision": entry.revision if entry is not None else 0,
        }

    def _abc(self, identifier: str | None) -> dict[str, Any] | None:
        if identifier is None:
            return None
        item = self.catalogue.find_item(r.ABC_CLASSES, identifier)
        return {
            "class": identifier,
            "label": item.label if item is not None else identifier,
            "href": item_href(r.ABC_CLASSES, identifier),
        }

    def _channels(self, values: f.Flat) -> list[dict[str, Any]]:
        channels = []
        for channel in self.catalogue.items.get(r.CHANNELS, []):
            prefix = f"channels.{channel.identifier}."
            if not values.get(prefix + "available"):
                continue
            entry: dict[str, Any] = {
                "id": channel.identifier,
                "label": channel.label,
                "href": item_href(r.CHANNELS, channel.identifier),
            }
            for attribute in f.CHANNEL_ATTRIBUTES:
                if attribute == "available":
                    continue
                entry[attribute] = values.get(prefix + attribute, f.channel_default(attribute))
            channels.append(entry)
        return channels

    def _references(self, list_id: str, identifiers: list[str]) -> list[dict[str, Any]]:
        local_terms = {
            term.identifier: term for term in self.local.terms if term.list_id == list_id
        }
        found = []
        for identifier in identifiers:
            term = local_terms.get(identifier)
            if term is not None:
                found.append(self._term_reference(term))
                continue
            item = self.catalogue.find_item(list_id, identifier)
            found.append(
                {
                    "id": identifier,
                    "label": item.label if item is not None else identifier,
                    "href": item_href(list_id, identifier),
                    "local": False,
                }
            )
        return found

    def _term_reference(self, term: LocalTerm) -> dict[str, Any]:
        return {
            "id": term.identifier,
            "label": _preferred(term.labels, [*self.municipality.languages, "en"]),
            "href": f"{municipality_href(self.municipality.id)}/terms/{term.list_id}/"
            f"{term.identifier}",
            "local": True,
        }

    def _process(self, values: f.Flat) -> dict[str, Any] | None:
        template_id = values.get("process.template")
        steps = values.get("process.steps")
        if template_id is None and not steps:
            return None
        template = (
            self.catalogue.find_item(r.PROCESS_TEMPLATES, template_id) if template_id else None
        )
        if not steps and template is not None:
            steps = template.properties.get("steps", [])
        return {
            "template": template_id,
            "template_label": template.label if template is not None else None,
            "kind": template.properties.get("kind") if template is not None else None,
            "steps": steps or [],
            "expected_duration": total_duration(step["duration"] for step in steps or []),
        }


def _language_map(values: f.Flat, head: str) -> dict[str, str]:
    prefix = head + "."
    return {
        path[len(prefix) :]: value
        for path, value in values.items()
        if path.startswith(prefix) and value is not None
    }


def _preferred(texts: dict[str, str], languages: list[str]) -> str | None:
    for language in languages:
        if language in texts:
            return texts[language]
    return next(iter(texts.values()), None)


def is_local_id(identifier: str) -> bool:
    """Return whether ``identifier`` is valid for a local service (never an LGSL number)."""
    return (
        0 < len(identifier) <= 80
        and identifier[0].isascii()
        and identifier[0].islower()
        and all(c.isascii() and (c.islower() or c.isdigit() or c == "-") for c in identifier)
    )


def entry_revision(entry: EntryRecord | None) -> int:
    return entry.revision if entry is not None else 0
