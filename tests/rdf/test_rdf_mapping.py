"""The RDF mapping of the bundled lists: CPSV-AP 3.2.0 conformance, formats and content.

Every test builds from the real bundled lists. The graphs are checked with rdflib and pyshacl
(test dependencies only) and with pyoxigraph, which the service itself uses.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from servicelist.catalogue import rdf
from servicelist.catalogue.snapshot import Catalogue
from servicelist.catalogue.vocabulary import DCT, PREFIXES, PROCESS, process_vocabulary
from servicelist.catalogue.vocabulary import Namespace as VocabularyNamespace
from servicelist.errors import NotFound
from servicelist.lists import records as r
from servicelist.lists.sources import read_bundled_lists
from servicelist.settings import default_data_dir
from tests.rdf.helpers import BASE, concept, parse, service

# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally (rdflib 7.6).
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SHAPES_PATH = Path(__file__).resolve().parent.parent / "data" / "cpsv-ap-3.2.0-shacl.ttl"

CPSV = ns.Namespace("http://purl.org/vocab/cpsv#")
CV = ns.Namespace("http://data.europa.eu/m8g/")
ADMS = ns.Namespace("http://www.w3.org/ns/adms#")


def validate(graph: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, str]:
    conforms, _report, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    return bool(conforms), str(text)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    bundle = read_bundled_lists(default_data_dir())
    return Catalogue.build(bundle, version="test", loaded_at="2026-12-04T00:00:00Z")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(SHAPES_PATH, format="turtle")


@pytest.fixture(scope="module")
def triples(catalogue: Catalogue) -> list[pyoxigraph.Triple]:
    return rdf.catalogue_triples(catalogue, BASE)


@pytest.fixture(scope="module")
def turtle(triples: list[pyoxigraph.Triple]) -> bytes:
    return rdf.serialize(triples, "text/turtle")


@pytest.fixture(scope="module")
def graph(turtle: bytes) -> rdflib.Graph:
    return parse(turtle, "text/turtle")


# CPSV-AP 3.2.0 shapes


def test_catalogue_conforms_to_shapes(graph: rdflib.Graph, shapes: rdflib.Graph) -> None:
    conforms, report = validate(graph, shapes)
    assert conforms, report


def test_catalogue_has_shape_targets(graph: rdflib.Graph) -> None:
    # The conformance test means something only if the shapes' target classes occur.
    assert len(set(graph.subjects(ns.RDF.type, CPSV.PublicService))) == 1567
    assert len(set(graph.subjects(ns.RDF.type, ns.DCAT.Dataset))) == 11
    assert set(graph.subjects(ns.RDF.type, CV.PublicOrganisation))
    assert set(graph.subjects(ns.RDF.type, ns.FOAF.Agent))
    assert set(graph.subjects(ns.RDF.type, ns.DCTERMS.Location))


def test_shapes_reject_service_without_description(
    catalogue: Catalogue, shapes: rdflib.Graph
) -> None:
    graph = parse(
        rdf.serialize(rdf.service_triples(catalogue, "372", BASE), "text/turtle"), "text/turtle"
    )
    graph.remove((service("372"), ns.DCTERMS.description, None))

    conforms, report = validate(graph, shapes)

    assert not conforms
    assert "description" in report


def test_shapes_reject_untyped_classification(catalogue: Catalogue, shapes: rdflib.Graph) -> None:
    graph = parse(
        rdf.serialize(rdf.service_triples(catalogue, "372", BASE), "text/turtle"), "text/turtle"
    )
    graph.remove((concept("interactions", "17"), ns.RDF.type, ns.SKOS.Concept))

    conforms, _report = validate(graph, shapes)

    assert not conforms


# Formats


@pytest.mark.parametrize(
    "media_type", ["application/n-triples", "application/rdf+xml", "application/ld+json"]
)
def test_format_isomorphic_to_turtle(
    triples: list[pyoxigraph.Triple], graph: rdflib.Graph, media_type: str
) -> None:
    other = parse(rdf.serialize(triples, media_type), media_type)

    assert len(other) == len(graph)
    assert isomorphic(other, graph)


@pytest.mark.parametrize("media_type", list(rdf.MEDIA_TYPES))
def test_format_parses_in_pyoxigraph(triples: list[pyoxigraph.Triple], media_type: str) -> None:
    data = rdf.serialize(triples, media_type)

    parsed = {quad.triple for quad in pyoxigraph.parse(data, rdf.MEDIA_TYPES[media_type])}

    assert parsed == set(triples)


def test_catalogue_has_no_duplicate_triples(triples: list[pyoxigraph.Triple]) -> None:
    assert len(set(triples)) == len(triples)


def test_jsonld_has_no_context(triples: list[pyoxigraph.Triple]) -> None:
    document = json.loads(rdf.serialize(triples, "application/ld+json"))

    assert isinstance(document, list)
    assert all("@context" not in node for node in document)


def test_turtle_uses_prefixes(turtle: bytes) -> None:
    head = turtle[:2000].decode()

    for prefix, iri in PREFIXES.items():
        assert f"@prefix {prefix}: <{iri}>" in head


def test_serialize_accepts_media_type_parameters(catalogue: Catalogue) -> None:
    triples = rdf.service_triples(catalogue, "372", BASE)

    output = rdf.serialize(triples, "text/turtle; charset=utf-8")

    assert output == rdf.serialize(triples, "text/turtle")


def test_serialize_rejects_unknown_media_type(catalogue: Catalogue) -> None:
    triples = rdf.service_triples(catalogue, "372", BASE)

    with pytest.raises(ValueError, match="text/html"):
        rdf.serialize(triples, "text/html")


# Services


def test_service_372_fields(graph: rdflib.Graph) -> None:
    node = service("372")

    assert (node, ns.RDF.type, CPSV.PublicService) in graph
    assert list(graph.objects(node, ns.DCTERMS.title)) == [Literal("Abandoned vehicles", lang="en")]
    assert list(graph.objects(node, ns.DCTERMS.identifier)) == [Literal("372")]
    descriptions = list(graph.objects(node, ns.DCTERMS.description))
    assert len(descriptions) == 1
    assert isinstance(descriptions[0], Literal)
    assert descriptions[0].startswith("The local council will deal with any vehicles")
    assert descriptions[0].language == "en"
    assert list(graph.objects(node, ns.SKOS.exactMatch)) == [
        URIRef("http://id.esd.org.uk/service/372")
    ]


def test_service_372_links(graph: rdflib.Graph) -> None:
    node = service("372")
    classified = set(graph.objects(node, CV.isClassifiedBy))

    assert concept("services", "372") in classified
    assert concept("interactions", "17") in classified
    assert concept("navigation", "115") in classified
    assert concept("tiers", "district") in classified
    assert set(graph.objects(node, CV.thematicArea)) == {concept("functions", "40")}
    assert set(graph.objects(node, CV.hasCompetentAuthority)) == {
        URIRef(f"{BASE}organisations/district"),
        URIRef(f"{BASE}organisations/unitary"),
    }
    assert (node, ns.DCTERMS.isPartOf, URIRef(f"{BASE}lists/services")) in graph
    assert list(graph.objects(node, ADMS.status)) == [URIRef(f"{BASE}statuses/live")]


def test_untiered_service_has_generic_authority(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    untiered = [
        item for item in catalogue.items[r.SERVICES] if not catalogue.related(item, r.TIERS)
    ]
    assert untiered

    node = service(untiered[0].identifier)

    assert list(graph.objects(node, CV.hasCompetentAuthority)) == [
        URIRef(f"{BASE}organisations/uk-local-authority")
    ]


def test_missing_description_gets_fixed_text(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    missing = [item for item in catalogue.items[r.SERVICES] if not item.descriptions]
    assert len(missing) == 14

    for item in missing:
        assert list(graph.objects(service(item.identifier), ns.DCTERMS.description)) == [
            Literal(rdf.MISSING_SERVICE_DESCRIPTION, lang="en")
        ]
        assert not list(graph.objects(concept(r.SERVICES, item.identifier), ns.SKOS.definition))


def test_every_service_has_one_identifier(graph: rdflib.Graph) -> None:
    for node in graph.subjects(ns.RDF.type, CPSV.PublicService):
        assert len(list(graph.objects(node, ns.DCTERMS.identifier))) == 1, node


def test_discontinued_links_not_classifications(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    discontinued = [
        link
        for link in catalogue.links
        if link.status == r.STATUS_DISCONTINUED and link.object_list == r.SERVICES
    ]
    assert discontinued

    for link in discontinued:
        heading = concept(link.subject_list, link.subject_id)
        node = service(link.object_id)
        assert (node, CV.isClassifiedBy, heading) not in graph
        assert (node, CV.thematicArea, heading) not in graph


# Concept schemes


def test_function_hierarchy(graph: rdflib.Graph) -> None:
    assert (concept("functions", "2"), ns.SKOS.broader, concept("functions", "1")) in graph
    assert (concept("functions", "1"), ns.SKOS.narrower, concept("functions", "2")) in graph
    assert (
        concept("functions", "1"),
        ns.SKOS.topConceptOf,
        URIRef(f"{BASE}lists/functions"),
    ) in graph


def test_navigation_concepts_have_broader(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    headings = catalogue.items[r.NAVIGATION]
    scheme = URIRef(f"{BASE}lists/navigation")
    nested_ids = {item.identifier for item in headings if item.parent is not None}
    assert nested_ids
    third_level = [item for item in headings if item.parent in nested_ids]
    assert third_level

    for item in headings:
        node = concept(r.NAVIGATION, item.identifier)
        if item.parent is None:
            assert (node, ns.SKOS.topConceptOf, scheme) in graph
            assert not list(graph.objects(node, ns.SKOS.broader))
        else:
            assert (node, ns.SKOS.broader, concept(r.NAVIGATION, item.parent)) in graph


def test_concept_fields(graph: rdflib.Graph) -> None:
    node = concept("services", "372")

    assert (node, ns.RDF.type, ns.SKOS.Concept) in graph
    assert (node, ns.SKOS.prefLabel, Literal("Abandoned vehicles", lang="en")) in graph
    assert (node, ns.SKOS.notation, Literal("372")) in graph
    assert (node, ns.SKOS.inScheme, URIRef(f"{BASE}lists/services")) in graph
    assert (node, ns.SKOS.exactMatch, URIRef("http://id.esd.org.uk/service/372")) in graph
    assert (node, ns.DCTERMS.created, Literal("2013-04-03", datatype=ns.XSD.date)) in graph
    assert list(graph.objects(node, ns.SKOS.historyNote))
    assert list(graph.objects(node, ns.SKOS.definition))


def test_every_label_has_language(graph: rdflib.Graph) -> None:
    predicates = (ns.SKOS.prefLabel, ns.SKOS.definition, ns.DCTERMS.title, ns.DCTERMS.description)
    for predicate in predicates:
        for value in graph.objects(None, predicate):
            assert isinstance(value, Literal) and value.language, (predicate, value)


def test_council_codes_and_parent(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    child = next(item for item in catalogue.items[r.COUNCILS] if item.parent is not None)
    node = concept(r.COUNCILS, child.identifier)

    assert (node, ns.SKOS.broader, concept(r.COUNCILS, child.parent or "")) in graph
    gss = Literal(child.properties["gss"], datatype=URIRef(f"{BASE}datatypes/gss-code"))
    assert (node, ns.SKOS.notation, gss) in graph
    tier = concept(r.TIERS, child.properties["tier"])
    assert (node, ns.DCTERMS.type, tier) in graph


def test_exact_match_needs_esd_pattern(graph: rdflib.Graph) -> None:
    assert not list(graph.objects(concept(r.TIERS, "county"), ns.SKOS.exactMatch))
    assert not list(graph.objects(concept(r.COUNCILS, "1"), ns.SKOS.exactMatch))


# Lists and catalogue


def test_every_dataset_has_licence_and_rights(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    for record in catalogue.lists.values():
        node = URIRef(f"{BASE}lists/{record.id}")
        assert (node, ns.RDF.type, ns.DCAT.Dataset) in graph
        assert (node, ns.DCTERMS.license, URIRef(record.licence_url)) in graph
        assert (URIRef(record.licence_url), ns.RDF.type, ns.DCTERMS.LicenseDocument) in graph
        rights = list(graph.objects(node, ns.DCTERMS.rights))
        assert len(rights) == 1
        assert (rights[0], ns.DCTERMS.description, Literal(record.rights, lang="en")) in graph
        assert (rights[0], ns.RDFS.comment, Literal(record.attribution, lang="en")) in graph


def test_catalogue_lists_every_dataset(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    node = URIRef(f"{BASE}catalogue")

    assert (node, ns.RDF.type, ns.DCAT.Catalog) in graph
    assert set(graph.objects(node, ns.DCAT.dataset)) == {
        URIRef(f"{BASE}lists/{list_id}") for list_id in catalogue.lists
    }
    assert list(graph.objects(node, ns.DCTERMS.license))
    assert list(graph.objects(node, ns.DCTERMS.publisher))


def test_navigation_list_is_discontinued(graph: rdflib.Graph) -> None:
    node = URIRef(f"{BASE}lists/navigation")

    assert list(graph.objects(node, ADMS.status)) == [URIRef(f"{BASE}statuses/discontinued")]


# Partial graphs


PARTIAL_GRAPHS: dict[str, Callable[[Catalogue], list[pyoxigraph.Triple]]] = {
    "service": lambda catalogue: rdf.service_triples(catalogue, "372", BASE),
    "services page": lambda catalogue: rdf.services_triples(
        catalogue, catalogue.items[r.SERVICES][:100], BASE
    ),
    "service item": lambda catalogue: rdf.item_triples(catalogue, r.SERVICES, "372", BASE),
    "function item": lambda catalogue: rdf.item_triples(catalogue, r.FUNCTIONS, "2", BASE),
    "council item": lambda catalogue: rdf.item_triples(catalogue, r.COUNCILS, "1", BASE),
    "services items page": lambda catalogue: rdf.items_triples(
        catalogue, r.SERVICES, catalogue.items[r.SERVICES][:50], BASE
    ),
    "navigation items page": lambda catalogue: rdf.items_triples(
        catalogue, r.NAVIGATION, catalogue.items[r.NAVIGATION][:50], BASE
    ),
    "lists": lambda catalogue: rdf.lists_triples(catalogue, BASE),
    "services list": lambda catalogue: rdf.list_triples(catalogue, r.SERVICES, BASE),
    "navigation list": lambda catalogue: rdf.list_triples(catalogue, r.NAVIGATION, BASE),
}


@pytest.mark.parametrize("name", list(PARTIAL_GRAPHS))
def test_partial_graph_parses_and_conforms(
    catalogue: Catalogue, shapes: rdflib.Graph, name: str
) -> None:
    triples = PARTIAL_GRAPHS[name](catalogue)
    assert triples

    for media_type in rdf.MEDIA_TYPES:
        data = rdf.serialize(triples, media_type)
        parsed = {quad.triple for quad in pyoxigraph.parse(data, rdf.MEDIA_TYPES[media_type])}
        assert parsed == set(triples), media_type
        assert len(parse(data, media_type)) == len(triples), media_type

    conforms, report = validate(parse(rdf.serialize(triples, "text/turtle"), "text/turtle"), shapes)
    assert conforms, report


def test_partial_graphs_subset_catalogue(
    catalogue: Catalogue, triples: list[pyoxigraph.Triple]
) -> None:
    everything = set(triples)

    for name, build in PARTIAL_GRAPHS.items():
        assert set(build(catalogue)) <= everything, name


def test_service_graph_describes_its_dataset(catalogue: Catalogue) -> None:
    graph = parse(
        rdf.serialize(rdf.service_triples(catalogue, "372", BASE), "text/turtle"), "text/turtle"
    )
    dataset = URIRef(f"{BASE}lists/services")

    assert (dataset, ns.RDF.type, ns.DCAT.Dataset) in graph
    assert list(graph.objects(dataset, ns.DCTERMS.license))
    assert list(graph.objects(dataset, ns.DCTERMS.rights))


def test_services_page_has_only_its_services(catalogue: Catalogue) -> None:
    page = catalogue.items[r.SERVICES][:10]
    graph = parse(
        rdf.serialize(rdf.services_triples(catalogue, page, BASE), "text/turtle"), "text/turtle"
    )

    assert set(graph.subjects(ns.RDF.type, CPSV.PublicService)) == {
        service(item.identifier) for item in page
    }


def test_list_graph_has_every_item(catalogue: Catalogue) -> None:
    graph = parse(
        rdf.serialize(rdf.list_triples(catalogue, r.FUNCTIONS, BASE), "text/turtle"), "text/turtle"
    )
    scheme = URIRef(f"{BASE}lists/functions")

    assert len(set(graph.subjects(ns.SKOS.inScheme, scheme))) == 113
    assert len(set(graph.objects(scheme, ns.SKOS.hasTopConcept))) == 13


@pytest.mark.parametrize("list_id", [r.SERVICES, r.NAVIGATION, r.COUNCILS])
def test_items_page_equals_item_graphs(catalogue: Catalogue, list_id: str) -> None:
    page = catalogue.items[list_id][:40]

    triples = rdf.items_triples(catalogue, list_id, page, BASE)

    assert len(set(triples)) == len(triples)
    expected = {
        triple
        for item in page
        for triple in rdf.item_triples(catalogue, list_id, item.identifier, BASE)
    }
    assert set(triples) == expected


def test_items_page_rejects_other_list(catalogue: Catalogue) -> None:
    functions = catalogue.items[r.FUNCTIONS][:1]

    with pytest.raises(ValueError, match="belongs to the functions list"):
        rdf.items_triples(catalogue, r.SERVICES, functions, BASE)


def test_unknown_item_raises_not_found(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound):
        rdf.item_triples(catalogue, r.FUNCTIONS, "999999", BASE)
    with pytest.raises(NotFound):
        rdf.service_triples(catalogue, "999999", BASE)
    with pytest.raises(NotFound):
        rdf.list_triples(catalogue, "no-such-list", BASE)


def test_base_uri_without_slash_rejected(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="must end with '/'"):
        rdf.lists_triples(catalogue, "http://127.0.0.1:8000")


# Vocabulary


def test_vocabulary_rejects_unknown_term() -> None:
    with pytest.raises(AttributeError):
        getattr(DCT, "titel")  # noqa: B009 - the attribute name is deliberately wrong


def test_vocabulary_rejects_new_term() -> None:
    with pytest.raises(AttributeError):
        setattr(DCT, "titel", pyoxigraph.NamedNode("http://purl.org/dc/terms/titel"))  # noqa: B010


def test_vocabulary_terms_are_named_nodes() -> None:
    assert DCT.title == pyoxigraph.NamedNode("http://purl.org/dc/terms/title")
    assert "title" in DCT.TERMS
    for namespace in VocabularyNamespace.__subclasses__():
        # PROCESS is the one template namespace: its terms get IRIs only once bound.
        bound = process_vocabulary(BASE) if namespace is PROCESS else namespace
        assert bound.IRI, namespace
        assert bound.TERMS == namespace.TERMS
        for term in namespace.TERMS:
            assert getattr(bound, term) == pyoxigraph.NamedNode(bound.IRI + term)


def test_invalid_homepage_left_out(caplog: pytest.LogCaptureFixture) -> None:
    bundle = read_bundled_lists(default_data_dir())
    council = next(item for item in bundle.items if item.list_id == r.COUNCILS)
    broken = replace(council, properties={**council.properties, "homepage_url": "not a uri"})
    bundle.items = [broken if item is council else item for item in bundle.items]
    catalogue = Catalogue.build(bundle, version="test", loaded_at="2026-12-04T00:00:00Z")

    with caplog.at_level(logging.WARNING, logger="servicelist.catalogue.rdf"):
        triples = rdf.item_triples(catalogue, r.COUNCILS, council.identifier, BASE)

    graph = parse(rdf.serialize(triples, "text/turtle"), "text/turtle")
    assert not list(graph.objects(concept(r.COUNCILS, council.identifier), ns.FOAF.homepage))
    assert "not a valid IRI" in caplog.text
