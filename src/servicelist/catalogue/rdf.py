"""The catalogue as RDF: SKOS concept schemes, DCAT datasets and CPSV-AP 3.2.0 public services.

Every list is a ``dcat:Dataset`` and a ``skos:ConceptScheme`` at ``{base}lists/{list_id}``, every
item a ``skos:Concept`` at ``{base}lists/{list_id}/{identifier}``, and every LGSL service also a
``cpsv:PublicService`` at ``{base}services/{identifier}``. The functions return pyoxigraph
triples and ``serialize`` writes them as Turtle, N-Triples, RDF/XML or JSON-LD.

Each returned graph conforms to the CPSV-AP 3.2.0 SHACL shapes on its own, validated without
inference: every node that a shape requires to be of some class is typed in the same graph,
with the properties its own shape requires. So a graph that points to a concept it does not
describe still types and labels it, and a graph with a concept or public service also describes
the list it belongs to, with that list's licence and rights.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from urllib.parse import quote

import pyoxigraph
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from servicelist.catalogue.snapshot import Catalogue
from servicelist.catalogue.vocabulary import (
    ADMS,
    CPSV,
    CV,
    DCAT,
    DCT,
    FOAF,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
)
from servicelist.lists import records as r

__all__ = [
    "MEDIA_TYPES",
    "Triple",
    "catalogue_triples",
    "item_triples",
    "items_triples",
    "list_triples",
    "lists_triples",
    "serialize",
    "service_triples",
    "services_triples",
]

log = logging.getLogger(__name__)

# Media types ``serialize`` accepts. pyoxigraph 0.5.13 writes JSON-LD in expanded form, with full
# IRIs and no @context, so a reader never has to fetch a context document.
MEDIA_TYPES: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/ld+json": RdfFormat.JSON_LD,
}
_PREFIXED_FORMATS = (RdfFormat.TURTLE, RdfFormat.RDF_XML)

ENGLISH = "en"

# CPSV-AP requires a description of every public service, but some LGSL services have none
# (14 in the bundled lists).
MISSING_SERVICE_DESCRIPTION = (
    "The Local Government Services List (LGSL) publishes no description of this service."
)

# EU Publications Office country authority table entry for the United Kingdom. CPSV-AP 3.2.0
# requires every public organisation to have a dct:spatial of class dct:Location.
UNITED_KINGDOM = NamedNode("http://publications.europa.eu/resource/authority/country/GBR")

# NOTE: no source sets a licence for the catalogue record itself. It uses the Open Government
# Licence v3.0 because most of the lists it describes are published under it. Each list's own
# licence is stated on its dataset.
CATALOGUE_LICENCE_URL = "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
CATALOGUE_TITLE = "servicelist: standard lists of UK local government services"
CATALOGUE_DESCRIPTION = (
    "The Local Government Services List (LGSL) and the lists mapped to it: interactions (LGIL), "
    "esd functions, the navigation list (LGNL), local authority tiers and UK councils. Each list "
    "is a SKOS concept scheme; each LGSL service is also a CPSV-AP public service."
)
CATALOGUE_PUBLISHER_SLUG = "servicelist"

# The organisation a service points to when GOV.UK records no providing tier for it.
ANY_LOCAL_AUTHORITY = "uk-local-authority"

STATUS_LABELS = {r.STATUS_LIVE: "Live", r.STATUS_DISCONTINUED: "Discontinued"}
STATUS_DEFINITIONS = {
    r.STATUS_LIVE: "In use and maintained by its publisher.",
    r.STATUS_DISCONTINUED: "No longer maintained by its publisher, but kept for reference.",
}

# The property that links a public service to an item of another list, by that item's list and
# the relation of the link.
SERVICE_LINK_PROPERTIES = {
    (r.INTERACTIONS, r.HAS_INTERACTION): CV.isClassifiedBy,
    (r.NAVIGATION, r.CONTAINS): CV.isClassifiedBy,
    (r.TIERS, r.PROVIDED_BY): CV.isClassifiedBy,
    (r.FUNCTIONS, r.CONTAINS): CV.thematicArea,
}

# Council codes published as typed skos:notation values: property name, datatype slug, label.
COUNCIL_CODES = (
    ("gss", "gss-code", "GSS code (Government Statistical Service area code)"),
    ("snac", "snac-code", "SNAC code (Standard Names and Codes, ONS)"),
    ("local_custodian_code", "local-custodian-code", "Local custodian code (AddressBase)"),
)


def catalogue_triples(catalogue: Catalogue, base_uri: str) -> list[Triple]:
    """Build the whole catalogue: the dcat:Catalog, every list, item and public service."""
    graph = _GraphBuilder(catalogue, base_uri)
    graph.add_catalogue()
    for record in catalogue.lists.values():
        graph.add_list(record)
    for items in catalogue.items.values():
        for item in items:
            graph.add_concept(item)
    for service in catalogue.items.get(r.SERVICES, []):
        graph.add_service(service)
    return graph.finish()


def lists_triples(catalogue: Catalogue, base_uri: str) -> list[Triple]:
    """Build the dcat:Catalog and the metadata of every list, without their items."""
    graph = _GraphBuilder(catalogue, base_uri)
    graph.add_catalogue()
    for record in catalogue.lists.values():
        graph.add_list(record)
    return graph.finish()


def list_triples(catalogue: Catalogue, list_id: str, base_uri: str) -> list[Triple]:
    """Build one list's concept scheme with all its concepts. Raises ``NotFound``."""
    record = catalogue.get_list(list_id)
    graph = _GraphBuilder(catalogue, base_uri)
    graph.add_list(record)
    for item in catalogue.items.get(list_id, []):
        graph.add_concept(item)
    return graph.finish()


def item_triples(
    catalogue: Catalogue, list_id: str, identifier: str, base_uri: str
) -> list[Triple]:
    """Build one concept and, for an LGSL service, its public service. Raises ``NotFound``."""
    item = catalogue.get_item(list_id, identifier)
    graph = _GraphBuilder(catalogue, base_uri)
    graph.add_concept(item)
    if list_id == r.SERVICES:
        graph.add_service(item)
    return graph.finish()


def items_triples(
    catalogue: Catalogue, list_id: str, items: Sequence[r.ItemRecord], base_uri: str
) -> list[Triple]:
    """Build one page of a list's items as ``item_triples`` builds each, with no repeated triple.

    Raises ``NotFound`` for an unknown list and ``ValueError`` for an item of another list.
    """
    catalogue.get_list(list_id)
    graph = _GraphBuilder(catalogue, base_uri)
    for item in items:
        if item.list_id != list_id:
            raise ValueError(
                f"Item {item.identifier!r} belongs to the {item.list_id} list, not {list_id}."
            )
        graph.add_concept(item)
        if list_id == r.SERVICES:
            graph.add_service(item)
    return graph.finish()


def service_triples(catalogue: Catalogue, identifier: str, base_uri: str) -> list[Triple]:
    """Build one LGSL service as a cpsv:PublicService. Raises ``NotFound``."""
    return services_triples(catalogue, [catalogue.get_service(identifier)], base_uri)


def services_triples(
    catalogue: Catalogue, services: Sequence[r.ItemRecord], base_uri: str
) -> list[Triple]:
    """Build the public services of one page of LGSL services."""
    graph = _GraphBuilder(catalogue, base_uri)
    for service in services:
        graph.add_service(service)
    return graph.finish()


def serialize(triples: Iterable[Triple], media_type: str) -> bytes:
    """Serialize triples in the RDF format of ``media_type`` (parameters such as charset ignored).

    Raises ``ValueError`` for a media type not in ``MEDIA_TYPES``.
    """
    essence = media_type.split(";", 1)[0].strip().lower()
    rdf_format = MEDIA_TYPES.get(essence)
    if rdf_format is None:
        supported = ", ".join(MEDIA_TYPES)
        raise ValueError(f"Unsupported RDF media type {media_type!r}. Use one of: {supported}.")
    prefixes = PREFIXES if rdf_format in _PREFIXED_FORMATS else None
    output = pyoxigraph.serialize(triples, format=rdf_format, prefixes=prefixes)
    if output is None:
        raise RuntimeError("pyoxigraph.serialize returned no bytes although no output was given")
    return output


@lru_cache(maxsize=16384)
def _segment(value: str) -> str:
    """Return ``value`` percent-encoded as one URI path segment (a "/" is encoded too)."""
    return quote(value, safe="")


def _english(text: str) -> Literal:
    return Literal(text, language=ENGLISH)


def _slug(name: str) -> str:
    """Return a URI path segment for a publisher name, ignoring text in brackets."""
    head = name.split("(", 1)[0]
    return re.sub(r"[^a-z0-9]+", "-", head.lower()).strip("-") or "publisher"


class _GraphBuilder:
    """Collects the triples of one response graph, grouped by subject for compact Turtle.

    ``add_*`` methods describe a resource in full. ``finish`` then describes the nodes they
    point to: a stub (type, labels, scheme) for each concept not described in full, and every
    list, status, publisher, organisation, licence and datatype used. Each triple appears once.
    """

    def __init__(self, catalogue: Catalogue, base_uri: str) -> None:
        if not base_uri.endswith("/"):
            raise ValueError(f"The base URI {base_uri!r} must end with '/'.")
        self.catalogue = catalogue
        self.base = base_uri
        self._by_subject: dict[NamedNode, list[Triple]] = {}
        self._concept_nodes: dict[tuple[str, str], NamedNode] = {}
        self._described_concepts: set[tuple[str, str]] = set()
        self._referenced_concepts: dict[tuple[str, str], r.ItemRecord] = {}
        self._described_lists: set[str] = set()
        self._referenced_lists: set[str] = set()
        self._statuses: set[str] = set()
        self._publishers: dict[str, str] = {}
        self._organisations: dict[str, r.ItemRecord | None] = {}
        self._licences: set[str] = set()
        self._datatypes: dict[str, str] = {}

    # URIs

    def scheme_node(self, list_id: str) -> NamedNode:
        return NamedNode(f"{self.base}lists/{_segment(list_id)}")

    def concept_node(self, item: r.ItemRecord) -> NamedNode:
        key = (item.list_id, item.identifier)
        node = self._concept_nodes.get(key)
        if node is None:
            list_part = _segment(item.list_id)
            node = NamedNode(f"{self.base}lists/{list_part}/{_segment(item.identifier)}")
            self._concept_nodes[key] = node
        return node

    def service_node(self, identifier: str) -> NamedNode:
        return NamedNode(f"{self.base}services/{_segment(identifier)}")

    def status_node(self, status: str) -> NamedNode:
        self._statuses.add(status)
        return NamedNode(f"{self.base}statuses/{_segment(status)}")

    def publisher_node(self, name: str, slug: str | None = None) -> NamedNode:
        slug = slug or _slug(name)
        self._publishers.setdefault(slug, name)
        return NamedNode(f"{self.base}agents/{slug}")

    def organisation_node(self, tier: r.ItemRecord | None) -> NamedNode:
        """Return the organisation of a providing tier, or of any local authority for None."""
        slug = ANY_LOCAL_AUTHORITY if tier is None else tier.identifier
        self._organisations[slug] = tier
        return NamedNode(f"{self.base}organisations/{_segment(slug)}")

    def datatype_node(self, slug: str, label: str) -> NamedNode:
        self._datatypes[slug] = label
        return NamedNode(f"{self.base}datatypes/{slug}")

    def reference_list(self, list_id: str) -> NamedNode:
        self._referenced_lists.add(list_id)
        return self.scheme_node(list_id)

    def reference_concept(self, item: r.ItemRecord) -> NamedNode:
        self._referenced_concepts[(item.list_id, item.identifier)] = item
        return self.concept_node(item)

    # Triples

    def add(self, subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> None:
        triple = Triple(subject, predicate, obj)
        triples = self._by_subject.get(subject)
        if triples is None:
            self._by_subject[subject] = [triple]
        else:
            triples.append(triple)

    def add_catalogue(self) -> None:
        """Describe the dcat:Catalog that contains every list as a dataset."""
        catalogue = self.catalogue
        node = NamedNode(f"{self.base}catalogue")
        self.add(node, RDF.type, DCAT.Catalog)
        self.add(node, DCT.title, _english(CATALOGUE_TITLE))
        self.add(node, DCT.description, _english(CATALOGUE_DESCRIPTION))
        publisher = f"Operator of the servicelist catalogue at {self.base}"
        self.add(node, DCT.publisher, self.publisher_node(publisher, CATALOGUE_PUBLISHER_SLUG))
        self.add(node, DCT.license, self.licence_node(CATALOGUE_LICENCE_URL))
        self.add(node, OWL.versionInfo, Literal(catalogue.version))
        self.add(node, DCT.modified, Literal(catalogue.loaded_at, datatype=XSD.dateTime))
        for list_id in catalogue.lists:
            self.add(node, DCAT.dataset, self.reference_list(list_id))

    def licence_node(self, url: str) -> NamedNode:
        self._licences.add(url)
        return NamedNode(url)

    def add_list(self, record: r.ListRecord) -> None:
        """Describe one list as a dcat:Dataset and skos:ConceptScheme, with licence and rights.

        The dct:rights node is a dct:RightsStatement. Its rdfs:label is the licence name, its
        dct:description the rights text, and its rdfs:comment the attribution users must show.
        """
        self._described_lists.add(record.id)
        node = self.scheme_node(record.id)
        self.add(node, RDF.type, DCAT.Dataset)
        self.add(node, RDF.type, SKOS.ConceptScheme)
        self.add(node, DCT.title, _english(record.title))
        self.add(node, SKOS.prefLabel, _english(record.title))
        self.add(node, DCT.description, _english(record.description))
        self.add(node, DCT.identifier, Literal(record.id))
        self.add(node, DCT.publisher, self.publisher_node(record.publisher))
        self.add(node, OWL.versionInfo, Literal(record.version))
        self.add(node, DCT.modified, Literal(record.modified, datatype=XSD.date))
        self.add(node, ADMS.status, self.status_node(record.status))
        self.add(node, DCT.license, self.licence_node(record.licence_url))
        self.add(node, DCT.source, NamedNode(record.source_url))

        rights = NamedNode(f"{node.value}#rights")
        self.add(node, DCT.rights, rights)
        self.add(rights, RDF.type, DCT.RightsStatement)
        self.add(rights, RDFS.label, _english(record.licence))
        self.add(rights, DCT.description, _english(record.rights))
        self.add(rights, RDFS.comment, _english(record.attribution))

        provenance = NamedNode(f"{node.value}#provenance")
        self.add(node, DCT.provenance, provenance)
        self.add(provenance, RDF.type, DCT.ProvenanceStatement)
        self.add(provenance, RDFS.label, _english(record.source))

    def add_concept(self, item: r.ItemRecord) -> None:
        """Describe one item as a skos:Concept of its list's scheme."""
        self._described_concepts.add((item.list_id, item.identifier))
        node = self.concept_node(item)
        scheme = self.reference_list(item.list_id)
        self.add(node, RDF.type, SKOS.Concept)
        for language, label in item.labels.items():
            self.add(node, SKOS.prefLabel, Literal(label, language=language))
        for language, description in item.descriptions.items():
            self.add(node, SKOS.definition, Literal(description, language=language))
        self.add(node, SKOS.notation, Literal(item.identifier))
        self.add(node, SKOS.inScheme, scheme)

        if item.parent is None:
            self.add(node, SKOS.topConceptOf, scheme)
            self.add(scheme, SKOS.hasTopConcept, node)
        else:
            parent = self.catalogue.parent(item)
            if parent is not None:
                self.add(node, SKOS.broader, self.reference_concept(parent))
        for child in self.catalogue.children(item):
            self.add(node, SKOS.narrower, self.reference_concept(child))

        record = self.catalogue.lists.get(item.list_id)
        if record is not None and record.esd_uri_pattern:
            self.add(node, SKOS.exactMatch, NamedNode(_esd_uri(record, item)))
        if item.created:
            self.add(node, DCT.created, Literal(item.created, datatype=XSD.date))
        if item.modified:
            self.add(node, DCT.modified, Literal(item.modified, datatype=XSD.date))
        self.add(node, ADMS.status, self.status_node(item.status))
        if item.history_notes:
            self.add(node, SKOS.historyNote, _english(item.history_notes))

        short_name = item.properties.get("short_name")
        if item.list_id == r.INTERACTIONS and short_name:
            self.add(node, SKOS.altLabel, _english(str(short_name)))
        if item.list_id == r.COUNCILS:
            self._add_council_details(node, item)

    def _add_council_details(self, node: NamedNode, item: r.ItemRecord) -> None:
        for key, datatype, label in COUNCIL_CODES:
            code = item.properties.get(key)
            if code:
                notation = Literal(str(code), datatype=self.datatype_node(datatype, label))
                self.add(node, SKOS.notation, notation)
        homepage = item.properties.get("homepage_url")
        if homepage:
            try:
                self.add(node, FOAF.homepage, NamedNode(str(homepage)))
            except ValueError as error:
                _log_invalid_homepage(item.identifier, str(homepage), error)
        for related in self.catalogue.related(item, r.TIERS):
            if related.link.relation == r.HAS_TIER:
                self.add(node, DCT.type, self.reference_concept(related.item))

    def add_service(self, service: r.ItemRecord) -> None:
        """Describe one LGSL service as a cpsv:PublicService.

        Only live links become classifications: a discontinued mapping no longer holds.
        """
        node = self.service_node(service.identifier)
        concept = self.reference_concept(service)
        self.add(node, RDF.type, CPSV.PublicService)
        self.add(node, DCT.identifier, Literal(service.identifier))
        for language, label in service.labels.items():
            self.add(node, DCT.title, Literal(label, language=language))
        if service.descriptions:
            for language, description in service.descriptions.items():
                self.add(node, DCT.description, Literal(description, language=language))
        else:
            self.add(node, DCT.description, _english(MISSING_SERVICE_DESCRIPTION))

        tiers: list[r.ItemRecord] = []
        linked: list[tuple[NamedNode, r.ItemRecord]] = []
        for related in self.catalogue.related(service):
            if related.link.status != r.STATUS_LIVE:
                continue
            predicate = SERVICE_LINK_PROPERTIES.get((related.item.list_id, related.link.relation))
            if predicate is None:
                continue
            linked.append((predicate, related.item))
            if related.item.list_id == r.TIERS:
                tiers.append(related.item)

        if tiers:
            for tier in tiers:
                self.add(node, CV.hasCompetentAuthority, self.organisation_node(tier))
        else:
            self.add(node, CV.hasCompetentAuthority, self.organisation_node(None))
        self.add(node, CV.isClassifiedBy, concept)
        for predicate, other in linked:
            self.add(node, predicate, self.reference_concept(other))

        record = self.catalogue.lists.get(r.SERVICES)
        if record is not None and record.esd_uri_pattern:
            self.add(node, SKOS.exactMatch, NamedNode(_esd_uri(record, service)))
        self.add(node, ADMS.status, self.status_node(service.status))
        self.add(node, DCT.isPartOf, self.reference_list(r.SERVICES))
        self.add(node, PROV.wasDerivedFrom, concept)

    # Nodes that other triples point to

    def finish(self) -> list[Triple]:
        """Describe every referenced node the graph lacks and return all triples."""
        self._add_organisations()
        self._add_concept_stubs()
        for list_id in sorted(self._referenced_lists - self._described_lists):
            record = self.catalogue.lists.get(list_id)
            if record is not None:
                self.add_list(record)
        self._add_statuses()
        self._add_publishers()
        for url in sorted(self._licences):
            self.add(NamedNode(url), RDF.type, DCT.LicenseDocument)
        for slug, label in sorted(self._datatypes.items()):
            datatype = NamedNode(f"{self.base}datatypes/{slug}")
            self.add(datatype, RDF.type, RDFS.Datatype)
            self.add(datatype, RDFS.label, _english(label))
        return [triple for triples in self._by_subject.values() for triple in triples]

    def _add_organisations(self) -> None:
        """Describe the cv:PublicOrganisation of each tier a service points to.

        Each is a placeholder for whichever council of that tier serves a given area, because
        the lists name no single organisation per service.
        """
        if not self._organisations:
            return
        for slug, tier in sorted(self._organisations.items()):
            node = NamedNode(f"{self.base}organisations/{_segment(slug)}")
            self.add(node, RDF.type, CV.PublicOrganisation)
            self.add(node, DCT.spatial, UNITED_KINGDOM)
            if tier is None:
                label = "UK local authority"
                description = (
                    "The local authority that serves a given area, for services whose "
                    "providing tier GOV.UK does not record."
                )
            else:
                label = tier.label
                description = f"The {tier.label.lower()} that serves a given area."
            self.add(node, SKOS.prefLabel, _english(label))
            self.add(node, DCT.description, _english(description))
            if tier is not None:
                self.add(node, ORG.classification, self.reference_concept(tier))
        self.add(UNITED_KINGDOM, RDF.type, DCT.Location)
        self.add(UNITED_KINGDOM, SKOS.prefLabel, _english("United Kingdom"))

    def _add_concept_stubs(self) -> None:
        """Type and label every concept the graph points to but does not describe."""
        for key, item in self._referenced_concepts.items():
            if key in self._described_concepts:
                continue
            node = self.concept_node(item)
            self.add(node, RDF.type, SKOS.Concept)
            for language, label in item.labels.items():
                self.add(node, SKOS.prefLabel, Literal(label, language=language))
            self.add(node, SKOS.inScheme, self.scheme_node(item.list_id))

    def _add_statuses(self) -> None:
        if not self._statuses:
            return
        scheme = NamedNode(f"{self.base}statuses")
        self.add(scheme, RDF.type, SKOS.ConceptScheme)
        self.add(scheme, DCT.title, _english("Statuses of lists and their entries"))
        for status in sorted(self._statuses):
            node = self.status_node(status)
            self.add(node, RDF.type, SKOS.Concept)
            self.add(node, SKOS.prefLabel, _english(STATUS_LABELS.get(status, status)))
            definition = STATUS_DEFINITIONS.get(status)
            if definition:
                self.add(node, SKOS.definition, _english(definition))
            self.add(node, SKOS.notation, Literal(status))
            self.add(node, SKOS.inScheme, scheme)
            self.add(node, SKOS.topConceptOf, scheme)
            self.add(scheme, SKOS.hasTopConcept, node)

    def _add_publishers(self) -> None:
        """Describe each publisher as a foaf:Agent with one dct:identifier, as CPSV-AP requires."""
        for slug, name in sorted(self._publishers.items()):
            node = NamedNode(f"{self.base}agents/{slug}")
            self.add(node, RDF.type, FOAF.Agent)
            self.add(node, RDF.type, FOAF.Organization)
            self.add(node, DCT.title, _english(name))
            self.add(node, FOAF.name, _english(name))
            self.add(node, DCT.identifier, Literal(slug))


# Invalid homepages already logged. Graphs are built per request, so each is logged once.
_logged_homepages: set[str] = set()


def _log_invalid_homepage(council: str, homepage: str, error: ValueError) -> None:
    if homepage in _logged_homepages:
        return
    _logged_homepages.add(homepage)
    log.warning(
        "council homepage is not a valid IRI; left out of the RDF",
        extra={"council": council, "homepage": homepage, "error": str(error)},
    )


def _esd_uri(record: r.ListRecord, item: r.ItemRecord) -> str:
    return (record.esd_uri_pattern or "").replace("{id}", _segment(item.identifier))
