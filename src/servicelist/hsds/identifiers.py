"""Stable HSDS identifiers: UUID version 5 (RFC 9562) of a URI in the ``URL`` namespace.

Each HSDS object gets the UUID of its URI under ``SERVICELIST_BASE_URI``. Objects that the RDF
mapping publishes keep that URI (the municipality, its services, the lists and their items).
Objects only HSDS has (attributes, phones, schedules, ...) get a URI below their service. The
same base URI and the same item therefore give the same id on every server and in every run,
and a changed base URI changes every id.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote

from servicelist.municipalities.effective import municipality_uri


def uuid_of(uri: str) -> str:
    """Return the UUID version 5 of ``uri`` in the URL namespace, as text."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, uri))


def _segment(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True, slots=True)
class Uris:
    """The URIs of one municipality's HSDS objects, from which their UUIDs are derived."""

    base_uri: str
    municipality_id: str

    @property
    def organization(self) -> str:
        return municipality_uri(self.base_uri, self.municipality_id)

    def service(self, service_id: str) -> str:
        # The same URI as the effective service's "uri" in the JSON and RDF.
        return f"{self.organization}/services/{service_id}"

    def taxonomy(self, list_id: str, local: bool) -> str:
        if local:
            return f"{self.organization}/terms/{_segment(list_id)}"
        return f"{self.base_uri}lists/{_segment(list_id)}"

    def term(self, list_id: str, identifier: str, local: bool) -> str:
        return f"{self.taxonomy(list_id, local)}/{_segment(identifier)}"

    def organization_identifier(self, kind: str) -> str:
        return f"{self.organization}/identifiers/{_segment(kind)}"

    @staticmethod
    def below(service_uri: str, *segments: str) -> str:
        """Return the URI of an object that only exists inside one service's HSDS record."""
        return "/".join([service_uri, *(_segment(segment) for segment in segments)])
