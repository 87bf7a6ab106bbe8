"""Representation formats and content negotiation (RFC 9110 section 12.5.1).

One registry maps each format's media type and ``?format=`` name; negotiation, responses and
the 406 problem all read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from servicelist.api.problems import NotAcceptable
from servicelist.errors import InvalidParameter


@dataclass(frozen=True, slots=True)
class Format:
    """One representation: its ``?format=`` name, media type and whether it is RDF."""

    name: str
    media_type: str
    is_rdf: bool
    charset: bool = True

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8" if self.charset else self.media_type


JSON = Format("json", "application/json", is_rdf=False, charset=False)
JSON_LD = Format("jsonld", "application/ld+json", is_rdf=True, charset=False)
TURTLE = Format("ttl", "text/turtle", is_rdf=True)
RDF_XML = Format("rdf", "application/rdf+xml", is_rdf=True)
N_TRIPLES = Format("nt", "application/n-triples", is_rdf=True)

FORMATS: tuple[Format, ...] = (JSON, JSON_LD, TURTLE, RDF_XML, N_TRIPLES)
BY_NAME = {fmt.name: fmt for fmt in FORMATS}
BY_MEDIA_TYPE = {fmt.media_type: fmt for fmt in FORMATS}
# Aliases some clients send for the same formats.
BY_MEDIA_TYPE |= {"application/x-turtle": TURTLE, "application/xml": RDF_XML, "text/xml": RDF_XML}
SUPPORTED_MEDIA_TYPES = [fmt.media_type for fmt in FORMATS]


@dataclass(frozen=True, slots=True)
class _Range:
    type: str
    subtype: str
    quality: float
    order: int

    def matches(self, media_type: str) -> bool:
        main, sub = media_type.split("/", 1)
        return (self.type in ("*", main)) and (self.subtype in ("*", sub))

    @property
    def specificity(self) -> int:
        return (self.type != "*") + (self.subtype != "*")


def _parse_accept(header: str) -> list[_Range]:
    ranges: list[_Range] = []
    for order, part in enumerate(header.split(",")):
        pieces = [piece.strip() for piece in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        main, sub = media.split("/", 1)
        quality = 1.0
        for parameter in pieces[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(_Range(main, sub, quality, order))
    return ranges


def negotiate(accept: str | None, format_name: str | None) -> Format:
    """Choose the format for a request: ``?format=`` wins, else the best ``Accept`` match.

    Among equally acceptable formats the registry order decides, so JSON is the default.
    """
    if format_name:
        chosen = BY_NAME.get(format_name.lower())
        if chosen is None:
            names = ", ".join(BY_NAME)
            raise InvalidParameter(
                f"Unknown format {format_name!r}; use one of {names}.",
                parameter="format",
                value=format_name,
            )
        return chosen
    if not accept or not accept.strip():
        return JSON

    ranges = _parse_accept(accept)
    best: tuple[float, int, int] | None = None
    chosen_format: Format | None = None
    for position, fmt in enumerate(FORMATS):
        candidates = [fmt.media_type] + [alias for alias, f in BY_MEDIA_TYPE.items() if f is fmt]
        for media_type in candidates:
            matching = [rng for rng in ranges if rng.matches(media_type)]
            if not matching:
                continue
            # The most specific range decides the quality of a media type.
            rng = max(matching, key=lambda item: (item.specificity, -item.order))
            if rng.quality <= 0:
                continue
            score = (rng.quality, rng.specificity, -position)
            if best is None or score > best:
                best = score
                chosen_format = fmt
    if chosen_format is None:
        raise NotAcceptable(
            f"None of the requested media types ({accept}) is available. "
            f"Supported: {', '.join(SUPPORTED_MEDIA_TYPES)}; or add ?format= with one of "
            f"{', '.join(BY_NAME)}.",
            supported=SUPPORTED_MEDIA_TYPES,
        )
    return chosen_format
