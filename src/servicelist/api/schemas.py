"""Response shapes of the v1 API, for the OpenAPI document and for tests that check bodies.

Handlers return prebuilt bytes, so these models document the JSON rather than produce it;
``tests/api`` validates real responses against them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Reference(_Shape):
    """A pointer to an item of a list."""

    id: str
    label: str
    href: str


class LinkedItem(Reference):
    """An item mapped to the one being read, with the mapping's status, note and source."""

    status: str
    note: str | None
    source: str


class RelatedItem(LinkedItem):
    """A mapping seen from either end: ``outgoing`` when the item read is the subject."""

    relation: str
    direction: str


class AbcAssignment(_Shape):
    """A service's ABC class: suggested by an authored rule or exception, or set locally."""

    class_: str = Field(alias="class", examples=["B"])
    label: str
    href: str
    assignment: str | None = Field(examples=["suggested"])
    rule: str | None
    rationale: str | None
    source: str


class OpeningHours(BaseModel):
    """Opening hours of a channel on one weekday (ISO day abbreviations Mo..Su)."""

    day: str
    opens: str
    closes: str


class HoursException(BaseModel):
    """A date on which a channel closes or keeps other hours; no times means closed."""

    date: str
    opens: str | None
    closes: str | None
    reason: str | None = None


class ContactCost(BaseModel):
    """Cost of one contact on a channel, with the study it comes from."""

    amount: float
    currency: str
    source: str


class ServiceChannel(_Shape):
    """A channel a service is offered on, with its channel-specific details."""

    id: str
    label: str
    href: str
    primary: bool
    url: str | None
    phone: str | None
    email: str | None
    languages: list[str]
    opening_hours: list[OpeningHours]
    hours_exceptions: list[HoursException]
    cost_per_contact: list[ContactCost]
    note: str | None
    source: str


class LifeEventLink(LinkedItem):
    """A life event that leads to a service, and the kind of reason for the mapping."""

    reason_type: str | None


class ProcessSummary(_Shape):
    """The process template a service follows and where its steps are."""

    id: str
    label: str
    href: str
    kind: str | None
    intake_channel: str | None
    delivery_channel: str | None
    steps_href: str


class ProcessStep(BaseModel):
    """One step of a process map."""

    order: int
    label: str
    office_tier: str = Field(examples=["front"])
    actor_role: str
    duration: str = Field(description="ISO 8601 duration", examples=["PT15M"])
    manual: bool
    channel_role: str = Field(examples=["intake"])
    description: str | None = None


class ProcessMap(_Shape):
    """The ordered steps of a service from intake to delivery."""

    service: Reference
    template: Reference
    kind: str | None
    intake_channel: str | None
    delivery_channel: str | None
    rationale: str | None
    steps: list[ProcessStep]
    expected_duration: str


class Department(Reference):
    """The esd function standing for the responsible department, and its area."""

    area: Reference | None


class FirstContact(_Shape):
    """Guidance for the front line at first contact with a service on one channel."""

    service: Reference
    channel: str | None
    channel_offered: bool
    channel_details: dict[str, Any] | None
    alternative_channels: list[str]
    abc_class: str
    abc_label: str
    abc_rationale: str | None
    abc_assignment: str | None
    resolution: str = Field(examples=["settle", "explain-and-forward", "refer"])
    front_line_can_settle: bool
    summary: str
    refer_to: Department | None
    department: Department | None
    remaining_steps: list[ProcessStep]
    expected_duration: str
    process_href: str


class Service(_Shape):
    """One LGSL service."""

    id: str = Field(examples=["372"])
    href: str
    uri: str
    esd_uri: str | None = Field(examples=["http://id.esd.org.uk/service/372"])
    label: str = Field(examples=["Abandoned vehicles"])
    labels: dict[str, str]
    description: str | None
    descriptions: dict[str, str]
    status: str
    created: str | None
    modified: str | None
    history_notes: str | None
    edition: str | None = Field(description="LGSL edition the label and description come from.")
    added_in: str | None
    previous_label: str | None = Field(description="The 2015 label when 2019 changed it.")
    previous_description: str | None
    retired_in: int | None = Field(description="The release that retired the service.")
    replaced_by: list[str] = Field(description="Services that replace this retired one.")
    replaces: list[str] = Field(description="Retired services this one replaces.")
    functions: list[LinkedItem]
    navigation: list[LinkedItem]
    interactions: list[LinkedItem]
    tiers: list[LinkedItem]
    abc: AbcAssignment | None
    channels: list[ServiceChannel]
    audiences: list[LinkedItem]
    life_events: list[LifeEventLink]
    process: ProcessSummary | None


class _Page(_Shape):
    count: int
    total: int
    limit: int
    next_cursor: str | None
    next: str | None


class ServicePage(_Page):
    """One page of services."""

    items: list[Service]


class Item(_Shape):
    """An item of any list with its hierarchy and mappings."""

    id: str
    list_id: str = Field(alias="list")
    href: str
    uri: str
    esd_uri: str | None
    label: str
    labels: dict[str, str]
    description: str | None
    descriptions: dict[str, str]
    status: str
    created: str | None
    modified: str | None
    history_notes: str | None
    parent: Reference | None
    children: list[Reference]
    properties: dict[str, Any]
    related: dict[str, list[RelatedItem]]


class ItemPage(_Page):
    """One page of list items."""

    items: list[Item]


class ListMetadata(_Shape):
    """A standard list: version, size, provenance, licence and attribution."""

    id: str
    href: str
    items_href: str
    uri: str
    title: str
    description: str
    version: str
    modified: str
    status: str
    item_count: int
    publisher: str
    source: str
    source_url: str
    licence: str
    licence_url: str
    attribution: str
    rights: str
    authored: bool
    files: list[str]


class CatalogueMetadata(_Shape):
    """The version being served and the attributions its lists require."""

    title: str
    uri: str
    version: str
    loaded_at: str
    attribution: list[str]


class ListIndex(_Shape):
    """Every list of the catalogue."""

    catalogue: CatalogueMetadata
    lists: list[ListMetadata]


class ListWithItems(ListMetadata):
    items: list[dict[str, Any]]


class CatalogueDocument(_Shape):
    """The whole catalogue: services in the ``Service`` shape, other items as ``Item``."""

    catalogue: CatalogueMetadata
    lists: list[ListWithItems]


class FieldProblem(_Shape):
    location: str | None = None
    name: str | None = None
    value: Any = None
    reason: str | None = None
    row: int | None = None
    column: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field(examples=["urn:servicelist:problem:not-found"])
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None
    supported: list[str] | None = None


def _problem(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "model": Problem,
        "content": {"application/problem+json": {}},
    }


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("Invalid query parameter or cursor"),
    404: _problem("Unknown resource"),
    406: _problem("None of the accepted media types is available"),
    422: _problem("Invalid request"),
}


class ListCounts(_Shape):
    """How many entries one list has in a release, and how many of them are retired."""

    items: int
    retired: int


class Release(_Shape):
    """A numbered, immutable release of the lists."""

    number: int = Field(examples=[2])
    title: str = Field(examples=["LGSL 2019 revision"])
    created_at: str = Field(description="ISO 8601 timestamp with its UTC offset.")
    origin: str = Field(examples=["bundled lists"])
    content_hash: str = Field(description="SHA-256 of the release's content, 64 hex digits.")
    item_count: int
    link_count: int
    notes: str
    lists: dict[str, ListCounts]
    current: bool = Field(description="Whether this is the newest release, the one served.")
    href: str
    previous: str | None
    changes: str | None = Field(description="The changes since the previous release.")


class ReleaseIndex(_Shape):
    """Every release, oldest first."""

    current: int | None
    count: int
    releases: list[Release]


class ReleaseReference(_Shape):
    number: int
    title: str
    href: str


class FieldChange(_Shape):
    """One field of an entry or a list, before and after."""

    field: str = Field(examples=["labels.en", "links.hasChannel", "properties.edition"])
    before: Any
    after: Any


class ReleaseChange(_Shape):
    """An entry that one release added, retired, changed or (going back) removed."""

    list_id: str = Field(alias="list")
    id: str
    label: str
    href: str
    change: str = Field(examples=["added", "retired", "changed", "removed"])
    replaced_by: list[str]
    fields: list[FieldChange]


class ListChanges(_Shape):
    """The number of changed entries of one list per kind, and changes to the list itself."""

    list_id: str = Field(alias="list")
    added: int
    retired: int
    changed: int
    removed: int
    metadata: list[FieldChange]


class ReleaseDiffSummary(_Shape):
    added: int
    retired: int
    changed: int
    removed: int
    lists: list[ListChanges]


class ReleaseDiff(_Page):
    """One page of the changes from one release to another, with their counts."""

    from_: ReleaseReference = Field(alias="from")
    to: ReleaseReference
    list_id: str | None = Field(alias="list")
    change: str | None
    summary: ReleaseDiffSummary
    items: list[ReleaseChange]
