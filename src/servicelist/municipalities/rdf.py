"""CPSV-AP triples of a municipality's effective services.

Each service is a ``cpsv:PublicService`` under the municipality's URI, derived from the standard
entry (``prov:wasDerivedFrom``) and with the municipality as its competent authority. The
standard list's concepts (ABC classes, channels, audiences, life events) keep their own URIs, so
consumers can join local and standard data.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from servicelist.catalogue.vocabulary import CPSV, CV, DCT, FOAF, PROV, RDF, SKOS
from servicelist.lists import records as r
from servicelist.municipalities.effective import LocalCatalogue, municipality_uri


def _concept(base_uri: str, list_id: str, identifier: str) -> NamedNode:
    return NamedNode(f"{base_uri}lists/{list_id}/{quote(identifier, safe='')}")


def _iri(value: str) -> NamedNode | None:
    try:
        return NamedNode(value)
    except ValueError:
        return None


def service_triples(local: LocalCatalogue, service_ids: Iterable[str]) -> list[Triple]:
    """Describe the given effective services and the municipality that provides them."""
    base = local.base_uri
    municipality = local.municipality
    authority = NamedNode(municipality_uri(base, municipality.id))
    triples = [
        Triple(authority, RDF.type, CV.PublicOrganisation),
        Triple(authority, SKOS.prefLabel, Literal(municipality.name, language="en")),
        Triple(authority, DCT.identifier, Literal(municipality.id)),
    ]
    if municipality.homepage_url and (homepage := _iri(municipality.homepage_url)):
        triples.append(Triple(authority, FOAF.homepage, homepage))

    for service_id in service_ids:
        view = local.service_view(service_id)
        node = NamedNode(view["uri"])
        triples += [
            Triple(node, RDF.type, CPSV.PublicService),
            Triple(node, DCT.identifier, Literal(service_id)),
            Triple(node, CV.hasCompetentAuthority, authority),
        ]
        if view["standard"] is not None:
            triples.append(Triple(node, PROV.wasDerivedFrom, NamedNode(view["standard"]["uri"])))
        for language, text in view["labels"].items():
            triples.append(Triple(node, DCT.title, Literal(text, language=language)))
        for language, text in view["descriptions"].items():
            triples.append(Triple(node, DCT.description, Literal(text, language=language)))
        if view["abc_class"] is not None:
            concept = _concept(base, r.ABC_CLASSES, view["abc_class"]["class"])
            triples.append(Triple(node, CV.isClassifiedBy, concept))
        for audience in view["audiences"]:
            triples.append(Triple(node, DCT.audience, _term(local, r.AUDIENCES, audience)))
        for event in view["life_events"]:
            triples.append(Triple(node, CV.isGroupedBy, _term(local, r.LIFE_EVENTS, event)))
        for channel in view["channels"]:
            triples += _channel_triples(base, node, service_id, channel)
    return triples


def _term(local: LocalCatalogue, list_id: str, reference: dict[str, Any]) -> NamedNode:
    if reference.get("local"):
        uri = f"{municipality_uri(local.base_uri, local.municipality.id)}/terms/{list_id}/"
        return NamedNode(uri + quote(reference["id"], safe=""))
    return _concept(local.base_uri, list_id, reference["id"])


def _channel_triples(
    base: str, service: NamedNode, service_id: str, channel: dict[str, Any]
) -> list[Triple]:
    node = NamedNode(f"{service.value}/channels/{quote(channel['id'], safe='')}")
    triples = [
        Triple(service, CV.hasChannel, node),
        Triple(node, RDF.type, CV.Channel),
        Triple(node, DCT.identifier, Literal(f"{service_id}-{channel['id']}")),
        Triple(node, DCT.type, _concept(base, r.CHANNELS, channel["id"])),
    ]
    url, phone, email = channel.get("url"), channel.get("phone"), channel.get("email")
    if not (url or phone or email):
        return triples
    contact = NamedNode(f"{node.value}/contact-point")
    triples += [
        Triple(service, CV.contactPoint, contact),
        Triple(node, CV.contactPoint, contact),
        Triple(contact, RDF.type, CV.ContactPoint),
    ]
    if phone:
        triples.append(Triple(contact, CV.telephone, Literal(phone)))
    if email:
        triples.append(Triple(contact, CV.email, Literal(email)))
    if url and (page := _iri(url)):
        triples += [
            Triple(contact, CV.contactPage, page),
            Triple(page, RDF.type, FOAF.Document),
        ]
    return triples
