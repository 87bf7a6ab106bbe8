"""The RDF mapping of the bundled lists: CPSV-AP 3.2.0 conformance, formats and content.

Every test builds from the real bundled lists. The graphs are checked with rdflib and pyshacl
(test dependencies only) and with pyoxigraph, which the service itself uses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
import rdflib
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, SKOS, Namespace

from servicelist.catalogue import rdf
from servicelist.catalogue.snapshot import Catalogue
from servicelist.catalogue.vocabulary import DCT, PREFIXES
from servicelist.catalogue.vocabulary import Namespace as VocabularyNamespace
from servicelist.errors import NotFound
from servicelist.lists import records as r
from servicelist.lists.sources import read_bundled_lists
from servicelist.settings import default_data_dir

BASE = "http://127.0.0.1:8000/"
SHAPES_PATH = Path(__file__).resolve().parent.parent / "data" / "cpsv-ap-3.2.0-shacl.ttl"

CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
ADMS = Namespace("http://www.w3.org/ns/adms#")

RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}


def concept(list_id: str, identifier: str) -> URIRef:
    return URIRef(f"{BASE}lists/{list_id}/{identifier}")


def service(identifier: str) -> URIRef:
    return URIRef(f"{BASE}services/{identifier}")


def parse(data: bytes, media_type: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=data, format=RDFLIB_FORMATS[media_type])


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
    assert len(set(graph.subjects(RDF.type, CPSV.PublicService))) == 1567
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == 6
    assert set(graph.subjects(RDF.type, CV.PublicOrganisation))
    assert set(graph.subjects(RDF.type, rdflib.FOAF.Agent))
    assert set(graph.subjects(RDF.type, DCTERMS.Location))


def test_shapes_reject_service_without_description(
    catalogue: Catalogue, shapes: rdflib.Graph
) -> None:
    graph = parse(
        rdf.serialize(rdf.service_triples(catalogue, "372", BASE), "text/turtle"), "text/turtle"
    )
    graph.remove((service("372"), DCTERMS.description, None))

    conforms, report = validate(graph, shapes)

    assert not conforms
    assert "description" in report


def test_shapes_reject_untyped_classification(catalogue: Catalogue, shapes: rdflib.Graph) -> None:
    graph = parse(
        rdf.serialize(rdf.service_triples(catalogue, "372", BASE), "text/turtle"), "text/turtle"
    )
    graph.remove((concept("interactions", "17"), RDF.type, SKOS.Concept))

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

    assert (node, RDF.type, CPSV.PublicService) in graph
    assert list(graph.objects(node, DCTERMS.title)) == [Literal("Abandoned vehicles", lang="en")]
    assert list(graph.objects(node, DCTERMS.identifier)) == [Literal("372")]
    descriptions = list(graph.objects(node, DCTERMS.description))
    assert len(descriptions) == 1
    assert descriptions[0].startswith("The local council will deal with any vehicles")
    assert descriptions[0].language == "en"
    assert list(graph.objects(node, SKOS.exactMatch)) == [
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
    assert (node, DCTERMS.isPartOf, URIRef(f"{BASE}lists/services")) in graph
    assert list(graph.objects(node, ADMS.status)) == [URIRef(f"{BASE}statuses/live")]


def test_service_without_tier_has_generic_authority(
    catalogue: Catalogue, graph: rdflib.Graph
) -> None:
    untiered = [
        item for item in catalogue.items[r.SERVICES] if not catalogue.related(item, r.TIERS)
    ]
    assert untiered

    node = service(untiered[0].identifier)

    assert list(graph.objects(node, CV.hasCompetentAuthority)) == [
        URIRef(f"{BASE}organisations/uk-local-authority")
    ]


def test_services_without_description_get_fixed_text(
    catalogue: Catalogue, graph: rdflib.Graph
) -> None:
    missing = [item for item in catalogue.items[r.SERVICES] if not item.descriptions]
    assert len(missing) == 14

    for item in missing:
        assert list(graph.objects(service(item.identifier), DCTERMS.description)) == [
            Literal(rdf.MISSING_SERVICE_DESCRIPTION, lang="en")
        ]
        assert not list(graph.objects(concept(r.SERVICES, item.identifier), SKOS.definition))


def test_every_service_has_one_identifier(graph: rdflib.Graph) -> None:
    for node in graph.subjects(RDF.type, CPSV.PublicService):
        assert len(list(graph.objects(node, DCTERMS.identifier))) == 1, node


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
    assert (concept("functions", "2"), SKOS.broader, concept("functions", "1")) in graph
    assert (concept("functions", "1"), SKOS.narrower, concept("functions", "2")) in graph
    assert (concept("functions", "1"), SKOS.topConceptOf, URIRef(f"{BASE}lists/functions")) in graph


def test_navigation_concepts_have_broader(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    headings = catalogue.items[r.NAVIGATION]
    nested = [item for item in headings if item.parent is not None]
    assert nested

    for item in nested:
        assert (
            concept(r.NAVIGATION, item.identifier),
            SKOS.broader,
            concept(r.NAVIGATION, item.parent),
        ) in graph
    third_level = [item for item in nested if catalogue.parent(item).parent is not None]  # type: ignore[union-attr]
    assert third_level


def test_concept_fields(graph: rdflib.Graph) -> None:
    node = concept("services", "372")

    assert (node, RDF.type, SKOS.Concept) in graph
    assert (node, SKOS.prefLabel, Literal("Abandoned vehicles", lang="en")) in graph
    assert (node, SKOS.notation, Literal("372")) in graph
    assert (node, SKOS.inScheme, URIRef(f"{BASE}lists/services")) in graph
    assert (node, SKOS.exactMatch, URIRef("http://id.esd.org.uk/service/372")) in graph
    assert (node, DCTERMS.created, Literal("2013-04-03", datatype=XSD.date)) in graph
    assert list(graph.objects(node, SKOS.historyNote))
    assert list(graph.objects(node, SKOS.definition))


def test_every_label_has_language(graph: rdflib.Graph) -> None:
    predicates = (SKOS.prefLabel, SKOS.definition, DCTERMS.title, DCTERMS.description)
    for predicate in predicates:
        for value in graph.objects(None, predicate):
            assert isinstance(value, Literal) and value.language, (predicate, value)


def test_council_codes_and_parent(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    child = next(item for item in catalogue.items[r.COUNCILS] if item.parent is not None)
    node = concept(r.COUNCILS, child.identifier)

    assert (node, SKOS.broader, concept(r.COUNCILS, child.parent or "")) in graph
    gss = Literal(child.properties["gss"], datatype=URIRef(f"{BASE}datatypes/gss-code"))
    assert (node, SKOS.notation, gss) in graph
    tier = concept(r.TIERS, child.properties["tier"])
    assert (node, DCTERMS.type, tier) in graph


def test_concepts_without_esd_pattern_have_no_exact_match(graph: rdflib.Graph) -> None:
    assert not list(graph.objects(concept(r.TIERS, "county"), SKOS.exactMatch))
    assert not list(graph.objects(concept(r.COUNCILS, "1"), SKOS.exactMatch))


# Lists and catalogue


def test_every_dataset_has_licence_and_rights(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    for record in catalogue.lists.values():
        node = URIRef(f"{BASE}lists/{record.id}")
        assert (node, RDF.type, DCAT.Dataset) in graph
        assert (node, DCTERMS.license, URIRef(record.licence_url)) in graph
        assert (URIRef(record.licence_url), RDF.type, DCTERMS.LicenseDocument) in graph
        rights = list(graph.objects(node, DCTERMS.rights))
        assert len(rights) == 1
        assert (rights[0], DCTERMS.description, Literal(record.rights, lang="en")) in graph
        assert (rights[0], rdflib.RDFS.comment, Literal(record.attribution, lang="en")) in graph


def test_catalogue_lists_every_dataset(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    node = URIRef(f"{BASE}catalogue")

    assert (node, RDF.type, DCAT.Catalog) in graph
    assert set(graph.objects(node, DCAT.dataset)) == {
        URIRef(f"{BASE}lists/{list_id}") for list_id in catalogue.lists
    }
    assert list(graph.objects(node, DCTERMS.license))
    assert list(graph.objects(node, DCTERMS.publisher))


def test_discontinued_list_has_discontinued_status(graph: rdflib.Graph) -> None:
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


def test_partial_graphs_are_parts_of_catalogue(
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

    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert list(graph.objects(dataset, DCTERMS.license))
    assert list(graph.objects(dataset, DCTERMS.rights))


def test_services_page_has_only_its_services(catalogue: Catalogue) -> None:
    page = catalogue.items[r.SERVICES][:10]
    graph = parse(
        rdf.serialize(rdf.services_triples(catalogue, page, BASE), "text/turtle"), "text/turtle"
    )

    assert set(graph.subjects(RDF.type, CPSV.PublicService)) == {
        service(item.identifier) for item in page
    }


def test_list_graph_has_every_item(catalogue: Catalogue) -> None:
    graph = parse(
        rdf.serialize(rdf.list_triples(catalogue, r.FUNCTIONS, BASE), "text/turtle"), "text/turtle"
    )
    scheme = URIRef(f"{BASE}lists/functions")

    assert len(set(graph.subjects(SKOS.inScheme, scheme))) == 113
    assert len(set(graph.objects(scheme, SKOS.hasTopConcept))) == 13


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
        for term in namespace.TERMS:
            assert getattr(namespace, term) == pyoxigraph.NamedNode(namespace.IRI + term)
