"""An immutable, indexed view of one load of the standard lists.

A ``Catalogue`` is built once per load from a ``ListBundle`` and shared by every request, so
reads never touch the database. Filters and link lookups are dictionary and set operations.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from servicelist.errors import InvalidParameter, NotFound
from servicelist.lists import records as r

ItemKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class RelatedItem:
    """One end of a link as seen from the other end."""

    item: r.ItemRecord
    link: r.LinkRecord
    direction: str  # "outgoing": the viewed item is the subject; "incoming": it is the object


@dataclass(frozen=True, slots=True)
class ServiceFilter:
    """Filters of the service list. Every set field narrows the result (logical AND)."""

    function: str | None = None
    navigation: str | None = None
    interaction: str | None = None
    tier: str | None = None
    abc: str | None = None
    channel: str | None = None
    audience: str | None = None
    life_event: str | None = None
    text: str | None = None
    status: str | None = None


@dataclass(slots=True)
class Catalogue:
    """Every list, item and link of one load, with the indexes the API needs.

    ``release`` is the number of the release the content is, or None for lists loaded before
    releases were recorded.
    """

    version: str
    loaded_at: str
    lists: dict[str, r.ListRecord]
    items: dict[str, list[r.ItemRecord]]
    links: list[r.LinkRecord]
    release: int | None = None
    _by_key: dict[ItemKey, r.ItemRecord] = field(default_factory=dict)
    _children: dict[ItemKey, list[r.ItemRecord]] = field(default_factory=dict)
    _related: dict[ItemKey, list[RelatedItem]] = field(default_factory=dict)
    _search_text: dict[ItemKey, str] = field(default_factory=dict)

    @classmethod
    def build(
        cls, bundle: r.ListBundle, *, version: str, loaded_at: str, release: int | None = None
    ) -> Catalogue:
        """Index a bundle. Items are ordered by position within each list."""
        items: dict[str, list[r.ItemRecord]] = {record.id: [] for record in bundle.lists}
        for item in bundle.items:
            items.setdefault(item.list_id, []).append(item)
        for entries in items.values():
            entries.sort(key=lambda item: (item.position, item.identifier))

        catalogue = cls(
            version=version,
            loaded_at=loaded_at,
            lists={record.id: record for record in bundle.lists},
            items=items,
            links=list(bundle.links),
            release=release,
        )
        by_key = catalogue._by_key
        for entries in items.values():
            for item in entries:
                by_key[(item.list_id, item.identifier)] = item
                text = " ".join([*item.labels.values(), *item.descriptions.values()])
                catalogue._search_text[(item.list_id, item.identifier)] = text.casefold()

        children: dict[ItemKey, list[r.ItemRecord]] = defaultdict(list)
        for entries in items.values():
            for item in entries:
                if item.parent is not None:
                    children[(item.list_id, item.parent)].append(item)
        catalogue._children = dict(children)

        related: dict[ItemKey, list[RelatedItem]] = defaultdict(list)
        for link in catalogue.links:
            subject = by_key.get((link.subject_list, link.subject_id))
            target = by_key.get((link.object_list, link.object_id))
            if subject is None or target is None:
                continue
            related[(link.subject_list, link.subject_id)].append(
                RelatedItem(target, link, "outgoing")
            )
            related[(link.object_list, link.object_id)].append(
                RelatedItem(subject, link, "incoming")
            )
        for entries_related in related.values():
            entries_related.sort(key=lambda rel: (rel.item.list_id, rel.item.position))
        catalogue._related = dict(related)
        return catalogue

    def to_bundle(self) -> r.ListBundle:
        """Return the lists, items and links as a bundle, items in list and position order."""
        return r.ListBundle(
            lists=list(self.lists.values()),
            items=[item for entries in self.items.values() for item in entries],
            links=list(self.links),
        )

    # Lookups

    def get_list(self, list_id: str) -> r.ListRecord:
        """Return a list's metadata or raise ``NotFound``."""
        record = self.lists.get(list_id)
        if record is None:
            known = ", ".join(self.lists)
            raise NotFound(f"There is no list {list_id!r}. Known lists: {known}.")
        return record

    def get_item(self, list_id: str, identifier: str) -> r.ItemRecord:
        """Return one item or raise ``NotFound`` naming the list and identifier."""
        self.get_list(list_id)
        item = self._by_key.get((list_id, identifier))
        if item is None:
            raise NotFound(f"The {list_id} list has no item with identifier {identifier!r}.")
        return item

    def get_service(self, identifier: str) -> r.ItemRecord:
        """Return one LGSL service or raise ``NotFound``."""
        item = self._by_key.get((r.SERVICES, identifier))
        if item is None:
            raise NotFound(f"There is no service with identifier {identifier!r} in the LGSL.")
        return item

    def find_item(self, list_id: str, identifier: str) -> r.ItemRecord | None:
        """Return one item, or None when it does not exist."""
        return self._by_key.get((list_id, identifier))

    def children(self, item: r.ItemRecord) -> list[r.ItemRecord]:
        """Return the items whose parent is ``item``."""
        return self._children.get((item.list_id, item.identifier), [])

    def descendants(self, item: r.ItemRecord) -> list[r.ItemRecord]:
        """Return every item below ``item`` in its hierarchy, depth first."""
        found: list[r.ItemRecord] = []
        stack = list(reversed(self.children(item)))
        seen = {item.identifier}
        while stack:
            child = stack.pop()
            if child.identifier in seen:
                continue
            seen.add(child.identifier)
            found.append(child)
            stack.extend(reversed(self.children(child)))
        return found

    def parent(self, item: r.ItemRecord) -> r.ItemRecord | None:
        """Return the parent of ``item``, or None for a top-level item."""
        if item.parent is None:
            return None
        return self._by_key.get((item.list_id, item.parent))

    def related(self, item: r.ItemRecord, list_id: str | None = None) -> list[RelatedItem]:
        """Return the items linked to ``item`` in either direction, optionally from one list."""
        entries = self._related.get((item.list_id, item.identifier), [])
        if list_id is None:
            return entries
        return [entry for entry in entries if entry.item.list_id == list_id]

    # Service filters

    def filter_services(self, criteria: ServiceFilter) -> Sequence[r.ItemRecord]:
        """Return the services matching every given criterion, in identifier order."""
        services = self.items.get(r.SERVICES, [])
        allowed: set[str] | None = None
        for list_id, value in (
            (r.FUNCTIONS, criteria.function),
            (r.NAVIGATION, criteria.navigation),
            (r.INTERACTIONS, criteria.interaction),
            (r.TIERS, criteria.tier),
            (r.ABC_CLASSES, criteria.abc),
            (r.CHANNELS, criteria.channel),
            (r.AUDIENCES, criteria.audience),
            (r.LIFE_EVENTS, criteria.life_event),
        ):
            if value is None:
                continue
            matched = self._services_linked_to(list_id, value)
            allowed = matched if allowed is None else allowed & matched

        words = criteria.text.casefold().split() if criteria.text else []
        result: list[r.ItemRecord] = []
        for service in services:
            if allowed is not None and service.identifier not in allowed:
                continue
            if criteria.status is not None and service.status != criteria.status:
                continue
            if words:
                text = self._search_text[(r.SERVICES, service.identifier)]
                if not all(word in text for word in words):
                    continue
            result.append(service)
        return result

    def _services_linked_to(self, list_id: str, identifier: str) -> set[str]:
        item = self._by_key.get((list_id, identifier))
        if item is None:
            raise InvalidParameter(
                f"The {list_id} list has no item {identifier!r}; "
                f"see /v1/lists/{list_id}/items for the valid identifiers.",
                parameter=_FILTER_PARAMETERS[list_id],
                value=identifier,
            )
        scope: Iterable[r.ItemRecord] = [item, *self.descendants(item)]
        found: set[str] = set()
        for entry in scope:
            for rel in self.related(entry, r.SERVICES):
                found.add(rel.item.identifier)
        return found


_FILTER_PARAMETERS = {
    r.FUNCTIONS: "function",
    r.NAVIGATION: "navigation",
    r.INTERACTIONS: "interaction",
    r.TIERS: "tier",
    r.ABC_CLASSES: "abc",
    r.CHANNELS: "channel",
    r.AUDIENCES: "audience",
    r.LIFE_EVENTS: "life_event",
}
