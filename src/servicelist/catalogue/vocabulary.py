"""RDF terms of the vocabularies the catalogue publishes, as pyoxigraph ``NamedNode`` constants.

Each namespace is a closed class: it has exactly the terms declared in its body, so a typo such
as ``DCT.titel`` fails type checking and raises ``AttributeError`` at runtime instead of
minting a wrong IRI. Add a term by declaring it in its class.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pyoxigraph import NamedNode


class _ClosedNamespaceMeta(type):
    """Metaclass that turns each annotated name into a ``NamedNode`` and forbids new attributes."""

    def __new__(
        mcs,
        name: str,
        bases: tuple[type, ...],
        namespace: dict[str, Any],
        iri: str = "",
    ) -> _ClosedNamespaceMeta:
        terms = [
            term for term in namespace.get("__annotations__", {}) if term not in {"IRI", "TERMS"}
        ]
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
    """Base of the vocabulary classes. ``IRI`` is the namespace IRI, ``TERMS`` the local names."""

    IRI: ClassVar[str]
    TERMS: ClassVar[frozenset[str]]


class CPSV(Namespace, iri="http://purl.org/vocab/cpsv#"):
    """Core Public Service Vocabulary."""

    PublicService: ClassVar[NamedNode]


class CV(Namespace, iri="http://data.europa.eu/m8g/"):
    """SEMIC Core Vocabularies, as used by CPSV-AP 3.2.0."""

    PublicOrganisation: ClassVar[NamedNode]
    hasCompetentAuthority: ClassVar[NamedNode]
    isClassifiedBy: ClassVar[NamedNode]
    thematicArea: ClassVar[NamedNode]


class DCT(Namespace, iri="http://purl.org/dc/terms/"):
    """DCMI Metadata Terms."""

    LicenseDocument: ClassVar[NamedNode]
    Location: ClassVar[NamedNode]
    ProvenanceStatement: ClassVar[NamedNode]
    RightsStatement: ClassVar[NamedNode]
    created: ClassVar[NamedNode]
    description: ClassVar[NamedNode]
    identifier: ClassVar[NamedNode]
    isPartOf: ClassVar[NamedNode]
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
    topConceptOf: ClassVar[NamedNode]


class ADMS(Namespace, iri="http://www.w3.org/ns/adms#"):
    """Asset Description Metadata Schema."""

    status: ClassVar[NamedNode]


class FOAF(Namespace, iri="http://xmlns.com/foaf/0.1/"):
    """Friend of a Friend."""

    Agent: ClassVar[NamedNode]
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


class XSD(Namespace, iri="http://www.w3.org/2001/XMLSchema#"):
    """XML Schema datatypes."""

    date: ClassVar[NamedNode]
    dateTime: ClassVar[NamedNode]
    string: ClassVar[NamedNode]


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
    "skos": SKOS.IRI,
    "xsd": XSD.IRI,
}
