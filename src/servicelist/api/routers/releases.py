"""Numbered releases of the lists and what changed between two of them (JSON only)."""

from __future__ import annotations

import base64
import binascii
import re
from functools import partial
from typing import Annotated, Literal

from anyio import to_thread
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from servicelist.api import schemas
from servicelist.api.conditional import represent
from servicelist.api.dependencies import Served, ServedDep
from servicelist.api.pagination import next_link
from servicelist.api.render import render_json_only
from servicelist.api.state import CatalogueState
from servicelist.catalogue import release_views
from servicelist.errors import InvalidCursor, InvalidParameter, NotFound
from servicelist.lists import releases
from servicelist.lists.releases import ReleaseMetadata

router = APIRouter(prefix="/v1/releases", tags=["releases"])

_NUMBER = re.compile(r"[0-9]+")
_CURSOR_PREFIX = "o1:"

ReleaseNumber = Annotated[str, Path(description="Release number: 1, 2, 3 ...", examples=["2"])]
ChangeKind = Literal["added", "retired", "changed", "removed"]


def _release_number(value: str, parameter: str) -> int:
    if not _NUMBER.fullmatch(value):
        raise InvalidParameter(
            f"{value[:80]!r} is not a release number. Releases are numbered 1, 2, 3 and so on; "
            "/v1/releases lists them.",
            parameter=parameter,
            value=value[:200],
            location="path",
        )
    return int(value)


async def _releases(request: Request, served: Served) -> list[ReleaseMetadata]:
    """Return every release, read once per catalogue snapshot."""
    state: CatalogueState = request.app.state.catalogue_state

    def read() -> list[ReleaseMetadata]:
        with state.engine.connect() as connection:
            return releases.list_releases(connection)

    return await to_thread.run_sync(partial(served.cache.memo, ("releases",), read))


def _find(found: list[ReleaseMetadata], number: int) -> ReleaseMetadata:
    for release in found:
        if release.number == number:
            return release
    if not found:
        raise NotFound(f"There is no release {number}: no release was recorded yet.")
    raise NotFound(
        f"There is no release {number}; the releases are {found[0].number} to "
        f"{found[-1].number}. /v1/releases lists them."
    )


def _encode_offset(offset: int) -> str:
    raw = f"{_CURSOR_PREFIX}{offset}".encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _decode_offset(cursor: str) -> int:
    """Return the offset in a diff page cursor. A diff never changes, so offsets stay valid."""
    problem = InvalidCursor(
        f"The cursor {cursor[:80]!r} is not one this API issued. Pass back the "
        "'next_cursor' of the previous page unchanged, or omit 'cursor' to start again.",
        parameter="cursor",
        value=cursor[:200],
    )
    if len(cursor) > 40:
        raise problem
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise problem from None
    offset = raw.removeprefix(_CURSOR_PREFIX)
    if not raw.startswith(_CURSOR_PREFIX) or not _NUMBER.fullmatch(offset):
        raise problem
    return int(offset)


@router.get(
    "",
    summary="List the releases",
    response_model=schemas.ReleaseIndex,
    responses=schemas.ERROR_RESPONSES,
)
async def list_releases(request: Request, served: ServedDep) -> Response:
    """Return every release, oldest first; the newest is marked ``current``."""
    found = await _releases(request, served)
    representation = await render_json_only(
        served, ("releases",), lambda: release_views.release_index_view(found)
    )
    return represent(request, representation)


@router.get(
    "/{number}",
    summary="Read one release",
    response_model=schemas.Release,
    responses=schemas.ERROR_RESPONSES,
)
async def read_release(request: Request, served: ServedDep, number: ReleaseNumber) -> Response:
    """Return a release's title, notes, origin, content hash and item counts per list."""
    found = await _releases(request, served)
    release = _find(found, _release_number(number, "number"))
    newest = found[-1].number
    representation = await render_json_only(
        served,
        ("release", str(release.number)),
        lambda: release_views.release_view(release, newest),
    )
    return represent(request, representation)


@router.get(
    "/{before}/diff/{after}",
    summary="List the changes between two releases",
    response_model=schemas.ReleaseDiff,
    responses=schemas.ERROR_RESPONSES,
)
async def diff_releases(
    request: Request,
    served: ServedDep,
    before: ReleaseNumber,
    after: ReleaseNumber,
    list_id: Annotated[
        str | None, Query(alias="list", description="Only the changes of this list.")
    ] = None,
    change: Annotated[ChangeKind | None, Query(description="Only changes of this kind.")] = None,
    limit: Annotated[
        int | None, Query(ge=1, description="Page size; default 100, maximum 1000.")
    ] = None,
    cursor: Annotated[
        str | None, Query(description="The next_cursor of the previous page.")
    ] = None,
) -> Response:
    """Return the entries added, retired and changed from ``before`` to ``after``, list by list.

    Services come first, then the other lists in catalogue order. Within a list, added entries
    come first, then retired ones (with ``replaced_by``) and changed ones (each changed field
    before and after). Removed entries come last and appear only when ``after`` is older than
    ``before``. The summary counts every kind per list.
    """
    found = await _releases(request, served)
    first = _find(found, _release_number(before, "before"))
    second = _find(found, _release_number(after, "after"))
    state: CatalogueState = request.app.state.catalogue_state
    diff = await state.release_diff(first.number, second.number)

    lists = diff.lists
    if list_id is not None:
        lists = tuple(entry for entry in diff.lists if entry.list_id == list_id)
        if not lists:
            known = ", ".join(entry.list_id for entry in diff.lists)
            raise InvalidParameter(
                f"Neither release has a list {list_id!r}. Lists: {known}.",
                parameter="list",
                value=list_id,
            )
    entries = diff.select(list_id, change)
    page_size = min(limit or served.settings.page_size_default, served.settings.page_size_max)
    start = _decode_offset(cursor) if cursor is not None else 0
    page = entries[start : start + page_size]
    next_cursor = _encode_offset(start + page_size) if start + page_size < len(entries) else None
    next_href, link_header = next_link(request.url, next_cursor)

    representation = await render_json_only(
        served,
        # The page embeds the absolute URL of the next page, so the whole URL is in the key.
        ("release-diff", str(request.url)),
        lambda: release_views.diff_page_view(
            first,
            second,
            list_id=list_id,
            kind=change,
            lists=lists,
            entries=page,
            total=len(entries),
            limit=page_size,
            next_cursor=next_cursor,
            next_href=next_href,
        ),
    )
    return represent(request, representation, {"Link": link_header} if link_header else None)
