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

From the lists that servicelist authors, each public service gets its ABC class, audiences and
life events as CPSV-AP properties, a ``cv:Channel`` per channel with opening hours and costs per
contact, and a process map. Process maps and costs per contact have no CPSV-AP class, so they
use servicelist's process vocabulary (``process_vocabulary.ttl``, namespace
``{base}vocab/process#``) and schema.org. Opening hours and costs equal to a channel's defaults,
and steps equal to a template's step except perhaps in duration, are nodes under the channel or
template concept, shared by every service that uses them. Values of one service that differ get
their own nodes under ``{base}services/{id}/``. With the bundled lists the full catalogue has
about 118,000 triples, and one set of nodes per service would add an estimated 500,000 more.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import pyoxigraph
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple

from servicelist.catalogue.durations import total_duration
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
    PROCESS_PREFIX,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TIME,
    XSD,
    process_namespace,
    process_vocabulary,
)
from servicelist.errors import NotFound
from servicelist.lists import records as r

__all__ = [
    "MEDIA_TYPES",
    "Triple",
    "catalogue_triples",
    "item_triples",
    "items_triples",
    "list_triples",
    "lists_triples",
    "process_shapes_turtle",
    "process_triples",
    "process_vocabulary_turtle",
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
    "esd functions, the navigation list (LGNL), local authority tiers and UK councils, and the "
    "lists servicelist authors for them: ABC classes, contact channels, audiences, life events "
    "and process templates. Each list is a SKOS concept scheme; each LGSL service is also a "
    "CPSV-AP public service with its channels and process map."
)
CATALOGUE_PUBLISHER_SLUG = "servicelist"

# The organisation a service points to when GOV.UK records no providing tier for it.
ANY_LOCAL_AUTHORITY = "uk-local-authority"

STATUS_LABELS = {
    r.STATUS_LIVE: "Live",
    r.STATUS_DISCONTINUED: "Discontinued",
    r.STATUS_RETIRED: "Retired",
}
STATUS_DEFINITIONS = {
    r.STATUS_LIVE: "In use and maintained by its publisher.",
    r.STATUS_DISCONTINUED: "No longer maintained by its publisher, but kept for reference.",
    r.STATUS_RETIRED: "No longer in the list since a later release; kept so that its identifier "
    "stays valid, and never reused.",
}

# The property that links a public service to an item of another list, by that item's list and
# the relation of the link.
SERVICE_LINK_PROPERTIES = {
    (r.INTERACTIONS, r.HAS_INTERACTION): CV.isClassifiedBy,
    (r.NAVIGATION, r.CONTAINS): CV.isClassifiedBy,
    (r.TIERS, r.PROVIDED_BY): CV.isClassifiedBy,
    (r.FUNCTIONS, r.CONTAINS): CV.thematicArea,
    (r.ABC_CLASSES, r.HAS_ABC_CLASS): CV.isClassifiedBy,
    (r.AUDIENCES, r.HAS_AUDIENCE): DCT.audience,
    (r.LIFE_EVENTS, r.CONTAINS): CV.isGroupedBy,
}

# EU Publications Office language authority table entries (ISO 639-2/T codes) for the BCP 47
# language tags a UK council's channel may serve, with their English names.
LANGUAGE_AUTHORITY = "http://publications.europa.eu/resource/authority/language/"
LANGUAGES = {
    "en": ("ENG", "English"),
    "cy": ("CYM", "Welsh"),
    "gd": ("GLA", "Scottish Gaelic"),
    "ga": ("GLE", "Irish"),
}

_LANGUAGE_NODES = {
    tag: NamedNode(LANGUAGE_AUTHORITY + authority_code)
    for tag, (authority_code, _name) in LANGUAGES.items()
}

# EU Publications Office frequency authority table entry, the cv:frequency of weekly hours.
WEEKLY = NamedNode("http://publications.europa.eu/resource/authority/frequency/WEEKLY")
FREQUENCY_SCHEME = NamedNode("http://publications.europa.eu/resource/authority/frequency")

# ISO 8601 weekday abbreviations, as the authored channel hours use them.
WEEKDAYS = {
    "Mo": (SCHEMA.Monday, "Monday"),
    "Tu": (SCHEMA.Tuesday, "Tuesday"),
    "We": (SCHEMA.Wednesday, "Wednesday"),
    "Th": (SCHEMA.Thursday, "Thursday"),
    "Fr": (SCHEMA.Friday, "Friday"),
    "Sa": (SCHEMA.Saturday, "Saturday"),
    "Su": (SCHEMA.Sunday, "Sunday"),
}

# NOTE: the authored hours write the end of the day as 24:00, but rdflib 7.6 marks the xsd:time
# "24:00:00" ill-typed, so SHACL datatype checks would reject it. Closing at 24:00 is written as
# 23:59:59, one second early. The dct:description of the hours keeps 24:00.
END_OF_DAY = "24:00"
END_OF_DAY_TIME = "23:59:59"

# The base URI that process_vocabulary.ttl and process_shapes.ttl write in place of the real one.
# The top-level domain .invalid is reserved, so this can never name a real resource.
PLACEHOLDER_BASE_URI = "http://servicelist.invalid/"
PROCESS_VOCABULARY_FILE = "process_vocabulary.ttl"
PROCESS_SHAPES_FILE = "process_shapes.ttl"

COST_PER_CONTACT_DESCRIPTION = (
    "Average cost to the council of handling one customer contact on this channel, in "
    "{currency}. It is not a fee the customer pays. Source: {source}"
)

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


def process_triples(catalogue: Catalogue, identifier: str, base_uri: str) -> list[Triple]:
    """Build the process map of one LGSL service with its steps.

    Raises ``NotFound`` for an unknown service or one without a process map.
    """
    service = catalogue.get_service(identifier)
    graph = _GraphBuilder(catalogue, base_uri)
    if not graph.add_process_map(service):
        raise NotFound(f"Service {identifier} has no process map in this catalogue.")
    return graph.finish()


def process_vocabulary_turtle(base_uri: str) -> bytes:
    """Return the process vocabulary as Turtle, with its namespace under ``base_uri``.

    Raises ``ValueError`` when ``base_uri`` does not end with "/" or is not an absolute IRI.
    """
    return _render_with_base(PROCESS_VOCABULARY_FILE, base_uri)


def process_shapes_turtle(base_uri: str) -> bytes:
    """Return the SHACL shapes of process maps, costs and opening hours as Turtle.

    Raises ``ValueError`` when ``base_uri`` does not end with "/" or is not an absolute IRI.
    """
    return _render_with_base(PROCESS_SHAPES_FILE, base_uri)


@lru_cache(maxsize=8)
def _render_with_base(name: str, base_uri: str) -> bytes:
    process_namespace(base_uri)
    NamedNode(base_uri)
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return text.replace(PLACEHOLDER_BASE_URI, base_uri).encode("utf-8")


def serialize(triples: Iterable[Triple], media_type: str, base_uri: str | None = None) -> bytes:
    """Serialize triples in the RDF format of ``media_type`` (parameters such as charset ignored).

    With ``base_uri``, Turtle and RDF/XML also declare the prefix ``process:`` for the process
    vocabulary under that base URI. Raises ``ValueError`` for a media type not in
    ``MEDIA_TYPES``.
    """
    essence = media_type.split(";", 1)[0].strip().lower()
    rdf_format = MEDIA_TYPES.get(essence)
    if rdf_format is None:
        supported = ", ".join(MEDIA_TYPES)
        raise ValueError(f"Unsupported RDF media type {media_type!r}. Use one of: {supported}.")
    prefixes: dict[str, str] | None = None
    if rdf_format in _PREFIXED_FORMATS:
        prefixes = dict(PREFIXES)
        if base_uri is not None:
            prefixes[PROCESS_PREFIX] = process_namespace(base_uri)
    output = pyoxigraph.serialize(triples, format=rdf_format, prefixes=prefixes)
    if output is None:
        raise RuntimeError("pyoxigraph.serialize returned no bytes although no output was given")
    return output


@lru_cache(maxsize=16384)
def _segment(value: str) -> str:
    """Return ``value`` percent-encoded as one URI path segment (a "/" is encoded too)."""
    return quote(value, safe="")


@lru_cache(maxsize=64)
def _total_duration(durations: tuple[str, ...]) -> str:
    """Return the sum of ISO 8601 durations, cached because few step lists repeat many times."""
    return total_duration(durations)


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
    list, status, publisher, organisation, licence, datatype, language, opening hours, cost and
    process step used. Each triple appears once.
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
        self._languages: set[str] = set()
        self._weekly_hours: dict[NamedNode, Sequence[Mapping[str, Any]]] = {}
        self._hours_exceptions: dict[NamedNode, Sequence[Mapping[str, Any]]] = {}
        self._costs: dict[NamedNode, Mapping[str, Any]] = {}
        self._steps: dict[NamedNode, Mapping[str, Any]] = {}
        self._shared_channel_parts: dict[tuple[str, str], NamedNode] = {}
        process = process_vocabulary(base_uri)
        self.process = process
        self._office_tiers = {"front": process.front, "mid": process.mid, "back": process.back}
        self._channel_roles = {
            "intake": process.intake,
            "delivery": process.delivery,
            "none": process.noChannel,
        }

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
        if record.source_url:
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
        front_line = item.properties.get("front_line")
        if item.list_id == r.ABC_CLASSES and front_line:
            self.add(node, SKOS.scopeNote, _english(str(front_line)))
        if item.list_id == r.LIFE_EVENTS:
            self._add_event_details(node, item)
        if item.list_id == r.PROCESS_TEMPLATES:
            self.add(node, RDF.type, self.process.ProcessMap)
            for step in item.properties.get("steps") or []:
                self.add(node, self.process.hasStep, self.step_node(item, step, None))

    def _add_event_details(self, node: NamedNode, item: r.ItemRecord) -> None:
        """Type a life-events concept as the cv:Event that CPSV-AP's cv:isGroupedBy requires.

        The Event shape requires one dct:identifier and a dct:title.
        """
        self.add(node, RDF.type, CV.Event)
        kind = item.properties.get("kind")
        self.add(node, RDF.type, CV.BusinessEvent if kind == "business" else CV.LifeEvent)
        self.add(node, DCT.identifier, Literal(item.identifier))
        for language, label in item.labels.items():
            self.add(node, DCT.title, Literal(label, language=language))
        for language, description in item.descriptions.items():
            self.add(node, DCT.description, Literal(description, language=language))

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
        channels: list[tuple[r.ItemRecord, r.LinkRecord]] = []
        for related in self.catalogue.related(service):
            if related.link.status != r.STATUS_LIVE:
                continue
            key = (related.item.list_id, related.link.relation)
            if key == (r.CHANNELS, r.HAS_CHANNEL):
                channels.append((related.item, related.link))
                continue
            predicate = SERVICE_LINK_PROPERTIES.get(key)
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

        languages: set[str] = set()
        for channel, link in channels:
            languages.update(self._add_channel(node, service, channel, link))
        for code in sorted(languages):
            linguistic_system = self.language_node(code)
            if linguistic_system is not None:
                self.add(node, DCT.language, linguistic_system)
        self.add_process_map(service)

    # Channels of a service

    def _add_channel(
        self,
        service_node: NamedNode,
        service: r.ItemRecord,
        channel: r.ItemRecord,
        link: r.LinkRecord,
    ) -> list[str]:
        """Describe the cv:Channel through which one service is offered on one channel.

        Returns the language tags the channel serves in, which the service gets too.
        """
        node = NamedNode(f"{service_node.value}/channels/{_segment(channel.identifier)}")
        properties = link.properties
        defaults = channel.properties
        self.add(service_node, CV.hasChannel, node)
        self.add(node, RDF.type, CV.Channel)
        self.add(node, DCT.identifier, Literal(f"{service.identifier}-{channel.identifier}"))
        self.add(node, DCT.type, self.reference_concept(channel))
        if link.note:
            self.add(node, DCT.description, _english(link.note))

        hours: list[tuple[NamedNode, NamedNode]] = []
        weekly = properties.get("opening_hours") or []
        if weekly:
            schedule = self._channel_part(
                node, channel, "opening-hours", weekly == defaults.get("opening_hours")
            )
            self._weekly_hours[schedule] = weekly
            hours.append((CV.openingHours, schedule))
        exceptions = properties.get("hours_exceptions") or []
        if exceptions:
            schedule = self._channel_part(
                node, channel, "hours-exceptions", exceptions == defaults.get("hours_exceptions")
            )
            self._hours_exceptions[schedule] = exceptions
            hours.append((CV.specialOpeningHoursSpecification, schedule))
        for predicate, schedule in hours:
            self.add(node, predicate, schedule)

        languages = [str(code) for code in properties.get("languages") or []]
        for code in languages:
            linguistic_system = self.language_node(code)
            if linguistic_system is not None:
                self.add(node, DCT.language, linguistic_system)

        default_costs = defaults.get("cost_per_contact") or []
        for cost in properties.get("cost_per_contact") or []:
            suffix = f"costs/{_segment(str(cost.get('currency', '')))}"
            amount = self._channel_part(node, channel, suffix, cost in default_costs)
            self._costs[amount] = cost
            self.add(node, self.process.costPerContact, amount)

        self._add_contact_point(service_node, node, service, properties, hours)
        return languages

    def _channel_part(
        self, channel_node: NamedNode, channel: r.ItemRecord, suffix: str, shared: bool
    ) -> NamedNode:
        """Return the node of a channel's hours, hours exceptions or cost per contact.

        Values equal to the channel's defaults share one node under the channel concept, so
        that the full catalogue describes them once and not once per service.
        """
        if not shared:
            return NamedNode(f"{channel_node.value}/{suffix}")
        key = (channel.identifier, suffix)
        node = self._shared_channel_parts.get(key)
        if node is None:
            node = NamedNode(f"{self.concept_node(channel).value}/{suffix}")
            self._shared_channel_parts[key] = node
        return node

    def _add_contact_point(
        self,
        service_node: NamedNode,
        channel_node: NamedNode,
        service: r.ItemRecord,
        properties: Mapping[str, Any],
        hours: Sequence[tuple[NamedNode, NamedNode]],
    ) -> None:
        """Describe the cv:ContactPoint of a service's channel, when it has a URL, phone or email.

        CPSV-AP's Channel has no properties for them, but its ContactPoint has.
        """
        url, phone, email = (properties.get(key) for key in ("url", "phone", "email"))
        if not (url or phone or email):
            return
        node = NamedNode(f"{channel_node.value}/contact-point")
        self.add(service_node, CV.contactPoint, node)
        self.add(channel_node, CV.contactPoint, node)
        self.add(node, RDF.type, CV.ContactPoint)
        if phone:
            self.add(node, CV.telephone, Literal(str(phone)))
        if email:
            self.add(node, CV.email, Literal(str(email)))
        if url:
            try:
                page = NamedNode(str(url))
            except ValueError as error:
                _log_invalid_iri("channel URL", service.identifier, str(url), error)
            else:
                self.add(node, CV.contactPage, page)
                self.add(page, RDF.type, FOAF.Document)
        for predicate, schedule in hours:
            self.add(node, predicate, schedule)

    def language_node(self, code: str) -> NamedNode | None:
        """Return the EU language authority entry for a BCP 47 tag, or None when it has none.

        Only the primary language subtag counts, because the EU table has no regional variants:
        "en-GB" is English.
        """
        language = code.lower().split("-", 1)[0]
        node = _LANGUAGE_NODES.get(language)
        if node is None:
            _log_unknown_language(code)
            return None
        self._languages.add(language)
        return node

    # Process maps

    def add_process_map(self, service: r.ItemRecord) -> bool:
        """Describe the process map of one service, or return False when it has none.

        Its cv:processingTime is the sum of the expected durations of its steps.
        """
        found = next(
            (
                related
                for related in self.catalogue.related(service, r.PROCESS_TEMPLATES)
                if related.link.relation == r.FOLLOWS_PROCESS
                and related.link.status == r.STATUS_LIVE
            ),
            None,
        )
        if found is None:
            return False
        template, link = found.item, found.link
        process = self.process
        service_node = self.service_node(service.identifier)
        node = NamedNode(f"{service_node.value}/process")
        self.add(service_node, process.hasProcessMap, node)
        self.add(node, RDF.type, process.ProcessMap)
        self.add(node, process.template, self.reference_concept(template))
        for predicate, key in (
            (process.intakeChannel, "intake_channel"),
            (process.deliveryChannel, "delivery_channel"),
        ):
            channel = self.catalogue.find_item(r.CHANNELS, str(link.properties.get(key) or ""))
            if channel is not None:
                self.add(node, predicate, self.reference_concept(channel))
        if link.note:
            self.add(node, DCT.description, _english(link.note))

        steps = link.properties.get("steps") or template.properties.get("steps") or []
        for step in steps:
            self.add(node, process.hasStep, self.step_node(template, step, service.identifier))
        if steps:
            duration = _total_duration(tuple(str(step["duration"]) for step in steps))
            self.add(service_node, CV.processingTime, Literal(duration, datatype=XSD.duration))
        return True

    def step_node(
        self, template: r.ItemRecord, step: Mapping[str, Any], service_identifier: str | None
    ) -> NamedNode:
        """Return the node of one step, shared with the template where the step allows it.

        A step equal to the template's step is ``{template}/steps/{order}``, one that differs
        only in its duration (the authored durations depend on the ABC class) is
        ``{template}/steps/{order}/{duration}``, and any other is the service's own
        ``{base}services/{id}/process/steps/{order}``.
        """
        order = int(step["order"])
        shared = f"{self.concept_node(template).value}/steps/{order}"
        template_steps = template.properties.get("steps") or []
        default = template_steps[order - 1] if 0 < order <= len(template_steps) else None
        if service_identifier is None or step == default:
            uri = shared
        elif default is not None and step == {**default, "duration": step.get("duration")}:
            uri = f"{shared}/{_segment(str(step['duration']))}"
        else:
            uri = f"{self.base}services/{_segment(service_identifier)}/process/steps/{order}"
        node = NamedNode(uri)
        self._steps[node] = step
        return node

    # Nodes that other triples point to

    def finish(self) -> list[Triple]:
        """Describe every referenced node the graph lacks and return all triples."""
        self._add_organisations()
        self._add_opening_hours()
        self._add_costs()
        self._add_steps()
        self._add_languages()
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
            if item.list_id == r.LIFE_EVENTS:
                self._add_event_details(node, item)

    def _add_opening_hours(self) -> None:
        """Describe each weekly schedule and each set of hours exceptions the graph points to.

        CPSV-AP 3.2.0 requires cv:openingHours and cv:specialOpeningHoursSpecification to be
        time:TemporalEntity nodes, which it describes only in text (dct:description) and by
        cv:frequency. Each such node therefore has the hours as text and, as its dct:hasPart,
        one schema:OpeningHoursSpecification per day or date.
        """
        for node, entries in self._weekly_hours.items():
            self._add_weekly_hours(node, entries)
        if self._weekly_hours:
            self.add(WEEKLY, RDF.type, SKOS.Concept)
            self.add(WEEKLY, SKOS.prefLabel, _english("weekly"))
            self.add(WEEKLY, SKOS.inScheme, FREQUENCY_SCHEME)
        for node, entries in self._hours_exceptions.items():
            self._add_hours_exceptions(node, entries)

    def _add_weekly_hours(self, node: NamedNode, entries: Sequence[Mapping[str, Any]]) -> None:
        self.add(node, RDF.type, TIME.TemporalEntity)
        self.add(node, CV.frequency, WEEKLY)
        texts: list[str] = []
        for entry in entries:
            day = str(entry["day"])
            day_term, day_name = WEEKDAYS[day]
            opens, closes = str(entry["opens"]), str(entry["closes"])
            slug = f"{day}-{opens.replace(':', '')}-{closes.replace(':', '')}"
            part = NamedNode(f"{node.value}/{_segment(slug)}")
            self.add(node, DCT.hasPart, part)
            self.add(part, RDF.type, SCHEMA.OpeningHoursSpecification)
            self.add(part, SCHEMA.dayOfWeek, day_term)
            self._add_times(part, opens, closes)
            texts.append(f"{day_name} {opens} to {closes}")
        text = "Open " + "; ".join(texts) + "."
        if len({str(entry["day"]) for entry in entries}) < len(WEEKDAYS):
            text += " Closed on the other days."
        self.add(node, DCT.description, _english(text))

    def _add_hours_exceptions(self, node: NamedNode, entries: Sequence[Mapping[str, Any]]) -> None:
        """Describe dated exceptions. A date without opening times is closed all day.

        schema.org reads an opening hours specification without schema:opens as closed.
        """
        self.add(node, RDF.type, TIME.TemporalEntity)
        texts: list[str] = []
        for entry in entries:
            day = str(entry["date"])
            part = NamedNode(f"{node.value}/{_segment(day)}")
            self.add(node, DCT.hasPart, part)
            self.add(part, RDF.type, SCHEMA.OpeningHoursSpecification)
            self.add(part, SCHEMA.validFrom, Literal(day, datatype=XSD.date))
            self.add(part, SCHEMA.validThrough, Literal(day, datatype=XSD.date))
            if entry.get("opens") and entry.get("closes"):
                opens, closes = str(entry["opens"]), str(entry["closes"])
                self._add_times(part, opens, closes)
                text = f"{day} open {opens} to {closes}"
            else:
                text = f"{day} closed"
            if entry.get("reason"):
                reason = str(entry["reason"])
                self.add(part, DCT.description, _english(reason))
                text = f"{text} ({reason})"
            texts.append(text)
        description = "Exceptions to the weekly opening hours: " + "; ".join(texts) + "."
        self.add(node, DCT.description, _english(description))

    def _add_times(self, part: NamedNode, opens: str, closes: str) -> None:
        closes_time = END_OF_DAY_TIME if closes == END_OF_DAY else f"{closes}:00"
        self.add(part, SCHEMA.opens, Literal(f"{opens}:00", datatype=XSD.time))
        self.add(part, SCHEMA.closes, Literal(closes_time, datatype=XSD.time))

    def _add_costs(self) -> None:
        """Describe each cost per contact as a schema:MonetaryAmount.

        These are benchmarks of what a contact costs the council, not fees, so they are not
        CPSV-AP cv:Cost nodes, which the profile defines as costs for the citizen or business.
        """
        for node, cost in self._costs.items():
            currency = str(cost.get("currency", ""))
            self.add(node, RDF.type, SCHEMA.MonetaryAmount)
            amount = _decimal_amount(cost.get("amount"))
            if amount is not None:
                self.add(node, SCHEMA.value, Literal(amount, datatype=XSD.decimal))
            self.add(node, SCHEMA.currency, Literal(currency))
            description = COST_PER_CONTACT_DESCRIPTION.format(
                currency=currency, source=cost.get("source") or "not recorded"
            )
            self.add(node, DCT.description, _english(description))

    def _add_steps(self) -> None:
        process = self.process
        for node, step in self._steps.items():
            self.add(node, RDF.type, process.ProcessStep)
            self.add(node, process.order, Literal(int(step["order"])))
            self.add(node, DCT.title, _english(str(step.get("label", ""))))
            if step.get("description"):
                self.add(node, DCT.description, _english(str(step["description"])))
            tier = self._office_tiers.get(str(step.get("office_tier")))
            if tier is not None:
                self.add(node, process.officeTier, tier)
            if step.get("actor_role"):
                self.add(node, process.actorRole, _english(str(step["actor_role"])))
            if step.get("duration"):
                duration = Literal(str(step["duration"]), datatype=XSD.duration)
                self.add(node, process.expectedDuration, duration)
            if step.get("manual") is not None:
                self.add(node, process.manual, Literal(bool(step["manual"])))
            role = self._channel_roles.get(str(step.get("channel_role")))
            if role is not None:
                self.add(node, process.channelRole, role)

    def _add_languages(self) -> None:
        for code in sorted(self._languages):
            authority_code, name = LANGUAGES[code]
            node = NamedNode(LANGUAGE_AUTHORITY + authority_code)
            self.add(node, RDF.type, DCT.LinguisticSystem)
            self.add(node, SKOS.prefLabel, _english(name))
            self.add(node, SKOS.notation, Literal(authority_code))

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


# Invalid channel URLs and unknown language tags already logged, each once per process.
_logged_values: set[tuple[str, str]] = set()


def _log_invalid_iri(kind: str, service: str, value: str, error: ValueError) -> None:
    if (kind, value) in _logged_values:
        return
    _logged_values.add((kind, value))
    log.warning(
        "%s %r of service %s is not a valid IRI, so it is left out of the RDF",
        kind,
        value,
        service,
        extra={"service": service, "value": value, "error": str(error)},
    )


def _log_unknown_language(code: str) -> None:
    if ("language", code) in _logged_values:
        return
    _logged_values.add(("language", code))
    log.warning(
        "language tag %r has no EU language authority entry, so it is left out of the RDF. "
        "Add it to rdf.LANGUAGES to publish it.",
        code,
        extra={"language": code},
    )


def _decimal_amount(amount: object) -> str | None:
    """Return an amount of money as an xsd:decimal lexical form with at least two decimals.

    The authored lists store amounts as JSON numbers, so 27.50 arrives as the float 27.5.
    Returns None for a value that is not a finite number.
    """
    if isinstance(amount, bool) or not isinstance(amount, int | float | str | Decimal):
        return None
    try:
        value = Decimal(repr(amount) if isinstance(amount, float) else str(amount))
    except InvalidOperation:
        return None
    if not value.is_finite():
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(Decimal("0.01"))
    return str(value)


def _esd_uri(record: r.ListRecord, item: r.ItemRecord) -> str:
    return (record.esd_uri_pattern or "").replace("{id}", _segment(item.identifier))
