"""Changes from one release to another: entries added, retired, changed and removed.

``diff_bundles`` compares the content of two releases entry by entry. A changed entry lists
each changed field with its value before and after:

* ``labels.<language>`` and ``descriptions.<language>``, such as ``labels.en``;
* ``status``, ``parent``, ``position``, ``created``, ``modified`` and ``history_notes``;
* ``properties.<key>`` for each property that was added, removed or changed;
* ``links.<relation>``: the sorted identifiers the entry links to with that relation, such as
  ``links.hasChannel``. When one relation of a list reaches items of several lists, the name
  also carries the target list (``links.contains.services``);
* ``links.<relation>[<target>]``: the attributes that changed on a link whose target stayed
  the same: ``status``, ``note``, ``source`` and ``properties.<key>``.

Entries are never deleted, so "removed" happens only when comparing a release with an older one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from servicelist.lists import records as r

ADDED = "added"
RETIRED = "retired"
CHANGED = "changed"
REMOVED = "removed"
CHANGE_KINDS = (ADDED, RETIRED, CHANGED, REMOVED)

SCALAR_FIELDS = ("status", "parent", "position", "created", "modified", "history_notes")
LIST_FIELDS = (
    "title",
    "description",
    "version",
    "modified",
    "status",
    "publisher",
    "source",
    "source_url",
    "licence",
    "licence_url",
    "attribution",
    "rights",
    "authored",
    "files",
    "esd_uri_pattern",
)

ItemKey = tuple[str, str]
# The outgoing links of one entry: (relation, target list) -> target identifier -> link.
OutgoingLinks = dict[tuple[str, str], dict[str, r.LinkRecord]]


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of an entry or a list, with its value in the older and in the newer release."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True, slots=True)
class EntryChange:
    """One entry that differs between the releases.

    ``kind`` is one of ``CHANGE_KINDS``. ``replaced_by`` is set for retired entries whose
    replacements are known; ``fields`` for changed entries.
    """

    list_id: str
    identifier: str
    kind: str
    label: str
    position: int
    replaced_by: tuple[str, ...] = ()
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True, slots=True)
class ListDiff:
    """The changes to one list: how many entries of each kind, and its own metadata changes."""

    list_id: str
    counts: dict[str, int]
    metadata: tuple[FieldChange, ...]


@dataclass(frozen=True, slots=True)
class ReleaseDiff:
    """Every change between two releases, services first, then in list order.

    ``entries`` are ordered by list, then by kind in the order of ``CHANGE_KINDS``, then by
    position and identifier.
    """

    lists: tuple[ListDiff, ...]
    entries: tuple[EntryChange, ...]

    def totals(self) -> dict[str, int]:
        """Return the number of changed entries of each kind over every list."""
        return {kind: sum(entry.counts[kind] for entry in self.lists) for kind in CHANGE_KINDS}

    def select(self, list_id: str | None = None, kind: str | None = None) -> list[EntryChange]:
        """Return the entries of one list, of one kind, or both, in diff order."""
        return [
            entry
            for entry in self.entries
            if (list_id is None or entry.list_id == list_id)
            and (kind is None or entry.kind == kind)
        ]


def _outgoing_links(bundle: r.ListBundle) -> dict[ItemKey, OutgoingLinks]:
    links: dict[ItemKey, OutgoingLinks] = defaultdict(lambda: defaultdict(dict))
    for link in bundle.links:
        group = links[(link.subject_list, link.subject_id)][(link.relation, link.object_list)]
        group[link.object_id] = link
    return links


def _link_field_names(*bundles: r.ListBundle) -> dict[tuple[str, str, str], str]:
    """Name the link groups of each list: the relation alone unless it reaches several lists."""
    targets: dict[tuple[str, str], set[str]] = defaultdict(set)
    for bundle in bundles:
        for link in bundle.links:
            targets[(link.subject_list, link.relation)].add(link.object_list)
    names: dict[tuple[str, str, str], str] = {}
    for (subject_list, relation), object_lists in targets.items():
        for object_list in object_lists:
            name = f"links.{relation}"
            if len(object_lists) > 1:
                name = f"{name}.{object_list}"
            names[(subject_list, relation, object_list)] = name
    return names


def _language_changes(
    name: str, before: dict[str, str], after: dict[str, str]
) -> list[FieldChange]:
    return [
        FieldChange(f"{name}.{language}", before.get(language), after.get(language))
        for language in sorted(before.keys() | after.keys())
        if before.get(language) != after.get(language)
    ]


def _link_details(link: r.LinkRecord) -> dict[str, Any]:
    details: dict[str, Any] = {"status": link.status, "note": link.note, "source": link.source}
    for key, value in link.properties.items():
        details[f"properties.{key}"] = value
    return details


def _link_detail_change(name: str, old: r.LinkRecord, new: r.LinkRecord) -> FieldChange | None:
    """Return the attributes that differ between two links to the same target, if any.

    Only the changed attributes and properties appear, each under its own key
    (``note``, ``properties.primary``), so that a long property that stayed the same is left out.
    """
    before = _link_details(old)
    after = _link_details(new)
    keys = [key for key in {**before, **after} if before.get(key) != after.get(key)]
    if not keys:
        return None
    return FieldChange(
        name, {key: before.get(key) for key in keys}, {key: after.get(key) for key in keys}
    )


class _Differ:
    """Compares the entries of two bundles, with their links indexed once."""

    def __init__(self, before: r.ListBundle, after: r.ListBundle) -> None:
        self.before_items = {(item.list_id, item.identifier): item for item in before.items}
        self.after_items = {(item.list_id, item.identifier): item for item in after.items}
        self.before_links = _outgoing_links(before)
        self.after_links = _outgoing_links(after)
        self.link_names = _link_field_names(before, after)

    def _position(self, list_id: str, identifier: str) -> tuple[int, str]:
        item = self.after_items.get((list_id, identifier)) or self.before_items.get(
            (list_id, identifier)
        )
        return (item.position if item is not None else 0, identifier)

    def _targets(self, list_id: str, identifiers: Iterable[str]) -> list[str]:
        return sorted(identifiers, key=lambda identifier: self._position(list_id, identifier))

    def link_changes(self, key: ItemKey) -> list[FieldChange]:
        before = self.before_links.get(key, {})
        after = self.after_links.get(key, {})
        changes: list[FieldChange] = []
        for group in sorted(before.keys() | after.keys()):
            relation, object_list = group
            name = self.link_names[(key[0], relation, object_list)]
            old = before.get(group, {})
            new = after.get(group, {})
            if old.keys() != new.keys():
                changes.append(
                    FieldChange(
                        name, self._targets(object_list, old), self._targets(object_list, new)
                    )
                )
            for target in self._targets(object_list, [t for t in new if t in old]):
                link_change = _link_detail_change(f"{name}[{target}]", old[target], new[target])
                if link_change is not None:
                    changes.append(link_change)
        return changes

    def field_changes(self, old: r.ItemRecord, new: r.ItemRecord) -> list[FieldChange]:
        changes = _language_changes("labels", old.labels, new.labels)
        changes += _language_changes("descriptions", old.descriptions, new.descriptions)
        for name in SCALAR_FIELDS:
            if getattr(old, name) != getattr(new, name):
                changes.append(FieldChange(name, getattr(old, name), getattr(new, name)))
        for key in sorted(old.properties.keys() | new.properties.keys()):
            if old.properties.get(key) != new.properties.get(key):
                changes.append(
                    FieldChange(
                        f"properties.{key}", old.properties.get(key), new.properties.get(key)
                    )
                )
        changes += self.link_changes((new.list_id, new.identifier))
        return changes

    def entry(self, key: ItemKey) -> EntryChange | None:
        old = self.before_items.get(key)
        new = self.after_items.get(key)
        if new is None:
            assert old is not None
            return EntryChange(old.list_id, old.identifier, REMOVED, old.label, old.position)
        if old is None:
            return EntryChange(new.list_id, new.identifier, ADDED, new.label, new.position)
        if new.status == r.STATUS_RETIRED and old.status != r.STATUS_RETIRED:
            replaced_by = tuple(new.properties.get(r.REPLACED_BY, []))
            return EntryChange(
                new.list_id, new.identifier, RETIRED, new.label, new.position, replaced_by
            )
        fields = self.field_changes(old, new)
        if not fields:
            return None
        return EntryChange(
            new.list_id, new.identifier, CHANGED, new.label, new.position, fields=tuple(fields)
        )


def _list_order(before: r.ListBundle, after: r.ListBundle) -> list[str]:
    order: list[str] = []
    for record in [*after.lists, *before.lists]:
        if record.id not in order:
            order.append(record.id)
    for item in [*after.items, *before.items]:
        if item.list_id not in order:
            order.append(item.list_id)
    if r.SERVICES in order:
        order.remove(r.SERVICES)
        order.insert(0, r.SERVICES)
    return order


def _metadata_changes(
    before: r.ListRecord | None, after: r.ListRecord | None
) -> tuple[FieldChange, ...]:
    if before is None or after is None:
        return ()
    return tuple(
        FieldChange(name, getattr(before, name), getattr(after, name))
        for name in LIST_FIELDS
        if getattr(before, name) != getattr(after, name)
    )


def diff_bundles(before: r.ListBundle, after: r.ListBundle) -> ReleaseDiff:
    """Compare the content of two releases, ``before`` being the one compared from."""
    differ = _Differ(before, after)
    keys_by_list: dict[str, set[ItemKey]] = defaultdict(set)
    for key in [*differ.before_items, *differ.after_items]:
        keys_by_list[key[0]].add(key)
    before_lists = {record.id: record for record in before.lists}
    after_lists = {record.id: record for record in after.lists}

    lists: list[ListDiff] = []
    entries: list[EntryChange] = []
    for list_id in _list_order(before, after):
        changed = [
            entry
            for key in keys_by_list.get(list_id, set())
            if (entry := differ.entry(key)) is not None
        ]
        changed.sort(
            key=lambda entry: (CHANGE_KINDS.index(entry.kind), entry.position, entry.identifier)
        )
        counts = {kind: sum(1 for entry in changed if entry.kind == kind) for kind in CHANGE_KINDS}
        metadata = _metadata_changes(before_lists.get(list_id), after_lists.get(list_id))
        lists.append(ListDiff(list_id, counts, metadata))
        entries.extend(changed)
    return ReleaseDiff(lists=tuple(lists), entries=tuple(entries))
