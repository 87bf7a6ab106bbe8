"""Plain records of the standard lists, shared by the importers, the database layer and the views.

Importers produce these records from files, the repository stores and reads them, and the
catalogue builds its JSON and RDF representations from them. None of them depends on HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SERVICES = "services"
INTERACTIONS = "interactions"
FUNCTIONS = "functions"
NAVIGATION = "navigation"
TIERS = "tiers"
COUNCILS = "councils"

# Lists authored by servicelist (data/authored).
ABC_CLASSES = "abc-classes"
CHANNELS = "channels"
AUDIENCES = "audiences"
LIFE_EVENTS = "life-events"
PROCESS_TEMPLATES = "process-templates"

LIST_IDS = (SERVICES, INTERACTIONS, FUNCTIONS, NAVIGATION, TIERS, COUNCILS)
AUTHORED_LIST_IDS = (ABC_CLASSES, CHANNELS, AUDIENCES, LIFE_EVENTS, PROCESS_TEMPLATES)

# Relations between items. Each link reads "subject <relation> object".
CONTAINS = "contains"
HAS_INTERACTION = "hasInteraction"
PROVIDED_BY = "providedBy"
HAS_TIER = "hasTier"
HAS_ABC_CLASS = "hasAbcClass"
HAS_CHANNEL = "hasChannel"
HAS_AUDIENCE = "hasAudience"
FOLLOWS_PROCESS = "followsProcess"

STATUS_LIVE = "live"
STATUS_DISCONTINUED = "discontinued"
# An entry that a later release no longer has. Releases keep it with this status, because
# identifiers are never deleted or reused.
STATUS_RETIRED = "retired"

# Properties of retired entries and of the entries that replace them.
RETIRED_IN = "retired_in"  # the number of the release that retired the entry
REPLACED_BY = "replaced_by"  # identifiers of the entries that replace it, in the same list
REPLACES = "replaces"  # identifiers of the entries that an entry replaces, in the same list


@dataclass(frozen=True, slots=True)
class ListRecord:
    """Metadata of one standard list: where it comes from, its version and licence."""

    id: str
    title: str
    description: str
    version: str
    modified: str
    status: str
    publisher: str
    source: str
    source_url: str
    licence: str
    licence_url: str
    attribution: str
    rights: str
    authored: bool
    files: tuple[str, ...]
    esd_uri_pattern: str | None = None


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One entry of a list: a service, an interaction, a function, a heading, a tier or a council.

    ``labels`` and ``descriptions`` map a BCP 47 language tag to the text in that language.
    ``properties`` contains the fields only one list has (a council's GSS code, a service's
    label in an earlier edition).
    """

    list_id: str
    identifier: str
    position: int
    labels: dict[str, str]
    descriptions: dict[str, str] = field(default_factory=dict)
    created: str | None = None
    modified: str | None = None
    history_notes: str | None = None
    status: str = STATUS_LIVE
    parent: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """Return the English label, else the first label."""
        return self.labels.get("en") or next(iter(self.labels.values()), "")


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """A mapping between two items of (usually different) lists.

    ``properties`` contains what only some relations have, such as the URL, opening hours and
    cost of a service's channel.
    """

    subject_list: str
    subject_id: str
    relation: str
    object_list: str
    object_id: str
    status: str = STATUS_LIVE
    note: str | None = None
    source: str = ""
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ListBundle:
    """Every list, item and link of one load, as importers produce and the database returns."""

    lists: list[ListRecord] = field(default_factory=list)
    items: list[ItemRecord] = field(default_factory=list)
    links: list[LinkRecord] = field(default_factory=list)
