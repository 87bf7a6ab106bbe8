"""HSDS taxonomies and taxonomy terms: the standard lists of a release and local terms.

Every item of the lists in ``TAXONOMY_LISTS`` is a term of the taxonomy of its list, with its
identifier as ``code`` and its URI as ``term_uri``. That URI is the esd-toolkit URI for the
lists the esd-toolkit publishes (``http://id.esd.org.uk/service/372``), and our URI under the
base URI for the authored lists. A municipality's own navigation headings and life events form
taxonomies of their own, because they are not part of the published lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servicelist.catalogue.views import esd_uri
from servicelist.hsds.identifiers import Uris, uuid_of
from servicelist.lists import records as r
from servicelist.municipalities.effective import LocalCatalogue
from servicelist.municipalities.navigation import pick_text

TAXONOMY_LISTS = (
    r.SERVICES,
    r.INTERACTIONS,
    r.FUNCTIONS,
    r.NAVIGATION,
    r.ABC_CLASSES,
    r.CHANNELS,
    r.AUDIENCES,
    r.LIFE_EVENTS,
)
LOCAL_TAXONOMY_LISTS = (r.NAVIGATION, r.LIFE_EVENTS)
LOCAL_TAXONOMY_NAMES = {r.NAVIGATION: "navigation headings", r.LIFE_EVENTS: "life events"}


@dataclass(frozen=True, slots=True)
class Term:
    """One taxonomy term: where it comes from and its HSDS document."""

    id: str
    list_id: str
    code: str
    local: bool
    taxonomy_id: str
    parent_id: str | None
    document: dict[str, Any]

    @property
    def reference(self) -> dict[str, Any]:
        """Return the term without ``taxonomy_detail``, as service attributes nest it."""
        return {key: value for key, value in self.document.items() if key != "taxonomy_detail"}


def compact(document: dict[str, Any]) -> dict[str, Any]:
    """Drop the fields whose value is None: HSDS schemas type fields without null."""
    return {key: value for key, value in document.items() if value is not None}


class Taxonomies:
    """The taxonomies and terms one municipality's HSDS views use, in one language."""

    def __init__(self, local: LocalCatalogue, uris: Uris, language: str) -> None:
        self.local = local
        self.uris = uris
        self.language = language
        self.taxonomies: list[dict[str, Any]] = []
        self.terms: list[Term] = []
        self.taxonomy_by_id: dict[str, dict[str, Any]] = {}
        self.term_by_id: dict[str, Term] = {}
        self._by_code: dict[tuple[str, bool, str], Term] = {}
        self._local_codes: dict[str, set[str]] = {}
        for list_id in TAXONOMY_LISTS:
            self._add_standard(list_id)
        for list_id in LOCAL_TAXONOMY_LISTS:
            self._add_local(list_id)

    # Lookups

    def term(self, list_id: str, code: str) -> Term | None:
        """Return the term a service field names: a local term first, as the service JSON does."""
        if code in self._local_codes.get(list_id, set()):
            return self._by_code.get((list_id, True, code))
        return self._by_code.get((list_id, False, code))

    # Building

    def _add_standard(self, list_id: str) -> None:
        catalogue = self.local.catalogue
        record = catalogue.lists.get(list_id)
        if record is None:
            return
        taxonomy_uri = self.uris.taxonomy(list_id, local=False)
        taxonomy = compact(
            {
                "id": uuid_of(taxonomy_uri),
                "name": record.title,
                "description": record.description,
                "uri": record.source_url or taxonomy_uri,
                "version": record.version,
            }
        )
        self._add_taxonomy(taxonomy)
        for item in catalogue.items.get(list_id, []):
            parent = catalogue.parent(item)
            label, label_language = pick_text(item.labels, self.language)
            description, _ = pick_text(item.descriptions, self.language)
            parent_label = pick_text(parent.labels, self.language)[0] if parent else None
            self._add_term(
                taxonomy,
                list_id=list_id,
                code=item.identifier,
                local=False,
                name=label or item.identifier,
                language=label_language,
                description=description
                or _generated_description(label or item.identifier, record.title, parent_label),
                parent_code=item.parent,
                term_uri=esd_uri(catalogue, item)
                or self.uris.term(list_id, item.identifier, False),
            )

    def _add_local(self, list_id: str) -> None:
        terms = sorted(
            (term for term in self.local.local.terms if term.list_id == list_id),
            key=lambda term: term.identifier,
        )
        if not terms:
            return
        municipality = self.local.municipality
        taxonomy_uri = self.uris.taxonomy(list_id, local=True)
        noun = LOCAL_TAXONOMY_NAMES[list_id]
        taxonomy = {
            "id": uuid_of(taxonomy_uri),
            "name": f"{municipality.name}: local {noun}",
            "description": f"The {noun} that {municipality.name} added to the standard list.",
            "uri": taxonomy_uri,
            "version": str(self.local.release),
        }
        self._add_taxonomy(taxonomy)
        self._local_codes[list_id] = {term.identifier for term in terms}
        for term in terms:
            label, label_language = pick_text(term.labels, self.language)
            description, _ = pick_text(term.descriptions, self.language)
            self._add_term(
                taxonomy,
                list_id=list_id,
                code=term.identifier,
                local=True,
                name=label or term.identifier,
                language=label_language,
                description=description
                or _generated_description(label or term.identifier, taxonomy["name"], None),
                parent_code=term.parent,
                term_uri=self.uris.term(list_id, term.identifier, True),
            )

    def _add_taxonomy(self, taxonomy: dict[str, Any]) -> None:
        self.taxonomies.append(taxonomy)
        self.taxonomy_by_id[taxonomy["id"]] = taxonomy

    def _add_term(
        self,
        taxonomy: dict[str, Any],
        *,
        list_id: str,
        code: str,
        local: bool,
        name: str,
        language: str | None,
        description: str,
        parent_code: str | None,
        term_uri: str,
    ) -> None:
        term_id = uuid_of(self.uris.term(list_id, code, local))
        parent_id = self._parent_id(list_id, parent_code, local)
        document = compact(
            {
                "id": term_id,
                "code": code,
                "name": name,
                "description": description,
                "parent_id": parent_id,
                "taxonomy": taxonomy["name"],
                "taxonomy_detail": taxonomy,
                "language": language,
                "taxonomy_id": taxonomy["id"],
                "term_uri": term_uri,
            }
        )
        term = Term(term_id, list_id, code, local, taxonomy["id"], parent_id, document)
        self.terms.append(term)
        self.term_by_id[term_id] = term
        self._by_code[(list_id, local, code)] = term

    def _parent_id(self, list_id: str, parent_code: str | None, local: bool) -> str | None:
        """Return the id of a parent term; a local term's parent may be local or standard."""
        if parent_code is None:
            return None
        if local and parent_code in self._local_codes.get(list_id, set()):
            return uuid_of(self.uris.term(list_id, parent_code, True))
        if self.local.catalogue.find_item(list_id, parent_code) is not None:
            return uuid_of(self.uris.term(list_id, parent_code, False))
        return None


def _generated_description(label: str, taxonomy: str, parent: str | None) -> str:
    """Describe a term that has no description of its own; HSDS requires one."""
    where = f", under {parent}" if parent else ""
    return f"{label}: an entry of the {taxonomy}{where}."
