"""Reads and writes of municipalities and their catalogues, each in one transaction.

Every write takes the ETag the client last read (``If-Match``) and locks the municipality. It
checks the ETag against the current state and only then changes anything. So a write based on
an outdated read fails with 412 and leaves the stored data as it was. The functions are
synchronous; the API runs them in a worker thread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import Connection, Engine

from servicelist.catalogue.snapshot import Catalogue
from servicelist.errors import (
    Conflict,
    InvalidValue,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RowError,
)
from servicelist.lists import records as r
from servicelist.municipalities import fields as f
from servicelist.municipalities import repository, review
from servicelist.municipalities.effective import (
    LOCAL_ID_HELP,
    LocalCatalogue,
    StandardFieldCache,
    is_local_id,
)
from servicelist.municipalities.models import Change, LocalTerm, Municipality
from servicelist.municipalities.repository import LOCAL, STANDARD, FieldChange

CatalogueFor = Callable[[int], Catalogue]
TERM_LISTS = (r.LIFE_EVENTS, r.NAVIGATION)


def etag_of(document: Any) -> str:
    """Return the strong ETag of a JSON document, the same as its GET response carries."""
    body = orjson.dumps(document)
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def check_if_match(if_match: str | None, current: str, href: str) -> None:
    """Raise 428 without ``If-Match`` and 412 unless it names ``current``.

    The tag of the gzip-encoded response counts as the same state. Weak tags never match,
    because If-Match uses the strong comparison (RFC 9110 section 13.1.1).
    """
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            f"Writes need If-Match with the current ETag: GET {href}, then send its ETag "
            "header back in If-Match."
        )
    if if_match.strip() == "*":
        return
    for candidate in if_match.split(","):
        tag = candidate.strip()
        if tag.startswith("W/"):
            continue
        if tag.endswith('-gzip"'):
            tag = tag[: -len('-gzip"')] + '"'
        if tag == current:
            return
    raise PreconditionFailed(
        f"If-Match {if_match.strip()[:200]} does not match the current ETag {current} of {href}: "
        "it changed since you read it. GET it again, reapply your change and retry.",
        current,
    )


@dataclass(slots=True)
class Reader:
    """Dependencies of catalogue reads besides the database: releases, field cache, base URI."""

    engine: Engine
    catalogue_for: CatalogueFor
    field_cache: StandardFieldCache
    base_uri: str

    def municipality(self, connection: Connection, municipality_id: str) -> Municipality:
        found = repository.get_municipality(connection, municipality_id)
        if found is None:
            raise NotFound(f"There is no municipality {municipality_id!r}.")
        return found

    def local_catalogue(
        self,
        connection: Connection,
        municipality: Municipality,
        service_id: str | None = None,
        catalogue: Catalogue | None = None,
    ) -> LocalCatalogue:
        parent = (
            repository.get_municipality(connection, municipality.parent_id)
            if municipality.parent_id
            else None
        )
        return LocalCatalogue(
            municipality=municipality,
            catalogue=catalogue or self.catalogue_for(municipality.release),
            local=repository.read_local(connection, municipality.id, service_id),
            standard_fields=self.field_cache,
            parent=parent,
            base_uri=self.base_uri,
        )


# Services


@dataclass(frozen=True, slots=True)
class ServiceEdit:
    """A change to one service: fields to set, fields to reset and the offered flag."""

    set: Mapping[str, Any] = field(default_factory=dict)
    reset: Sequence[str] = ()
    offered: bool | None = None
    offered_given: bool = False


def validate_edit(edit: ServiceEdit, terms: f.Terms, *, location: str = "set") -> list[FieldChange]:
    """Return the edit as checked field changes, or raise 422 listing every invalid entry."""
    errors: list[RowError] = []
    changes: list[FieldChange] = []
    for path, value in edit.set.items():
        try:
            f.check_path(path, terms)
            changes.append(FieldChange(path, f.check_value(path, value, terms)))
        except f.FieldError as error:
            errors.append(RowError(0, f"{location}.{path}", _short(value), str(error)))
    for path in edit.reset:
        try:
            f.check_path(path, terms)
        except f.FieldError as error:
            errors.append(RowError(0, "reset", path, str(error)))
            continue
        if path in edit.set:
            errors.append(RowError(0, "reset", path, "a field cannot be both set and reset"))
            continue
        changes.append(FieldChange(path, reset=True))
    if errors:
        raise InvalidValue(
            f"{len(errors)} fields cannot be stored; nothing was changed. "
            "Each entry of 'errors' names the field and why.",
            errors,
        )
    return changes


def _short(value: Any) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 200 else text[:197] + "..."


def service_document(local: LocalCatalogue, service_id: str) -> dict[str, Any]:
    local.require(service_id)
    return local.service_view(service_id)


def edit_service(
    reader: Reader,
    municipality_id: str,
    service_id: str,
    edit: ServiceEdit,
    *,
    if_match: str | None,
    actor: str,
    source: str = "API",
) -> LocalCatalogue:
    """Apply ``edit`` to one service if ``if_match`` names its current state."""
    if not edit.set and not edit.reset and not edit.offered_given:
        raise InvalidValue(
            "The request changes nothing: give 'set', 'reset' or 'offered'.",
            [RowError(0, None, None, "empty edit")],
        )
    with reader.engine.begin() as connection:
        municipality = repository.lock_municipality(connection, municipality_id)
        if municipality is None:
            raise NotFound(f"There is no municipality {municipality_id!r}.")
        local = reader.local_catalogue(connection, municipality, service_id)
        before = service_document(local, service_id)
        check_if_match(if_match, etag_of(before), before["href"])
        terms = f.Terms.of(
            local.catalogue,
            _term_ids(connection, municipality_id, r.LIFE_EVENTS),
            _term_ids(connection, municipality_id, r.NAVIGATION),
        )
        changes = validate_edit(edit, terms)
        entry = local.local.entries.get(service_id)
        repository.write_entry(
            connection,
            municipality,
            service_id,
            kind=entry.kind if entry is not None else STANDARD,
            offered=edit.offered,
            offered_changed=edit.offered_given,
            changes=changes,
            current=entry,
            standard=local.standard(service_id),
            actor=actor,
            source=source,
        )
        return reader.local_catalogue(connection, municipality, service_id, local.catalogue)


def create_local_service(
    reader: Reader,
    municipality_id: str,
    service_id: str,
    edit: ServiceEdit,
    *,
    if_match: str | None,
    newest_release: int,
    actor: str,
) -> LocalCatalogue:
    """Add a service only this municipality has. It needs at least one label."""
    if not is_local_id(service_id):
        raise InvalidValue(
            f"{service_id!r} cannot be a local service id: use {LOCAL_ID_HELP}. Numbers are "
            "reserved for the standard list.",
            [RowError(0, "id", service_id, f"use {LOCAL_ID_HELP}")],
        )
    if not any(path.startswith("label.") for path in edit.set):
        raise InvalidValue(
            "A local service needs a label: set label.<language>, e.g. label.en.",
            [RowError(0, "set", None, "no label.<language> given")],
        )
    with reader.engine.begin() as connection:
        municipality = lock_checked(
            connection, municipality_id, if_match, newest_release=newest_release
        )
        local = reader.local_catalogue(connection, municipality, service_id)
        if local.exists(service_id):
            raise Conflict(
                f"Municipality {municipality_id!r} already has a service {service_id!r}; "
                f"change it with PATCH {local.service_view(service_id)['href']}."
            )
        terms = local.terms()
        changes = validate_edit(edit, terms)
        repository.write_entry(
            connection,
            municipality,
            service_id,
            kind=LOCAL,
            offered=edit.offered if edit.offered_given else None,
            offered_changed=edit.offered_given,
            changes=changes,
            current=None,
            standard=f.empty_fields(local.catalogue),
            actor=actor,
            source="API",
        )
        return reader.local_catalogue(connection, municipality, service_id, local.catalogue)


def _term_ids(connection: Connection, municipality_id: str, list_id: str) -> frozenset[str]:
    data = repository.read_local(connection, municipality_id, service_id="")
    return data.term_ids(list_id)


# Municipalities


def municipality_document(
    connection: Connection, municipality: Municipality, *, newest_release: int | None = None
) -> dict[str, Any]:
    """Build the JSON of a municipality, with its release and catalogue counts."""
    local = repository.read_local(connection, municipality.id)
    overrides = sum(len(entry.overrides) for entry in local.entries.values())
    local_services = sum(1 for entry in local.entries.values() if entry.kind == LOCAL)
    href = f"/v1/municipalities/{municipality.id}"
    return {
        "id": municipality.id,
        "href": href,
        "name": municipality.name,
        "country": municipality.country,
        "tier": municipality.tier,
        "parent": (
            {"id": municipality.parent_id, "href": f"/v1/municipalities/{municipality.parent_id}"}
            if municipality.parent_id
            else None
        ),
        "region": (
            {"id": municipality.region_id, "href": f"/v1/regions/{municipality.region_id}"}
            if municipality.region_id
            else None
        ),
        "council_id": municipality.council_id,
        "gss": municipality.gss,
        "homepage_url": municipality.homepage_url,
        "languages": municipality.languages,
        "release": {"number": municipality.release, "href": f"/v1/releases/{municipality.release}"},
        "newest_release": newest_release,
        "published": municipality.published,
        "revision": municipality.revision,
        "source": municipality.source,
        "created_at": repository.iso(municipality.created_at),
        "updated_at": repository.iso(municipality.updated_at),
        "catalogue": {
            "services_href": f"{href}/services",
            "changed_services": len(local.entries),
            "overrides": overrides,
            "local_services": local_services,
            "local_terms": len(local.terms),
            "open_review_items": repository.count_open_review_items(connection, municipality.id),
        },
        "links": {
            "services": f"{href}/services",
            "review": f"{href}/review",
            "history": f"{href}/history",
            "export": f"{href}/export.csv",
            "terms": f"{href}/terms",
        },
    }


def lock_checked(
    connection: Connection, municipality_id: str, if_match: str | None, *, newest_release: int
) -> Municipality:
    """Check ``If-Match`` against the municipality's ETag, then lock it for the write.

    ``If-None-Match: *`` is passed as ``if_match`` "*"; a create of a new entry needs no
    stronger precondition than that the municipality exists.
    """
    municipality = repository.get_municipality(connection, municipality_id)
    if municipality is None:
        raise NotFound(f"There is no municipality {municipality_id!r}.")
    document = municipality_document(connection, municipality, newest_release=newest_release)
    check_if_match(if_match, etag_of(document), document["href"])
    locked = repository.lock_municipality(
        connection, municipality_id, expected_revision=municipality.revision
    )
    if locked is None:
        raise PreconditionFailed(
            f"Municipality {municipality_id!r} changed while this request was checked; GET "
            f"{document['href']} again and retry.",
            '""',
        )
    return locked


def record_municipality_change(
    connection: Connection,
    municipality: Municipality,
    path: str,
    before: Any,
    after: Any,
    *,
    actor: str,
    action: str = "set",
) -> None:
    repository.insert_changes(
        connection,
        [
            Change(
                municipality_id=municipality.id,
                entity="municipality",
                entity_id=municipality.id,
                path=path,
                action=action,
                before=before,
                after=after,
                actor=actor,
                release=municipality.release,
                at=repository.now(),
            )
        ],
    )


# Terms


def put_term(
    reader: Reader,
    municipality_id: str,
    list_id: str,
    identifier: str,
    *,
    labels: dict[str, str],
    descriptions: dict[str, str],
    parent: str | None,
    if_match: str | None,
    actor: str,
) -> LocalTerm:
    """Create or replace a local life event or navigation heading."""
    if list_id not in TERM_LISTS:
        raise NotFound(f"Local terms exist for {', '.join(TERM_LISTS)}, not {list_id!r}.")
    if not is_local_id(identifier):
        raise InvalidValue(
            f"{identifier!r} cannot be a local term id: use {LOCAL_ID_HELP}.",
            [RowError(0, "identifier", identifier, f"use {LOCAL_ID_HELP}")],
        )
    errors: list[RowError] = []
    checked_labels = _checked_texts(labels, "labels", f.MAX_LABEL, errors)
    checked_descriptions = _checked_texts(descriptions, "descriptions", f.MAX_TEXT, errors)
    if not checked_labels and not errors:
        errors.append(RowError(0, "labels", None, "a term needs at least one label"))
    with reader.engine.begin() as connection:
        municipality = repository.lock_municipality(connection, municipality_id)
        if municipality is None:
            raise NotFound(f"There is no municipality {municipality_id!r}.")
        local = repository.read_local(connection, municipality_id, service_id="")
        existing = next(
            (t for t in local.terms if t.list_id == list_id and t.identifier == identifier), None
        )
        href = f"/v1/municipalities/{municipality_id}/terms/{list_id}/{identifier}"
        if existing is not None:
            check_if_match(if_match, etag_of(term_document(existing)), href)
        elif if_match is not None and if_match.strip() not in ("", "*"):
            raise PreconditionFailed(
                f"{href} does not exist yet, so If-Match cannot name it; send "
                "'If-None-Match: *' to create it.",
                '""',
            )
        catalogue = reader.catalogue_for(municipality.release)
        known = {item.identifier for item in catalogue.items.get(list_id, [])} | local.term_ids(
            list_id
        )
        if parent is not None and parent not in known:
            errors.append(RowError(0, "parent", parent, f"no {list_id} item has this identifier"))
        if errors:
            raise InvalidValue(
                f"The term has {len(errors)} invalid values; nothing was stored.", errors
            )
        term = LocalTerm(
            municipality_id=municipality_id,
            list_id=list_id,
            identifier=identifier,
            labels=checked_labels,
            descriptions=checked_descriptions,
            parent=parent,
            revision=existing.revision + 1 if existing is not None else 1,
            updated_at=repository.now(),
        )
        repository.upsert_term(connection, term, exists=existing is not None)
        repository.insert_changes(
            connection,
            [
                Change(
                    municipality_id=municipality_id,
                    entity="term",
                    entity_id=f"{list_id}/{identifier}",
                    path="term",
                    action="set" if existing is not None else "create",
                    before=term_document(existing) if existing is not None else None,
                    after=term_document(term),
                    actor=actor,
                    release=municipality.release,
                    at=term.updated_at,
                )
            ],
        )
        return term


def _checked_texts(
    texts: dict[str, str], column: str, maximum: int, errors: list[RowError]
) -> dict[str, str]:
    checked: dict[str, str] = {}
    for language, text in texts.items():
        if not f.LANGUAGE_TAG.match(language):
            errors.append(RowError(0, column, language, "not a BCP 47 language tag"))
            continue
        try:
            checked[language] = f.check_text(text, maximum)
        except f.FieldError as error:
            errors.append(RowError(0, f"{column}.{language}", _short(text), str(error)))
    return checked


def term_document(term: LocalTerm) -> dict[str, Any]:
    return {
        "id": term.identifier,
        "list": term.list_id,
        "href": f"/v1/municipalities/{term.municipality_id}/terms/{term.list_id}/{term.identifier}",
        "labels": term.labels,
        "descriptions": term.descriptions,
        "parent": term.parent,
        "revision": term.revision,
        "updated_at": repository.iso(term.updated_at),
    }


# Moving to a new release


def move_release(
    reader: Reader,
    municipality_id: str,
    target: int,
    *,
    newest_release: int,
    if_match: str | None,
    actor: str,
) -> review.MovePlan:
    """Move a municipality to release ``target``; store what the review found."""
    new_catalogue = reader.catalogue_for(target)
    with reader.engine.begin() as connection:
        municipality = lock_checked(
            connection, municipality_id, if_match, newest_release=newest_release
        )
        if target <= municipality.release:
            raise Conflict(
                f"Municipality {municipality_id!r} is on release {municipality.release}; it can "
                f"only move to a newer release, not to {target}."
            )
        open_items = repository.count_open_review_items(connection, municipality_id)
        if open_items:
            raise Conflict(
                f"Municipality {municipality_id!r} has {open_items} open review items from its "
                f"last move; resolve them (GET /v1/municipalities/{municipality_id}/review) "
                "before moving again."
            )
        old = reader.local_catalogue(connection, municipality)
        new = reader.local_catalogue(connection, municipality, catalogue=new_catalogue)
        new.municipality = municipality.model_copy(update={"release": target})
        plan = review.plan_move(old, new)
        repository.insert_review_items(connection, plan.items)
        for rebase in plan.rebases:
            repository.rebase_override(
                connection,
                municipality_id,
                rebase.service_id,
                rebase.path,
                base=rebase.base,
                base_release=target,
            )
        repository.update_municipality(connection, municipality_id, {"release": target})
        record_municipality_change(
            connection, municipality, "release", municipality.release, target, actor=actor
        )
        return plan


def preview_move(reader: Reader, municipality_id: str, target: int) -> review.MovePlan:
    """Return what moving to ``target`` would do, without storing anything."""
    new_catalogue = reader.catalogue_for(target)
    with reader.engine.connect() as connection:
        municipality = reader.municipality(connection, municipality_id)
        if target <= municipality.release:
            raise Conflict(
                f"Municipality {municipality_id!r} is on release {municipality.release}; "
                f"choose a newer release than that, not {target}."
            )
        old = reader.local_catalogue(connection, municipality)
        new = reader.local_catalogue(connection, municipality, catalogue=new_catalogue)
        new.municipality = municipality.model_copy(update={"release": target})
        return review.plan_move(old, new)


def resolve_item(
    reader: Reader,
    municipality_id: str,
    item_id: int,
    *,
    resolution: str,
    value: Any,
    value_given: bool,
    if_match: str | None,
    actor: str,
) -> dict[str, Any]:
    """Resolve one open review item and apply what the resolution means to the catalogue."""
    with reader.engine.begin() as connection:
        municipality = repository.lock_municipality(connection, municipality_id)
        if municipality is None:
            raise NotFound(f"There is no municipality {municipality_id!r}.")
        item = repository.get_review_item(connection, municipality_id, item_id)
        if item is None or item.id is None:
            raise NotFound(f"Municipality {municipality_id!r} has no review item {item_id}.")
        document = review.item_view(item, municipality_id)
        check_if_match(if_match, etag_of(document), document["href"])
        if item.status != review.OPEN:
            raise Conflict(
                f"Review item {item_id} is {item.status}, resolved as {item.resolution!r}; "
                "only open items can be resolved."
            )
        allowed = review.RESOLUTIONS[item.kind]
        if resolution not in allowed:
            raise InvalidValue(
                f"A {item.kind} item is resolved with one of {', '.join(allowed)}, "
                f"not {resolution!r}.",
                [RowError(0, "resolution", resolution, f"use one of {', '.join(allowed)}")],
            )
        if resolution == review.EDIT and not value_given:
            raise InvalidValue(
                "The edit resolution needs the new local value in 'value'.",
                [RowError(0, "value", None, "missing")],
            )
        if resolution != review.EDIT and value_given:
            raise InvalidValue(
                f"Only the edit resolution takes a 'value'; {resolution} does not.",
                [RowError(0, "value", _short(value), "remove it")],
            )

        local = reader.local_catalogue(connection, municipality, item.service_id)
        entry = local.local.entries.get(item.service_id)
        standard = local.standard(item.service_id)
        resolved_value: Any = None
        if item.kind == review.CONFLICT:
            assert item.path is not None
            if resolution == review.ACCEPT_UPSTREAM:
                changes = [FieldChange(item.path, reset=True)]
                resolved_value = item.new
            elif resolution == review.KEEP_LOCAL:
                changes = []
                resolved_value = item.local
            else:
                (change,) = validate_edit(
                    ServiceEdit(set={item.path: value}), local.terms(), location="value"
                )
                changes = [change]
                resolved_value = change.value
            repository.write_entry(
                connection,
                municipality,
                item.service_id,
                kind=STANDARD,
                offered=None,
                offered_changed=False,
                changes=changes,
                current=entry,
                standard=standard,
                actor=actor,
                source="release review",
                action_prefix="review ",
            )
            # The override, kept or edited, is now based on the new standard value.
            if resolution != review.ACCEPT_UPSTREAM:
                repository.rebase_override(
                    connection,
                    municipality_id,
                    item.service_id,
                    item.path,
                    base=item.new,
                    base_release=item.to_release,
                )
                if resolution == review.KEEP_LOCAL:
                    repository.bump_entry(connection, municipality_id, item.service_id)
        else:
            offered = resolution == review.KEEP_LOCAL
            repository.write_entry(
                connection,
                municipality,
                item.service_id,
                kind=STANDARD,
                offered=offered,
                offered_changed=True,
                changes=[],
                current=entry,
                standard=standard,
                actor=actor,
                source="release review",
                action_prefix="review ",
            )
            resolved_value = offered
        repository.resolve_review_item(
            connection, item_id, resolution=resolution, value=resolved_value, actor=actor
        )
        resolved = repository.get_review_item(connection, municipality_id, item_id)
        assert resolved is not None
        return review.item_view(resolved, municipality_id)
