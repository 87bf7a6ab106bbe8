"""RDF terms of the vocabularies the catalogue publishes, as pyoxigraph ``NamedNode`` constants.

Each namespace is a closed class: it has exactly the terms declared in its body, so a typo such
as ``DCT.titel`` fails type checking and raises ``AttributeError`` at runtime instead of
minting a wrong IRI. Add a term by declaring it in its class.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from pyoxigraph import NamedNode


class _ClosedNamespaceMeta(type):
    """Metaclass that turns each annotated name into a ``NamedNode`` and forbids new attributes.

    A class declared without ``iri`` is a template: it declares terms but has no IRIs, so any
    term read from it raises ``AttributeError``. A subclass that passes ``iri`` inherits the
    template's terms and gives each of them the IRI ``iri + term``.
    """

    def __new__(
        mcs,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        iri: str = "",
    ) -> _ClosedNamespaceMeta:
        inherited = [term for base in bases for term in getattr(base, "TERMS", ())]
        declared = [
            term for term in namespace.get("__annotations__", {}) if term not in {"IRI", "TERMS"}
        ]
        terms = [*inherited, *declared]
        if iri:
            for term in terms:
                namespace[term] = NamedNode(iri + term)
        namespace["IRI"] = iri
        namespace["TERMS"] = frozenset(terms)
        return super().__new__(mcs, name, bases, namespace)

    def __setattr__(cls, name: str, value: object) -> None:
        raise AttributeError(
            f"{cls.__name__} is a closed vocabulary, so {name!r} cannot be set. "
            "Declare new terms in the class body."
        )

    def __delattr__(cls, name: str) -> None:
        raise AttributeError(
            f"{cls.__name__} is a closed vocabulary, so {name!r} cannot be deleted."
        )


class Namespace(metaclass=_ClosedNamespaceMeta):
    """Base of the vocabulary classes. ``IRI`` is the namespace IRI, ``TERMS`` the local names.

    ``IRI`` is empty in a template namespace such as ``PROCESS``.
    """

    IRI: ClassVar[str]
    TERMS: ClassVar[frozenset[str]]


class CPSV(Namespace, iri="http://purl.org/vocab/cpsv#"):
    """Core Public Service Vocabulary."""

    PublicService: ClassVar[NamedNode]


class CV(Namespace, iri="http://data.europa.eu/m8g/"):
    """SEMIC Core Vocabularies, as used by CPSV-AP 3.2.0."""

    BusinessEvent: ClassVar[NamedNode]
    Channel: ClassVar[NamedNode]
    ContactPoint: ClassVar[NamedNode]
    Event: ClassVar[NamedNode]
    LifeEvent: ClassVar[NamedNode]
    PublicOrganisation: ClassVar[NamedNode]
    contactPage: ClassVar[NamedNode]
    contactPoint: ClassVar[NamedNode]
    email: ClassVar[NamedNode]
    frequency: ClassVar[NamedNode]
    hasChannel: ClassVar[NamedNode]
    hasCompetentAuthority: ClassVar[NamedNode]
    isClassifiedBy: ClassVar[NamedNode]
    isGroupedBy: ClassVar[NamedNode]
    openingHours: ClassVar[NamedNode]
    processingTime: ClassVar[NamedNode]
    specialOpeningHoursSpecification: ClassVar[NamedNode]
    telephone: ClassVar[NamedNode]
    thematicArea: ClassVar[NamedNode]


class DCT(Namespace, iri="http://purl.org/dc/terms/"):
    """DCMI Metadata Terms."""

    LicenseDocument: ClassVar[NamedNode]
    LinguisticSystem: ClassVar[NamedNode]
    Location: ClassVar[NamedNode]
    ProvenanceStatement: ClassVar[NamedNode]
    RightsStatement: ClassVar[NamedNode]
    audience: ClassVar[NamedNode]
    created: ClassVar[NamedNode]
    description: ClassVar[NamedNode]
    hasPart: ClassVar[NamedNode]
    identifier: ClassVar[NamedNode]
    isPartOf: ClassVar[NamedNode]
    language: ClassVar[NamedNode]
    license: ClassVar[NamedNode]
    modified: ClassVar[NamedNode]
    provenance: ClassVar[NamedNode]
    publisher: ClassVar[NamedNode]
    rights: ClassVar[NamedNode]
    source: ClassVar[NamedNode]
    spatial: ClassVar[NamedNode]
    title: ClassVar[NamedNode]
    type: ClassVar[NamedNode]


class DCAT(Namespace, iri="http://www.w3.org/ns/dcat#"):
    """Data Catalog Vocabulary."""

    Catalog: ClassVar[NamedNode]
    Dataset: ClassVar[NamedNode]
    dataset: ClassVar[NamedNode]


class SKOS(Namespace, iri="http://www.w3.org/2004/02/skos/core#"):
    """Simple Knowledge Organization System."""

    Concept: ClassVar[NamedNode]
    ConceptScheme: ClassVar[NamedNode]
    altLabel: ClassVar[NamedNode]
    broader: ClassVar[NamedNode]
    definition: ClassVar[NamedNode]
    exactMatch: ClassVar[NamedNode]
    hasTopConcept: ClassVar[NamedNode]
    historyNote: ClassVar[NamedNode]
    inScheme: ClassVar[NamedNode]
    narrower: ClassVar[NamedNode]
    notation: ClassVar[NamedNode]
    prefLabel: ClassVar[NamedNode]
    scopeNote: ClassVar[NamedNode]
    topConceptOf: ClassVar[NamedNode]


class ADMS(Namespace, iri="http://www.w3.org/ns/adms#"):
    """Asset Description Metadata Schema."""

    status: ClassVar[NamedNode]


class FOAF(Namespace, iri="http://xmlns.com/foaf/0.1/"):
    """Friend of a Friend."""

    Agent: ClassVar[NamedNode]
    Document: ClassVar[NamedNode]
    Organization: ClassVar[NamedNode]
    homepage: ClassVar[NamedNode]
    name: ClassVar[NamedNode]


class ORG(Namespace, iri="http://www.w3.org/ns/org#"):
    """W3C Organization Ontology."""

    classification: ClassVar[NamedNode]


class OWL(Namespace, iri="http://www.w3.org/2002/07/owl#"):
    """Web Ontology Language."""

    versionInfo: ClassVar[NamedNode]


class PROV(Namespace, iri="http://www.w3.org/ns/prov#"):
    """PROV Ontology."""

    wasDerivedFrom: ClassVar[NamedNode]


class RDF(Namespace, iri="http://www.w3.org/1999/02/22-rdf-syntax-ns#"):
    """RDF concepts."""

    langString: ClassVar[NamedNode]
    type: ClassVar[NamedNode]


class RDFS(Namespace, iri="http://www.w3.org/2000/01/rdf-schema#"):
    """RDF Schema."""

    Datatype: ClassVar[NamedNode]
    comment: ClassVar[NamedNode]
    label: ClassVar[NamedNode]


class SCHEMA(Namespace, iri="https://schema.org/"):
    """Schema.org, for opening hours and amounts of money, which CPSV-AP 3.2.0 does not model."""

    Friday: ClassVar[NamedNode]
    Monday: ClassVar[NamedNode]
    MonetaryAmount: ClassVar[NamedNode]
    OpeningHoursSpecification: ClassVar[NamedNode]
    Saturday: ClassVar[NamedNode]
    Sunday: ClassVar[NamedNode]
    Thursday: ClassVar[NamedNode]
    Tuesday: ClassVar[NamedNode]
    Wednesday: ClassVar[NamedNode]
    closes: ClassVar[NamedNode]
    currency: ClassVar[NamedNode]
    dayOfWeek: ClassVar[NamedNode]
    opens: ClassVar[NamedNode]
    validFrom: ClassVar[NamedNode]
    validThrough: ClassVar[NamedNode]
    value: ClassVar[NamedNode]


class TIME(Namespace, iri="http://www.w3.org/2006/time#"):
    """OWL-Time."""

    TemporalEntity: ClassVar[NamedNode]


class XSD(Namespace, iri="http://www.w3.org/2001/XMLSchema#"):
    """XML Schema datatypes."""

    boolean: ClassVar[NamedNode]
    date: ClassVar[NamedNode]
    dateTime: ClassVar[NamedNode]
    decimal: ClassVar[NamedNode]
    duration: ClassVar[NamedNode]
    integer: ClassVar[NamedNode]
    string: ClassVar[NamedNode]
    time: ClassVar[NamedNode]


class PROCESS(Namespace):
    """servicelist's process vocabulary, defined in ``process_vocabulary.ttl`` next to this module.

    Its namespace ``{base}vocab/process#`` depends on the deployment's base URI, so this class
    only declares the terms. ``process_vocabulary`` returns a subclass bound to one base URI.
    """

    # Classes
    ProcessMap: ClassVar[NamedNode]
    ProcessStep: ClassVar[NamedNode]
    # Properties
    actorRole: ClassVar[NamedNode]
    channelRole: ClassVar[NamedNode]
    costPerContact: ClassVar[NamedNode]
    deliveryChannel: ClassVar[NamedNode]
    expectedDuration: ClassVar[NamedNode]
    hasProcessMap: ClassVar[NamedNode]
    hasStep: ClassVar[NamedNode]
    intakeChannel: ClassVar[NamedNode]
    manual: ClassVar[NamedNode]
    officeTier: ClassVar[NamedNode]
    order: ClassVar[NamedNode]
    template: ClassVar[NamedNode]
    # Office tiers, the concepts of the officeTiers scheme
    officeTiers: ClassVar[NamedNode]
    front: ClassVar[NamedNode]
    mid: ClassVar[NamedNode]
    back: ClassVar[NamedNode]
    # Channel roles, the concepts of the channelRoles scheme
    channelRoles: ClassVar[NamedNode]
    intake: ClassVar[NamedNode]
    delivery: ClassVar[NamedNode]
    noChannel: ClassVar[NamedNode]


def process_namespace(base_uri: str) -> str:
    """Return the namespace IRI of the process vocabulary under ``base_uri``.

    Raises ``ValueError`` when ``base_uri`` does not end with "/".
    """
    if not base_uri.endswith("/"):
        raise ValueError(f"The base URI {base_uri!r} must end with '/'.")
    return f"{base_uri}vocab/process#"


@lru_cache(maxsize=16)
def process_vocabulary(base_uri: str) -> type[PROCESS]:
    """Return the ``PROCESS`` terms bound to the namespace ``{base_uri}vocab/process#``.

    Raises ``ValueError`` when ``base_uri`` does not end with "/" or is not an absolute IRI.
    """

    class BoundProcess(PROCESS, iri=process_namespace(base_uri)):
        """servicelist's process vocabulary under one base URI."""

    return BoundProcess


# Prefixes for Turtle and RDF/XML output. "cv" and "cpsv" are the prefixes CPSV-AP 3.2.0 uses.
PREFIXES: dict[str, str] = {
    "adms": ADMS.IRI,
    "cpsv": CPSV.IRI,
    "cv": CV.IRI,
    "dcat": DCAT.IRI,
    "dct": DCT.IRI,
    "foaf": FOAF.IRI,
    "org": ORG.IRI,
    "owl": OWL.IRI,
    "prov": PROV.IRI,
    "rdf": RDF.IRI,
    "rdfs": RDFS.IRI,
    "schema": SCHEMA.IRI,
    "skos": SKOS.IRI,
    "time": TIME.IRI,
    "xsd": XSD.IRI,
}

# Prefix of the process vocabulary, whose namespace depends on the base URI.
PROCESS_PREFIX = "process"
