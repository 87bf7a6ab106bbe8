"""The RDF of the authored lists: channels, opening hours, costs, life events and process maps.

Every test builds from the real bundled lists. The process vocabulary and its SHACL shapes are
rendered for the test base URI, and graphs are checked with rdflib and pyshacl (test
dependencies only) as in ``test_rdf_mapping.py``.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph
import pyshacl
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from servicelist.catalogue import rdf
from servicelist.catalogue.durations import total_duration
from servicelist.catalogue.snapshot import Catalogue
from servicelist.catalogue.vocabulary import PROCESS, process_vocabulary
from servicelist.errors import NotFound
from servicelist.lists import records as r
from servicelist.lists.sources import read_bundled_lists
from servicelist.settings import default_data_dir
from tests.rdf.helpers import BASE, concept, parse, service

# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally (rdflib 7.6).
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

CPSV_SHAPES_PATH = Path(__file__).resolve().parent.parent / "data" / "cpsv-ap-3.2.0-shacl.ttl"
CHANNELS_CSV = default_data_dir() / "authored" / "channels.csv"

CPSV = ns.Namespace("http://purl.org/vocab/cpsv#")
CV = ns.Namespace("http://data.europa.eu/m8g/")
SCHEMA = ns.Namespace("https://schema.org/")
TIME = ns.Namespace("http://www.w3.org/2006/time#")
P = ns.Namespace(f"{BASE}vocab/process#")
ENGLISH = URIRef("http://publications.europa.eu/resource/authority/language/ENG")


def to_graph(triples: list[pyoxigraph.Triple]) -> rdflib.Graph:
    return parse(rdf.serialize(triples, "text/turtle", base_uri=BASE), "text/turtle")


def validate(graph: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, str]:
    conforms, _report, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none")
    return bool(conforms), str(text)


def build_catalogue(bundle: r.ListBundle) -> Catalogue:
    return Catalogue.build(bundle, version="test", loaded_at="2026-12-04T00:00:00Z")


def replace_link(bundle: r.ListBundle, link: r.LinkRecord, **properties: Any) -> None:
    """Replace ``link`` in ``bundle`` with a copy whose properties are updated."""
    changed = replace(link, properties={**link.properties, **properties})
    bundle.links = [changed if other is link else other for other in bundle.links]


def service_links(bundle: r.ListBundle, identifier: str, relation: str) -> list[r.LinkRecord]:
    return [
        link
        for link in bundle.links
        if link.subject_list == r.SERVICES
        and link.subject_id == identifier
        and link.relation == relation
    ]


def steps_of(graph: rdflib.Graph, process_map: URIRef) -> dict[int, URIRef]:
    steps: dict[int, URIRef] = {}
    for step in graph.objects(process_map, P.hasStep):
        assert isinstance(step, URIRef)
        orders = list(graph.objects(step, P.order))
        assert len(orders) == 1, step
        assert isinstance(orders[0], Literal)
        steps[int(orders[0].toPython())] = step
    return steps


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return build_catalogue(read_bundled_lists(default_data_dir()))


@pytest.fixture(scope="module")
def cpsv_shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(CPSV_SHAPES_PATH, format="turtle")


@pytest.fixture(scope="module")
def process_shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(data=rdf.process_shapes_turtle(BASE), format="turtle")


@pytest.fixture(scope="module")
def vocabulary() -> rdflib.Graph:
    return rdflib.Graph().parse(data=rdf.process_vocabulary_turtle(BASE), format="turtle")


@pytest.fixture(scope="module")
def triples(catalogue: Catalogue) -> list[pyoxigraph.Triple]:
    return rdf.catalogue_triples(catalogue, BASE)


@pytest.fixture(scope="module")
def graph(triples: list[pyoxigraph.Triple]) -> rdflib.Graph:
    return to_graph(triples)


@pytest.fixture(scope="module")
def service_372(catalogue: Catalogue) -> list[pyoxigraph.Triple]:
    return rdf.service_triples(catalogue, "372", BASE)


# Conformance


def test_catalogue_conforms_to_process_shapes(
    graph: rdflib.Graph, process_shapes: rdflib.Graph
) -> None:
    conforms, report = validate(graph, process_shapes)
    assert conforms, report


def test_catalogue_has_process_shape_targets(graph: rdflib.Graph) -> None:
    # The conformance test means something only if the shapes' targets occur.
    services = set(graph.subjects(ns.RDF.type, CPSV.PublicService))
    maps = set(graph.subjects(P.hasProcessMap, None))
    assert maps == services
    assert len(set(graph.subjects(ns.RDF.type, P.ProcessMap))) == len(services) + 2
    assert set(graph.subjects(ns.RDF.type, P.ProcessStep))
    assert len(set(graph.subjects(ns.RDF.type, CV.Channel))) == 5491
    assert set(graph.subjects(ns.RDF.type, SCHEMA.MonetaryAmount))
    assert set(graph.subjects(ns.RDF.type, SCHEMA.OpeningHoursSpecification))
    assert set(graph.subjects(ns.RDF.type, CV.LifeEvent))
    assert set(graph.subjects(ns.RDF.type, CV.BusinessEvent))


AUTHORED_GRAPHS = {
    "service 372": lambda catalogue: rdf.service_triples(catalogue, "372", BASE),
    "process of 372": lambda catalogue: rdf.process_triples(catalogue, "372", BASE),
    "process of 319": lambda catalogue: rdf.process_triples(catalogue, "319", BASE),
    "abc-classes list": lambda catalogue: rdf.list_triples(catalogue, r.ABC_CLASSES, BASE),
    "channels list": lambda catalogue: rdf.list_triples(catalogue, r.CHANNELS, BASE),
    "audiences list": lambda catalogue: rdf.list_triples(catalogue, r.AUDIENCES, BASE),
    "life-events list": lambda catalogue: rdf.list_triples(catalogue, r.LIFE_EVENTS, BASE),
    "process-templates list": lambda catalogue: rdf.list_triples(
        catalogue, r.PROCESS_TEMPLATES, BASE
    ),
    "life event item": lambda catalogue: rdf.item_triples(
        catalogue, r.LIFE_EVENTS, "having-a-child", BASE
    ),
    "lists": lambda catalogue: rdf.lists_triples(catalogue, BASE),
}


@pytest.mark.parametrize("name", list(AUTHORED_GRAPHS))
def test_authored_graph_conforms(
    catalogue: Catalogue,
    cpsv_shapes: rdflib.Graph,
    process_shapes: rdflib.Graph,
    triples: list[pyoxigraph.Triple],
    name: str,
) -> None:
    part = AUTHORED_GRAPHS[name](catalogue)
    graph = to_graph(part)

    conforms, report = validate(graph, cpsv_shapes)
    assert conforms, report
    conforms, report = validate(graph, process_shapes)
    assert conforms, report
    assert set(part) <= set(triples)


# Vocabulary and shapes files


def test_vocabulary_declares_every_term(vocabulary: rdflib.Graph) -> None:
    terms = process_vocabulary(BASE)

    for term in sorted(terms.TERMS):
        node = URIRef(getattr(terms, term).value)
        labels = list(vocabulary.objects(node, ns.RDFS.label))
        comments = list(vocabulary.objects(node, ns.RDFS.comment))
        assert [label.language for label in labels if isinstance(label, Literal)] == ["en"], term
        assert [text.language for text in comments if isinstance(text, Literal)] == ["en"], term


def test_vocabulary_properties_have_domain_and_range(vocabulary: rdflib.Graph) -> None:
    properties = set(vocabulary.subjects(ns.RDF.type, ns.RDF.Property))
    assert len(properties) == 12

    for node in properties:
        assert len(list(vocabulary.objects(node, ns.RDFS.domain))) == 1, node
        assert len(list(vocabulary.objects(node, ns.RDFS.range))) == 1, node


def test_graph_uses_only_declared_terms(graph: rdflib.Graph, vocabulary: rdflib.Graph) -> None:
    used = {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and term.startswith(str(P))
    }
    assert used

    declared = set(vocabulary.subjects(ns.RDFS.label, None))
    assert used <= declared
    assert {str(term).removeprefix(str(P)) for term in used} <= PROCESS.TERMS


def test_vocabulary_has_base_uri_only() -> None:
    other = "https://services.example.org/catalogue/"

    for text in (rdf.process_vocabulary_turtle(other), rdf.process_shapes_turtle(other)):
        assert b"servicelist.invalid" not in text
        assert f"<{other}vocab/process#>".encode() in text


def test_vocabulary_files_reject_bad_base_uri() -> None:
    with pytest.raises(ValueError, match="must end with '/'"):
        rdf.process_vocabulary_turtle("http://127.0.0.1:8000")
    with pytest.raises(ValueError):
        rdf.process_shapes_turtle("not an iri/")


def test_process_terms_are_closed() -> None:
    terms = process_vocabulary(BASE)

    assert terms.ProcessMap == pyoxigraph.NamedNode(f"{BASE}vocab/process#ProcessMap")
    assert process_vocabulary(BASE) is terms
    with pytest.raises(AttributeError):
        getattr(terms, "processMap")  # noqa: B009 - the attribute name is deliberately wrong
    with pytest.raises(AttributeError):
        setattr(terms, "extra", pyoxigraph.NamedNode(f"{BASE}vocab/process#extra"))  # noqa: B010
    with pytest.raises(AttributeError):
        getattr(PROCESS, "ProcessMap")  # noqa: B009 - the template has no IRIs


def test_serialize_declares_process_prefix(service_372: list[pyoxigraph.Triple]) -> None:
    with_prefix = rdf.serialize(service_372, "text/turtle", base_uri=BASE).decode()
    without_prefix = rdf.serialize(service_372, "text/turtle").decode()

    assert f"@prefix process: <{BASE}vocab/process#>" in with_prefix
    assert "process:hasProcessMap" in with_prefix
    assert "@prefix process:" not in without_prefix
    assert f"<{BASE}vocab/process#hasProcessMap>" in without_prefix


# Shapes reject broken process maps


def test_shapes_reject_step_without_order(
    service_372: list[pyoxigraph.Triple], process_shapes: rdflib.Graph
) -> None:
    graph = to_graph(service_372)
    step = steps_of(graph, URIRef(f"{BASE}services/372/process"))[2]
    graph.remove((step, P.order, None))

    conforms, report = validate(graph, process_shapes)

    assert not conforms
    assert "order" in report


@pytest.mark.parametrize(("order", "problem"), [(1, "repeated order"), (7, "gap")])
def test_shapes_reject_bad_step_order(
    service_372: list[pyoxigraph.Triple], process_shapes: rdflib.Graph, order: int, problem: str
) -> None:
    graph = to_graph(service_372)
    step = steps_of(graph, URIRef(f"{BASE}services/372/process"))[3]
    graph.set((step, P.order, Literal(order)))

    conforms, report = validate(graph, process_shapes)

    assert not conforms, problem
    assert "without gaps or repeats" in report


def test_shapes_reject_unknown_office_tier(
    service_372: list[pyoxigraph.Triple], process_shapes: rdflib.Graph
) -> None:
    graph = to_graph(service_372)
    step = steps_of(graph, URIRef(f"{BASE}services/372/process"))[1]
    graph.set((step, P.officeTier, URIRef(f"{BASE}vocab/process#side")))

    conforms, _report = validate(graph, process_shapes)

    assert not conforms


def test_shapes_reject_second_cost_in_currency(
    service_372: list[pyoxigraph.Triple], process_shapes: rdflib.Graph
) -> None:
    graph = to_graph(service_372)
    channel = URIRef(f"{BASE}services/372/channels/phone")
    extra = URIRef(f"{BASE}services/372/channels/phone/costs/extra")
    graph.add((channel, P.costPerContact, extra))
    graph.add((extra, ns.RDF.type, SCHEMA.MonetaryAmount))
    graph.add((extra, SCHEMA.value, Literal(Decimal("1.00"))))
    graph.add((extra, SCHEMA.currency, Literal("EUR")))
    graph.add((extra, ns.DCTERMS.description, Literal("A second EUR cost", lang="en")))

    conforms, report = validate(graph, process_shapes)

    assert not conforms
    assert "more than one cost per contact in EUR" in report


def test_shapes_reject_half_open_day(
    service_372: list[pyoxigraph.Triple], process_shapes: rdflib.Graph
) -> None:
    graph = to_graph(service_372)
    monday = URIRef(f"{BASE}lists/channels/phone/opening-hours/Mo-0830-1730")
    graph.remove((monday, SCHEMA.closes, None))

    conforms, _report = validate(graph, process_shapes)

    assert not conforms


# Formats


PARTS = {
    "service 372": lambda catalogue: rdf.service_triples(catalogue, "372", BASE),
    "process of 372": lambda catalogue: rdf.process_triples(catalogue, "372", BASE),
}


@pytest.mark.parametrize("name", list(PARTS))
@pytest.mark.parametrize(
    "media_type", ["application/n-triples", "application/rdf+xml", "application/ld+json"]
)
def test_part_isomorphic_to_turtle(catalogue: Catalogue, name: str, media_type: str) -> None:
    triples = PARTS[name](catalogue)
    turtle = parse(rdf.serialize(triples, "text/turtle", base_uri=BASE), "text/turtle")

    other = parse(rdf.serialize(triples, media_type, base_uri=BASE), media_type)

    assert len(other) == len(turtle) == len(triples)
    assert isomorphic(other, turtle)
    assert list(other.objects(service("372"), P.hasProcessMap))


@pytest.mark.parametrize("media_type", list(rdf.MEDIA_TYPES))
def test_catalogue_with_process_prefix_parses(
    triples: list[pyoxigraph.Triple], media_type: str
) -> None:
    # test_rdf_mapping.py compares the rdflib parses of every format; this checks the output
    # with the process: prefix, with pyoxigraph because rdflib needs seconds per format.
    data = rdf.serialize(triples, media_type, base_uri=BASE)

    parsed = {quad.triple for quad in pyoxigraph.parse(data, rdf.MEDIA_TYPES[media_type])}

    assert parsed == set(triples)


def test_catalogue_has_no_duplicate_triples(triples: list[pyoxigraph.Triple]) -> None:
    assert len(set(triples)) == len(triples)


# Services


def test_service_372_abc_class(graph: rdflib.Graph) -> None:
    classes = {
        node
        for node in graph.objects(service("372"), CV.isClassifiedBy)
        if str(node).startswith(f"{BASE}lists/abc-classes/")
    }

    assert classes == {concept(r.ABC_CLASSES, "A")}


def test_service_372_channels(graph: rdflib.Graph) -> None:
    channels = set(graph.objects(service("372"), CV.hasChannel))
    assert channels

    for channel in channels:
        name = str(channel).rsplit("/", 1)[-1]
        assert channel == URIRef(f"{BASE}services/372/channels/{name}")
        assert (channel, ns.RDF.type, CV.Channel) in graph
        assert list(graph.objects(channel, ns.DCTERMS.identifier)) == [Literal(f"372-{name}")]
        assert list(graph.objects(channel, ns.DCTERMS.type)) == [concept(r.CHANNELS, name)]
        assert (concept(r.CHANNELS, name), ns.RDF.type, ns.SKOS.Concept) in graph
        assert list(graph.objects(channel, CV.openingHours))
        assert list(graph.objects(channel, ns.DCTERMS.language)) == [ENGLISH]


def test_service_372_audiences(graph: rdflib.Graph) -> None:
    audiences = set(graph.objects(service("372"), ns.DCTERMS.audience))

    assert audiences
    for audience in audiences:
        assert str(audience).startswith(f"{BASE}lists/audiences/")
        assert (audience, ns.RDF.type, ns.SKOS.Concept) in graph


def test_service_372_languages(graph: rdflib.Graph) -> None:
    assert list(graph.objects(service("372"), ns.DCTERMS.language)) == [ENGLISH]
    assert (ENGLISH, ns.RDF.type, ns.DCTERMS.LinguisticSystem) in graph


def test_service_372_process_map(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    process_map = URIRef(f"{BASE}services/372/process")
    link = next(
        related.link
        for related in catalogue.related(catalogue.get_service("372"), r.PROCESS_TEMPLATES)
    )

    assert list(graph.objects(service("372"), P.hasProcessMap)) == [process_map]
    assert (process_map, ns.RDF.type, P.ProcessMap) in graph
    assert list(graph.objects(process_map, P.template)) == [concept(r.PROCESS_TEMPLATES, "request")]
    intake = link.properties["intake_channel"]
    assert list(graph.objects(process_map, P.intakeChannel)) == [concept(r.CHANNELS, intake)]
    steps = steps_of(graph, process_map)
    assert sorted(steps) == list(range(1, len(link.properties["steps"]) + 1))
    for order, expected in enumerate(link.properties["steps"], start=1):
        step = steps[order]
        assert list(graph.objects(step, ns.DCTERMS.title)) == [
            Literal(expected["label"], lang="en")
        ]
        duration = Literal(expected["duration"], datatype=ns.XSD.duration)
        assert list(graph.objects(step, P.expectedDuration)) == [duration]
        tier = URIRef(f"{BASE}vocab/process#{expected['office_tier']}")
        assert list(graph.objects(step, P.officeTier)) == [tier]
        assert list(graph.objects(step, P.manual)) == [Literal(expected["manual"])]
    total = total_duration(step["duration"] for step in link.properties["steps"])
    assert list(graph.objects(service("372"), CV.processingTime)) == [
        Literal(total, datatype=ns.XSD.duration)
    ]


def test_every_service_has_abc_class_and_process(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    for item in catalogue.items[r.SERVICES]:
        node = service(item.identifier)
        abc = [
            value
            for value in graph.objects(node, CV.isClassifiedBy)
            if str(value).startswith(f"{BASE}lists/abc-classes/")
        ]
        assert len(abc) == 1, item.identifier
        assert len(list(graph.objects(node, P.hasProcessMap))) == 1, item.identifier
        assert list(graph.objects(node, CV.hasChannel)), item.identifier


def test_steps_with_abc_durations_are_shared(graph: rdflib.Graph) -> None:
    template_steps = {
        step
        for step in graph.subjects(ns.RDF.type, P.ProcessStep)
        if str(step).startswith(f"{BASE}lists/process-templates/")
    }

    assert template_steps == set(graph.subjects(ns.RDF.type, P.ProcessStep))
    assert URIRef(f"{BASE}lists/process-templates/request/steps/3/P20D") in template_steps


# Channels: costs and opening hours


def channel_costs() -> list[tuple[str, str, str]]:
    """Return (channel, currency, amount) for every cost in channels.csv."""
    with CHANNELS_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [
        (row["id"], currency, row[f"cost_{currency.lower()}"])
        for row in rows
        for currency in ("EUR", "GBP")
        if row[f"cost_{currency.lower()}"]
    ]


def test_channel_costs_file_has_figures() -> None:
    costs = channel_costs()

    assert ("desk", "EUR", "27.50") in costs
    assert ("desk", "GBP", "8.62") in costs
    assert len(costs) == 6


@pytest.mark.parametrize(("channel", "currency", "amount"), channel_costs())
def test_channel_cost_is_decimal(
    graph: rdflib.Graph, channel: str, currency: str, amount: str
) -> None:
    node = URIRef(f"{BASE}lists/channels/{channel}/costs/{currency}")

    values = list(graph.objects(node, SCHEMA.value))
    assert len(values) == 1
    value = values[0]
    assert isinstance(value, Literal)
    assert value.datatype == ns.XSD.decimal
    assert value.toPython() == Decimal(amount)
    assert list(graph.objects(node, SCHEMA.currency)) == [Literal(currency)]
    assert (node, ns.RDF.type, SCHEMA.MonetaryAmount) in graph
    descriptions = [str(text) for text in graph.objects(node, ns.DCTERMS.description)]
    assert len(descriptions) == 1
    assert "not a fee" in descriptions[0]


def test_desk_channel_points_to_costs(graph: rdflib.Graph) -> None:
    channels = [
        channel
        for channel in graph.subjects(ns.DCTERMS.type, concept(r.CHANNELS, "desk"))
        if (channel, ns.RDF.type, CV.Channel) in graph
    ]
    assert len(channels) == 580

    for channel in channels:
        assert set(graph.objects(channel, P.costPerContact)) == {
            URIRef(f"{BASE}lists/channels/desk/costs/EUR"),
            URIRef(f"{BASE}lists/channels/desk/costs/GBP"),
        }
        assert not list(graph.objects(channel, CV.hasCost))


def test_desk_weekly_hours(graph: rdflib.Graph) -> None:
    hours = URIRef(f"{BASE}lists/channels/desk/opening-hours")

    assert (hours, ns.RDF.type, TIME.TemporalEntity) in graph
    assert list(graph.objects(hours, CV.frequency)) == [
        URIRef("http://publications.europa.eu/resource/authority/frequency/WEEKLY")
    ]
    parts = set(graph.objects(hours, ns.DCTERMS.hasPart))
    assert {next(graph.objects(part, SCHEMA.dayOfWeek)) for part in parts} == {
        SCHEMA.Monday,
        SCHEMA.Tuesday,
        SCHEMA.Wednesday,
        SCHEMA.Thursday,
        SCHEMA.Friday,
    }
    for part in parts:
        assert list(graph.objects(part, SCHEMA.opens)) == [
            Literal("09:00:00", datatype=ns.XSD.time)
        ]
        assert list(graph.objects(part, SCHEMA.closes)) == [
            Literal("17:00:00", datatype=ns.XSD.time)
        ]
    (description,) = graph.objects(hours, ns.DCTERMS.description)
    assert "Monday 09:00 to 17:00" in str(description)
    assert "Closed on the other days." in str(description)


def test_web_open_until_end_of_day(graph: rdflib.Graph) -> None:
    sunday = URIRef(f"{BASE}lists/channels/web/opening-hours/Su-0000-2400")

    assert list(graph.objects(sunday, SCHEMA.closes)) == [Literal("23:59:59", datatype=ns.XSD.time)]
    assert not list(graph.objects(URIRef(f"{BASE}services/372/channels/web"), CV.hasCost))


def test_desk_hours_exceptions(graph: rdflib.Graph) -> None:
    exceptions = URIRef(f"{BASE}lists/channels/desk/hours-exceptions")
    christmas_eve = URIRef(f"{exceptions}/2026-12-24")
    christmas = URIRef(f"{exceptions}/2026-12-25")

    assert (exceptions, ns.DCTERMS.hasPart, christmas_eve) in graph
    day = Literal("2026-12-24", datatype=ns.XSD.date)
    assert list(graph.objects(christmas_eve, SCHEMA.validFrom)) == [day]
    assert list(graph.objects(christmas_eve, SCHEMA.validThrough)) == [day]
    assert list(graph.objects(christmas_eve, SCHEMA.closes)) == [
        Literal("13:00:00", datatype=ns.XSD.time)
    ]
    assert not list(graph.objects(christmas, SCHEMA.opens))
    assert not list(graph.objects(christmas, SCHEMA.closes))
    reasons = [str(reason) for reason in graph.objects(christmas, ns.DCTERMS.description)]
    assert reasons == ["Christmas Day: bank holiday in England and Wales, closed"]


def test_service_with_own_hours_gets_own_nodes(
    cpsv_shapes: rdflib.Graph, process_shapes: rdflib.Graph
) -> None:
    bundle = read_bundled_lists(default_data_dir())
    link = next(
        link for link in service_links(bundle, "372", r.HAS_CHANNEL) if link.object_id == "phone"
    )
    replace_link(
        bundle,
        link,
        opening_hours=[{"day": "Sa", "opens": "10:00", "closes": "12:00"}],
        cost_per_contact=[{"amount": 3, "currency": "EUR", "source": "council survey"}],
    )
    catalogue = build_catalogue(bundle)

    graph = to_graph(rdf.service_triples(catalogue, "372", BASE))

    channel = URIRef(f"{BASE}services/372/channels/phone")
    own_hours = URIRef(f"{channel}/opening-hours")
    assert list(graph.objects(channel, CV.openingHours)) == [own_hours]
    saturday = URIRef(f"{own_hours}/Sa-1000-1200")
    assert (own_hours, ns.DCTERMS.hasPart, saturday) in graph
    assert list(graph.objects(channel, CV.specialOpeningHoursSpecification)) == [
        URIRef(f"{BASE}lists/channels/phone/hours-exceptions")
    ]
    cost = URIRef(f"{channel}/costs/EUR")
    assert list(graph.objects(channel, P.costPerContact)) == [cost]
    assert list(graph.objects(cost, SCHEMA.value)) == [Literal("3.00", datatype=ns.XSD.decimal)]
    for shapes in (cpsv_shapes, process_shapes):
        conforms, report = validate(graph, shapes)
        assert conforms, report


def test_contact_point_from_channel_details(
    cpsv_shapes: rdflib.Graph, caplog: pytest.LogCaptureFixture
) -> None:
    bundle = read_bundled_lists(default_data_dir())
    links = {link.object_id: link for link in service_links(bundle, "372", r.HAS_CHANNEL)}
    languages = ["en-GB", "cy", "xx"]
    replace_link(bundle, links["phone"], phone="+44 20 7946 0000", languages=languages)
    replace_link(bundle, links["web"], url="not a url", email="streets@example.org")
    catalogue = build_catalogue(bundle)

    with caplog.at_level(logging.WARNING, logger="servicelist.catalogue.rdf"):
        graph = to_graph(rdf.service_triples(catalogue, "372", BASE))

    phone = URIRef(f"{BASE}services/372/channels/phone/contact-point")
    web = URIRef(f"{BASE}services/372/channels/web/contact-point")
    assert set(graph.objects(service("372"), CV.contactPoint)) == {phone, web}
    assert (URIRef(f"{BASE}services/372/channels/phone"), CV.contactPoint, phone) in graph
    assert list(graph.objects(phone, CV.telephone)) == [Literal("+44 20 7946 0000")]
    assert list(graph.objects(phone, CV.openingHours)) == [
        URIRef(f"{BASE}lists/channels/phone/opening-hours")
    ]
    assert list(graph.objects(web, CV.email)) == [Literal("streets@example.org")]
    assert not list(graph.objects(web, CV.contactPage))
    welsh = URIRef("http://publications.europa.eu/resource/authority/language/CYM")
    assert set(graph.objects(service("372"), ns.DCTERMS.language)) == {ENGLISH, welsh}
    assert "channel URL 'not a url' of service 372 is not a valid IRI" in caplog.text
    assert "language tag 'xx' has no EU language authority entry" in caplog.text
    conforms, report = validate(graph, cpsv_shapes)
    assert conforms, report


def test_changed_step_gets_service_node(process_shapes: rdflib.Graph) -> None:
    bundle = read_bundled_lists(default_data_dir())
    (link,) = service_links(bundle, "372", r.FOLLOWS_PROCESS)
    steps = [dict(step) for step in link.properties["steps"]]
    steps[1]["actor_role"] = "streets team"
    replace_link(bundle, link, steps=steps)
    catalogue = build_catalogue(bundle)

    graph = to_graph(rdf.process_triples(catalogue, "372", BASE))

    step = steps_of(graph, URIRef(f"{BASE}services/372/process"))[2]
    assert step == URIRef(f"{BASE}services/372/process/steps/2")
    assert list(graph.objects(step, P.actorRole)) == [Literal("streets team", lang="en")]
    conforms, report = validate(graph, process_shapes)
    assert conforms, report


def test_process_of_unknown_service_raises(catalogue: Catalogue) -> None:
    with pytest.raises(NotFound):
        rdf.process_triples(catalogue, "999999", BASE)


def test_service_without_process_map_raises() -> None:
    bundle = read_bundled_lists(default_data_dir())
    bundle.links = [
        link
        for link in bundle.links
        if not (link.subject_id == "372" and link.relation == r.FOLLOWS_PROCESS)
    ]
    catalogue = build_catalogue(bundle)

    with pytest.raises(NotFound, match="no process map"):
        rdf.process_triples(catalogue, "372", BASE)
    graph = to_graph(rdf.service_triples(catalogue, "372", BASE))
    assert not list(graph.objects(service("372"), P.hasProcessMap))


# Concept schemes of the authored lists


def test_abc_concepts_have_definition(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    scheme = URIRef(f"{BASE}lists/abc-classes")
    assert set(graph.objects(scheme, ns.SKOS.hasTopConcept)) == {
        concept(r.ABC_CLASSES, identifier) for identifier in ("A", "B", "C")
    }

    for item in catalogue.items[r.ABC_CLASSES]:
        node = concept(r.ABC_CLASSES, item.identifier)
        assert list(graph.objects(node, ns.SKOS.definition)) == [
            Literal(item.descriptions["en"], lang="en")
        ]
        assert list(graph.objects(node, ns.SKOS.scopeNote)) == [
            Literal(item.properties["front_line"], lang="en")
        ]


def test_audience_hierarchy(graph: rdflib.Graph) -> None:
    students = concept(r.AUDIENCES, "students")
    young_people = concept(r.AUDIENCES, "young-people")
    residents = concept(r.AUDIENCES, "residents")
    scheme = URIRef(f"{BASE}lists/audiences")

    assert (students, ns.SKOS.broader, young_people) in graph
    assert (young_people, ns.SKOS.broader, residents) in graph
    assert (residents, ns.SKOS.narrower, young_people) in graph
    assert (residents, ns.SKOS.topConceptOf, scheme) in graph
    assert not list(graph.objects(students, ns.SKOS.topConceptOf))


def test_having_a_child_groups_birth_registration(graph: rdflib.Graph) -> None:
    event = concept(r.LIFE_EVENTS, "having-a-child")

    assert (service("319"), CV.isGroupedBy, event) in graph
    for event_class in (CV.LifeEvent, CV.Event, ns.SKOS.Concept):
        assert (event, ns.RDF.type, event_class) in graph
    assert (event, ns.RDF.type, CV.BusinessEvent) not in graph
    assert list(graph.objects(event, ns.DCTERMS.identifier)) == [Literal("having-a-child")]
    assert list(graph.objects(event, ns.DCTERMS.title)) == [Literal("Having a child", lang="en")]


def test_business_events_typed_business(catalogue: Catalogue, graph: rdflib.Graph) -> None:
    business = [
        item for item in catalogue.items[r.LIFE_EVENTS] if item.properties["kind"] == "business"
    ]
    assert business

    for item in business:
        node = concept(r.LIFE_EVENTS, item.identifier)
        assert (node, ns.RDF.type, CV.BusinessEvent) in graph
        assert (node, ns.RDF.type, CV.LifeEvent) not in graph


def test_life_event_stub_satisfies_event_shape(service_372: list[pyoxigraph.Triple]) -> None:
    graph = to_graph(service_372)
    event = concept(r.LIFE_EVENTS, "owning-a-vehicle")

    assert (service("372"), CV.isGroupedBy, event) in graph
    assert (event, ns.RDF.type, CV.Event) in graph
    assert list(graph.objects(event, ns.DCTERMS.identifier)) == [Literal("owning-a-vehicle")]


def test_process_templates_are_process_maps(graph: rdflib.Graph) -> None:
    request = concept(r.PROCESS_TEMPLATES, "request")

    assert (request, ns.RDF.type, P.ProcessMap) in graph
    assert (request, ns.RDF.type, ns.SKOS.Concept) in graph
    steps = steps_of(graph, request)
    assert sorted(steps) == [1, 2, 3, 4, 5]
    assert steps[3] == URIRef(f"{request}/steps/3")
