"""Website navigation of one municipality: its offered services under headings, in one language.

Three trees are built from the effective catalogue, so a local override of a service's
``navigation``, ``life_events`` or ``audiences`` field moves it to other nodes:

- ``functions``: the LGNL navigation headings (list ``navigation``) and the municipality's own
  navigation headings;
- ``life-events``: the standard life events and the municipality's own;
- ``audiences``: the standard audiences.

Only offered services appear. A node lists the services that name it directly; its
``service_count`` counts the distinct services of its whole branch. Empty branches are left out
unless ``include_empty`` is set, and then they carry ``service_count`` 0.

Labels are in the requested language and fall back to English, then to any language the text
has. Each label comes with its ``language``, so a page can mark fallback text with ``lang``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from servicelist.catalogue.views import item_href
from servicelist.errors import InvalidParameter
from servicelist.lists import records as r
from servicelist.municipalities import fields as f
from servicelist.municipalities.effective import (
    LocalCatalogue,
    local_service_href,
    municipality_href,
)
from servicelist.municipalities.models import Municipality

FALLBACK_LANGUAGE = "en"
# Branches below this depth are listed at the top level instead. LGNL has three levels, so only
# a long chain of local headings reaches the limit. Each level nests an object and a list, and
# orjson 3.13 rejects documents nested more than about 250 containers deep.
MAX_TREE_DEPTH = 16


@dataclass(frozen=True, slots=True)
class TreeKind:
    """One navigation tree: its name in the URL, the list it is built from and the field."""

    name: str
    list_id: str
    field_name: str
    has_local_terms: bool


FUNCTIONS = TreeKind("functions", r.NAVIGATION, "navigation", has_local_terms=True)
LIFE_EVENTS = TreeKind("life-events", r.LIFE_EVENTS, "life_events", has_local_terms=True)
AUDIENCES = TreeKind("audiences", r.AUDIENCES, "audiences", has_local_terms=False)
TREES = {tree.name: tree for tree in (FUNCTIONS, LIFE_EVENTS, AUDIENCES)}


# Languages


def page_languages(municipality: Municipality) -> list[str]:
    """Return the languages a municipality's pages can be asked for: its own, then English."""
    return list(dict.fromkeys([*municipality.languages, FALLBACK_LANGUAGE]))


def choose_language(municipality: Municipality, requested: str | None) -> str:
    """Return the language to render in: ``requested``, or the municipality's first language.

    Raises ``InvalidParameter`` for a language the municipality does not publish in.
    """
    allowed = page_languages(municipality)
    if requested is None:
        return allowed[0]
    if requested not in allowed:
        raise InvalidParameter(
            f"Municipality {municipality.id!r} publishes its pages in {', '.join(allowed)}, "
            f"not {requested[:40]!r}. Send lang= one of "
            f"{', '.join(allowed)}, or leave it out for {allowed[0]}.",
            parameter="lang",
            value=requested[:200],
        )
    return requested


def pick_text(texts: dict[str, str], language: str) -> tuple[str | None, str | None]:
    """Return the text in ``language``, else English, else the first one, with its language."""
    for candidate in (language, FALLBACK_LANGUAGE):
        text = texts.get(candidate)
        if text:
            return text, candidate
    for candidate, text in texts.items():
        if text:
            return text, candidate
    return None, None


def language_map(values: f.Flat, head: str) -> dict[str, str]:
    """Return the ``head.<language>`` fields of flat values as language to text."""
    prefix = head + "."
    return {
        path[len(prefix) :]: value
        for path, value in values.items()
        if path.startswith(prefix) and isinstance(value, str)
    }


def page_href(municipality_id: str, service_id: str, language: str, default: str) -> str:
    """Return the path of a service's HTML page, with ``lang`` unless it is the default."""
    href = f"{local_service_href(municipality_id, service_id)}/page"
    if language != default:
        href += f"?lang={quote(language, safe='')}"
    return href


# Offered services


@dataclass(frozen=True, slots=True)
class OfferedService:
    """An offered service as the navigation shows it, with the terms it is filed under."""

    id: str
    label: str
    label_language: str | None
    web_url: str | None
    terms: tuple[str, ...]

    def view(self, municipality_id: str, language: str, default: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "language": self.label_language,
            "web_url": self.web_url,
            "href": local_service_href(municipality_id, self.id),
            "page": page_href(municipality_id, self.id, language, default),
        }


def offered_services(local: LocalCatalogue, tree: TreeKind, language: str) -> list[OfferedService]:
    """Return every service the municipality offers, with the terms of ``tree`` it names."""
    found = []
    for service_id in local.service_ids():
        if not local.offer(service_id).offered:
            continue
        values, _ = local.effective(service_id)
        label, label_language = pick_text(language_map(values, "label"), language)
        terms = values.get(tree.field_name) or []
        found.append(
            OfferedService(
                id=service_id,
                label=label or service_id,
                label_language=label_language,
                web_url=values.get("channels.web.url"),
                terms=tuple(terms),
            )
        )
    return found


# Nodes


@dataclass(slots=True)
class Node:
    """A heading, life event or audience: standard or local, with its place in the tree."""

    id: str
    labels: dict[str, str]
    parent: str | None
    local: bool
    href: str
    services: list[OfferedService] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    branch: set[str] = field(default_factory=set)


def _nodes(local: LocalCatalogue, tree: TreeKind) -> list[Node]:
    """Return the nodes of ``tree`` in display order: standard by position, then local by id.

    A local term whose id equals a standard item's replaces it, as in the service JSON.
    """
    municipality_id = local.municipality.id
    local_terms = (
        sorted(
            (term for term in local.local.terms if term.list_id == tree.list_id),
            key=lambda term: term.identifier,
        )
        if tree.has_local_terms
        else []
    )
    local_ids = {term.identifier for term in local_terms}
    nodes = [
        Node(
            id=item.identifier,
            labels=item.labels,
            parent=item.parent,
            local=False,
            href=item_href(tree.list_id, item.identifier),
        )
        for item in local.catalogue.items.get(tree.list_id, [])
        if item.status != r.STATUS_RETIRED and item.identifier not in local_ids
    ]
    nodes += [
        Node(
            id=term.identifier,
            labels=term.labels,
            parent=term.parent,
            local=True,
            href=f"{municipality_href(municipality_id)}/terms/{tree.list_id}/{term.identifier}",
        )
        for term in local_terms
    ]
    return nodes


def _arrange(nodes: list[Node]) -> list[Node]:
    """Link children to parents and return the top-level nodes.

    A node whose parent is unknown is top level. Nodes that only reach each other through
    their parents (a cycle of local headings) and nodes deeper than ``MAX_TREE_DEPTH`` are
    listed at the top level, so every node appears exactly once.
    """
    by_id = {node.id: node for node in nodes}
    children: dict[str, list[Node]] = defaultdict(list)
    roots: list[Node] = []
    for node in nodes:
        if node.parent is None or node.parent not in by_id or node.parent == node.id:
            roots.append(node)
        else:
            children[node.parent].append(node)

    placed: set[str] = set()
    top: list[Node] = []
    pending = list(roots)
    while pending or len(placed) < len(nodes):
        if not pending:
            pending = [next(node for node in nodes if node.id not in placed)]
        root = pending.pop(0)
        if root.id in placed:
            continue
        placed.add(root.id)
        top.append(root)
        stack = [(root, 1)]
        while stack:
            parent, depth = stack.pop()
            parent.children = []
            for child in children.get(parent.id, []):
                if child.id in placed:
                    continue
                if depth >= MAX_TREE_DEPTH:
                    pending.append(child)
                    continue
                placed.add(child.id)
                parent.children.append(child)
                stack.append((child, depth + 1))
    return top


def _fill(top: list[Node], services: Iterable[OfferedService]) -> int:
    """File services under the nodes they name; return how many name no node of the tree."""
    by_id: dict[str, Node] = {}
    stack = list(top)
    while stack:
        node = stack.pop()
        by_id[node.id] = node
        stack.extend(node.children)

    unassigned = 0
    for service in services:
        filed = False
        for term in dict.fromkeys(service.terms):
            heading = by_id.get(term)
            if heading is not None:
                heading.services.append(service)
                filed = True
        if not filed:
            unassigned += 1
    for node in by_id.values():
        node.services.sort(key=lambda service: (service.label.casefold(), service.id))
    return unassigned


def _count_branches(top: list[Node]) -> None:
    """Set ``branch`` of every node to the ids of the services in it and below it."""
    order: list[Node] = []
    stack = list(top)
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(node.children)
    for node in reversed(order):
        node.branch = {service.id for service in node.services}
        for child in node.children:
            node.branch |= child.branch


def _view(
    node: Node, municipality_id: str, language: str, default: str, include_empty: bool
) -> dict[str, Any]:
    label, label_language = pick_text(node.labels, language)
    children = [
        _view(child, municipality_id, language, default, include_empty)
        for child in node.children
        if include_empty or child.branch
    ]
    return {
        "id": node.id,
        "label": label or node.id,
        "language": label_language,
        "local": node.local,
        "href": node.href,
        "service_count": len(node.branch),
        "services": [service.view(municipality_id, language, default) for service in node.services],
        "children": children,
    }


def navigation_tree(
    local: LocalCatalogue, tree: TreeKind, language: str, *, include_empty: bool = False
) -> dict[str, Any]:
    """Build one navigation tree of a municipality's offered services in ``language``."""
    municipality = local.municipality
    default = page_languages(municipality)[0]
    services = offered_services(local, tree, language)
    top = _arrange(_nodes(local, tree))
    unassigned = _fill(top, services)
    _count_branches(top)
    placed = set().union(*(node.branch for node in top)) if top else set()
    return {
        "municipality": {
            "id": municipality.id,
            "name": municipality.name,
            "href": municipality_href(municipality.id),
        },
        "tree": tree.name,
        "list": tree.list_id,
        "language": language,
        "languages": page_languages(municipality),
        "release": local.release,
        "empty_branches": "included" if include_empty else "pruned",
        "service_count": len(placed),
        "unassigned_count": unassigned,
        "items": [
            _view(node, municipality.id, language, default, include_empty)
            for node in top
            if include_empty or node.branch
        ],
    }
