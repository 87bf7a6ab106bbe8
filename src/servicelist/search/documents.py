"""The documents of the search index: what text of which service is searchable in a scope.

A release's scope contains one document per standard service and language. A municipality's
scope contains documents only for its local services and for the standard services whose
label, description or keywords it overrides. A search of the municipality uses those in place
of the release's documents of the same service. The vocabulary of a scope counts, for each
normalised word, the documents that contain it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from servicelist.catalogue.snapshot import Catalogue
from servicelist.lists import records as r
from servicelist.municipalities import fields as f
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.repository import LOCAL
from servicelist.search import text

RELEASE_SCOPE = "release:{}"
MUNICIPALITY_SCOPE = "municipality:{}"
# Overridden paths that change a service's searchable text.
SEARCHABLE_PREFIXES = ("label.", "description.")
SEARCHABLE_PATHS = ("keywords",)


def release_scope(release: int) -> str:
    return RELEASE_SCOPE.format(release)


def municipality_scope(municipality_id: str) -> str:
    return MUNICIPALITY_SCOPE.format(municipality_id)


@dataclass(frozen=True, slots=True)
class Document:
    """The searchable text of one service in one language."""

    service_id: str
    language: str
    label: str
    keywords: str
    description: str


def _documents(
    service_id: str,
    labels: dict[str, str],
    descriptions: dict[str, str],
    keywords: Iterable[str],
) -> list[Document]:
    """Return one document per language that has a label or a description.

    A language without its own label falls back to the English label, or any label, so every
    document has a title to show.
    """
    joined_keywords = " ".join(keyword for keyword in keywords if keyword)
    fallback = labels.get("en") or next(iter(labels.values()), "")
    languages = sorted(set(labels) | set(descriptions))
    return [
        Document(
            service_id=service_id,
            language=language,
            label=labels.get(language, fallback),
            keywords=joined_keywords,
            description=descriptions.get(language, ""),
        )
        for language in languages
    ]


def release_documents(catalogue: Catalogue) -> list[Document]:
    """Return the documents of every service of a release, retired ones included.

    The keywords field contains the service's keywords and its previous label, so a caller
    who uses a service's old name still finds it.
    """
    documents: list[Document] = []
    for service in catalogue.items.get(r.SERVICES, []):
        keywords = [str(keyword) for keyword in service.properties.get("keywords", [])]
        previous = service.properties.get("previous_label")
        if isinstance(previous, str):
            keywords.append(previous)
        documents.extend(
            _documents(service.identifier, service.labels, service.descriptions, keywords)
        )
    return documents


def has_local_text(local: LocalCatalogue, service_id: str) -> bool:
    """Return whether a service's searchable text differs from the release in this catalogue."""
    entry = local.local.entries.get(service_id)
    if entry is None:
        return False
    if entry.kind == LOCAL:
        return True
    return any(
        path.startswith(SEARCHABLE_PREFIXES) or path in SEARCHABLE_PATHS for path in entry.overrides
    )


def municipality_documents(local: LocalCatalogue) -> list[Document]:
    """Return the documents of a municipality's local services and locally worded ones."""
    documents: list[Document] = []
    for service_id in sorted(local.local.entries):
        if not has_local_text(local, service_id):
            continue
        values, _ = local.effective(service_id)
        labels = _language_map(values, "label")
        descriptions = _language_map(values, "description")
        keywords = [str(keyword) for keyword in values.get("keywords") or []]
        standard = local.catalogue.find_item(r.SERVICES, service_id)
        previous = standard.properties.get("previous_label") if standard is not None else None
        if isinstance(previous, str):
            keywords.append(previous)
        documents.extend(_documents(service_id, labels, descriptions, keywords))
    return documents


def _language_map(values: f.Flat, head: str) -> dict[str, str]:
    prefix = head + "."
    return {
        path[len(prefix) :]: value
        for path, value in values.items()
        if path.startswith(prefix) and isinstance(value, str) and value
    }


def vocabulary(documents: Iterable[Document]) -> Counter[str]:
    """Count, for each normalised word, the documents that contain it.

    Numbers are left out: a number is neither corrected nor completed, and a search still
    finds the documents that contain one.
    """
    counts: Counter[str] = Counter()
    for document in documents:
        found = text.words(f"{document.label} {document.keywords} {document.description}")
        counts.update({word for word in found if not word.isdigit()})
    return counts
