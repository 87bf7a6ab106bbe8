"""A service page for a council website: HTML5 with schema.org ``GovernmentService`` JSON-LD.

``service_content`` resolves an offered service's effective fields in one language (labels fall
back to English). ``government_service`` maps that to schema.org JSON-LD, and ``render_page``
writes a small HTML5 document that embeds it. Every text is HTML-escaped, and the JSON inside
``<script>`` has ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so no value can end the
script element or open a tag.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import orjson

from servicelist.catalogue.durations import total_duration
from servicelist.catalogue.views import item_uri
from servicelist.errors import NotFound
from servicelist.lists import records as r
from servicelist.municipalities import fields as f
from servicelist.municipalities.effective import (
    LocalCatalogue,
    municipality_uri,
)
from servicelist.municipalities.navigation import language_map, page_href, pick_text

SCHEMA_ORG = "https://schema.org"
DAY_NAMES = {
    "Mo": "Monday",
    "Tu": "Tuesday",
    "We": "Wednesday",
    "Th": "Thursday",
    "Fr": "Friday",
    "Sa": "Saturday",
    "Su": "Sunday",
}
# Headings of the page. Only English exists so far; the page marks them lang="en" when the
# page itself is in another language.
HEADINGS = {
    "how": "How to get it",
    "hours": "Opening hours",
    "exceptions": "Changed opening hours",
    "closed": "closed",
    "languages": "Languages",
    "fees": "Fees",
    "procedure": "How it works",
    "steps": "What happens next",
    "expected": "Expected time",
    "department": "Department",
    "provider": "Provided by",
    "web": "Online",
    "phone": "Phone",
    "email": "Email",
}
HEADINGS_LANGUAGE = "en"
RANGE = "\N{EN DASH}"


@dataclass(frozen=True, slots=True)
class Text:
    """A text with the language it is written in."""

    value: str
    language: str | None


@dataclass(frozen=True, slots=True)
class Channel:
    """One channel a service is offered on, with its address and hours."""

    id: str
    label: Text
    url: str | None
    phone: str | None
    email: str | None
    languages: list[str]
    opening_hours: list[dict[str, str]]
    hours_exceptions: list[dict[str, Any]]
    note: str | None


@dataclass(frozen=True, slots=True)
class ServiceContent:
    """The content of a service page, resolved in one language."""

    service_id: str
    language: str
    uri: str
    standard_id: str | None
    standard_label: str | None
    label: Text
    description: Text | None
    fees: str | None
    procedure: str | None
    department: str | None
    channels: list[Channel]
    audiences: list[tuple[str, Text]]
    steps: list[dict[str, Any]]
    expected_duration: str | None
    municipality_name: str
    municipality_uri: str
    homepage_url: str | None
    gss: str | None
    web_url: str | None = None


def service_content(local: LocalCatalogue, service_id: str, language: str) -> ServiceContent:
    """Resolve an offered service for its page; raise ``NotFound`` when it is not offered."""
    local.require(service_id)
    municipality = local.municipality
    offer = local.offer(service_id)
    if not offer.offered:
        where = (
            f" {offer.provider.name} provides it: "
            f"{page_href(offer.provider.id, service_id, 'en', 'en')}."
            if offer.provider is not None
            else ""
        )
        raise NotFound(
            f"Municipality {municipality.id!r} does not offer service {service_id!r} "
            f"({offer.reason}), so it has no page.{where}"
        )

    values, _ = local.effective(service_id)
    catalogue = local.catalogue
    label, label_language = pick_text(language_map(values, "label"), language)
    description, description_language = pick_text(language_map(values, "description"), language)
    standard = catalogue.find_item(r.SERVICES, service_id)
    steps = list(values.get("process.steps") or [])
    base = municipality_uri(local.base_uri, municipality.id)

    return ServiceContent(
        service_id=service_id,
        language=language,
        uri=f"{base}/services/{service_id}",
        standard_id=standard.identifier if standard is not None else None,
        standard_label=standard.label if standard is not None else None,
        label=Text(label or service_id, label_language),
        description=Text(description, description_language) if description else None,
        fees=values.get("fees"),
        procedure=values.get("procedure"),
        department=values.get("department"),
        channels=_channels(local, values, language),
        audiences=_audiences(local, values.get("audiences") or [], language),
        steps=steps,
        expected_duration=total_duration(step["duration"] for step in steps) if steps else None,
        municipality_name=municipality.name,
        municipality_uri=base,
        homepage_url=municipality.homepage_url,
        gss=municipality.gss,
        web_url=values.get("channels.web.url"),
    )


def _channels(local: LocalCatalogue, values: f.Flat, language: str) -> list[Channel]:
    channels = []
    for item in local.catalogue.items.get(r.CHANNELS, []):
        prefix = f"channels.{item.identifier}."
        if not values.get(prefix + "available"):
            continue
        label, label_language = pick_text(item.labels, language)

        def value(attribute: str, prefix: str = prefix) -> Any:
            return values.get(prefix + attribute, f.channel_default(attribute))

        channels.append(
            Channel(
                id=item.identifier,
                label=Text(label or item.identifier, label_language),
                url=value("url"),
                phone=value("phone"),
                email=value("email"),
                languages=list(value("languages") or []),
                opening_hours=list(value("opening_hours") or []),
                hours_exceptions=list(value("hours_exceptions") or []),
                note=value("note"),
            )
        )
    return channels


def _audiences(
    local: LocalCatalogue, identifiers: list[str], language: str
) -> list[tuple[str, Text]]:
    found = []
    for identifier in identifiers:
        item = local.catalogue.find_item(r.AUDIENCES, identifier)
        if item is None:
            continue
        label, label_language = pick_text(item.labels, language)
        found.append((item_uri(local.base_uri, item), Text(label or identifier, label_language)))
    return found


# schema.org JSON-LD


def government_service(content: ServiceContent, page_url: str) -> dict[str, Any]:
    """Map a service page to a schema.org ``GovernmentService`` node.

    ``url`` is the council's own web page for the service when it has one, else ``page_url``.
    """
    area: dict[str, Any] = {"@type": "AdministrativeArea", "name": content.municipality_name}
    provider: dict[str, Any] = {
        "@type": "GovernmentOrganization",
        "@id": content.municipality_uri,
        "name": content.municipality_name,
    }
    if content.homepage_url and _is_web_url(content.homepage_url):
        provider["url"] = content.homepage_url
    if content.gss:
        gss = {"@type": "PropertyValue", "propertyID": "GSS", "value": content.gss}
        area["identifier"] = gss
        provider["identifier"] = gss

    node: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "GovernmentService",
        "@id": content.uri,
        "name": content.label.value,
        "url": content.web_url if content.web_url and _is_web_url(content.web_url) else page_url,
        "provider": provider,
        "areaServed": area,
    }
    if content.standard_id is not None:
        node["identifier"] = {
            "@type": "PropertyValue",
            "propertyID": "LGSL",
            "value": content.standard_id,
        }
    else:
        node["identifier"] = content.service_id
    if content.description is not None:
        node["description"] = content.description.value
    service_type = content.standard_label or content.department
    if service_type:
        node["serviceType"] = service_type
    if content.fees:
        node["offers"] = {"@type": "Offer", "description": content.fees}
    if content.audiences:
        node["audience"] = [
            {"@type": "Audience", "@id": uri, "audienceType": text.value}
            for uri, text in content.audiences
        ]
    channels = [_service_channel(content, channel) for channel in content.channels]
    if channels:
        node["availableChannel"] = channels
    return node


def _service_channel(content: ServiceContent, channel: Channel) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@type": "ServiceChannel",
        "@id": f"{content.uri}/channels/{quote(channel.id, safe='')}",
        "name": channel.label.value,
    }
    if channel.url and _is_web_url(channel.url):
        node["serviceUrl"] = channel.url
    elif channel.email:
        node["serviceUrl"] = f"mailto:{quote(channel.email, safe='@')}"
    if channel.languages:
        node["availableLanguage"] = channel.languages
    if content.expected_duration:
        node["processingTime"] = content.expected_duration
    hours = _opening_hours_specification(channel)
    if channel.id in ("phone", "sms") and (channel.phone or hours):
        contact: dict[str, Any] = {"@type": "ContactPoint", "contactType": channel.label.value}
        if channel.phone:
            contact["telephone"] = channel.phone
        if hours:
            contact["hoursAvailable"] = hours
        node["serviceSmsNumber" if channel.id == "sms" else "servicePhone"] = contact
    elif hours and channel.id in ("desk", "mobile-office"):
        node["serviceLocation"] = {
            "@type": "Place",
            "name": f"{content.municipality_name}: {channel.label.value}",
            "openingHoursSpecification": hours,
        }
    return node


def _opening_hours_specification(channel: Channel) -> list[dict[str, Any]]:
    """Return weekly hours, days with equal hours grouped, then the dated exceptions.

    A day closed all day has opens and closes "00:00"; 24:00 is written 23:59, as schema.org
    times stop there.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for entry in channel.opening_hours:
        groups.setdefault((entry["opens"], entry["closes"]), []).append(entry["day"])
    specification: list[dict[str, Any]] = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": [f"{SCHEMA_ORG}/{DAY_NAMES[day]}" for day in days],
            "opens": opens,
            "closes": _schema_time(closes),
        }
        for (opens, closes), days in groups.items()
    ]
    for exception in channel.hours_exceptions:
        opens, closes = exception.get("opens"), exception.get("closes")
        specification.append(
            {
                "@type": "OpeningHoursSpecification",
                "validFrom": exception["date"],
                "validThrough": exception["date"],
                "opens": opens or "00:00",
                "closes": _schema_time(closes) if closes else "00:00",
                "description": exception["reason"],
            }
        )
    return specification


def _schema_time(value: str) -> str:
    return "23:59" if value == "24:00" else value


def _is_web_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def json_ld_bytes(node: dict[str, Any]) -> bytes:
    """Serialise JSON-LD so that it is also safe inside an HTML ``<script>`` element."""
    return (
        orjson.dumps(node)
        .replace(b"<", b"\\u003c")
        .replace(b">", b"\\u003e")
        .replace(b"&", b"\\u0026")
    )


# HTML


def _escape(value: str) -> str:
    return html.escape(value, quote=True)


def _text(text: Text, page_language: str) -> str:
    """Return escaped text, wrapped in a ``span`` with ``lang`` when its language differs."""
    if text.language is None or text.language == page_language:
        return _escape(text.value)
    return f'<span lang="{_escape(text.language)}">{_escape(text.value)}</span>'


def _heading(key: str, page_language: str) -> str:
    return _text(Text(HEADINGS[key], HEADINGS_LANGUAGE), page_language)


def _attribute_language(text: Text, page_language: str) -> str:
    if text.language is None or text.language == page_language:
        return ""
    return f' lang="{_escape(text.language)}"'


def _link(url: str) -> str:
    """Return a link to an http(s) URL, or the URL as plain text for any other scheme."""
    if not _is_web_url(url):
        return _escape(url)
    return f'<a href="{_escape(url)}">{_escape(url)}</a>'


def _phone_link(phone: str) -> str:
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    return f'<a href="tel:{_escape(digits)}">{_escape(phone)}</a>'


def _email_link(email: str) -> str:
    return f'<a href="mailto:{_escape(quote(email, safe="@"))}">{_escape(email)}</a>'


def _hours_table(channel: Channel, language: str) -> list[str]:
    if not channel.opening_hours:
        return []
    lines = [f"<table><caption>{_heading('hours', language)}</caption><tbody>"]
    for entry in channel.opening_hours:
        day = Text(DAY_NAMES.get(entry["day"], entry["day"]), HEADINGS_LANGUAGE)
        lines.append(
            f'<tr><th scope="row">{_text(day, language)}</th>'
            f"<td>{_escape(entry['opens'])}{RANGE}{_escape(entry['closes'])}</td></tr>"
        )
    lines.append("</tbody></table>")
    return lines


def _exceptions_list(channel: Channel, language: str) -> list[str]:
    if not channel.hours_exceptions:
        return []
    lines = [f"<h4>{_heading('exceptions', language)}</h4>", "<ul>"]
    for exception in channel.hours_exceptions:
        if exception.get("opens") and exception.get("closes"):
            hours = f"{_escape(exception['opens'])}{RANGE}{_escape(exception['closes'])}"
        else:
            hours = _heading("closed", language)
        lines.append(
            f'<li><time datetime="{_escape(exception["date"])}">{_escape(exception["date"])}'
            f"</time>: {hours} ({_escape(exception['reason'])})</li>"
        )
    lines.append("</ul>")
    return lines


def _channel_section(channel: Channel, language: str) -> list[str]:
    lines = [
        "<section>",
        f"<h3{_attribute_language(channel.label, language)}>{_escape(channel.label.value)}</h3>",
    ]
    details = []
    if channel.url:
        details.append(f"<dt>{_heading('web', language)}</dt><dd>{_link(channel.url)}</dd>")
    if channel.phone:
        details.append(
            f"<dt>{_heading('phone', language)}</dt><dd>{_phone_link(channel.phone)}</dd>"
        )
    if channel.email:
        details.append(
            f"<dt>{_heading('email', language)}</dt><dd>{_email_link(channel.email)}</dd>"
        )
    if channel.languages:
        details.append(
            f"<dt>{_heading('languages', language)}</dt>"
            f"<dd>{_escape(', '.join(channel.languages))}</dd>"
        )
    if details:
        lines += ["<dl>", *details, "</dl>"]
    if channel.note:
        lines.append(f"<p>{_escape(channel.note)}</p>")
    lines += _hours_table(channel, language)
    lines += _exceptions_list(channel, language)
    lines.append("</section>")
    return lines


def _steps_section(content: ServiceContent, language: str) -> list[str]:
    if not content.steps:
        return []
    lines = ["<section>", f"<h2>{_heading('steps', language)}</h2>", "<ol>"]
    for step in content.steps:
        description = step.get("description")
        text = f"<strong>{_escape(step['label'])}</strong>"
        if description:
            text += f": {_escape(description)}"
        lines.append(f"<li>{text}</li>")
    lines.append("</ol>")
    if content.expected_duration:
        lines.append(
            f"<p>{_heading('expected', language)}: "
            f'<time datetime="{_escape(content.expected_duration)}">'
            f"{_escape(content.expected_duration)}</time></p>"
        )
    lines.append("</section>")
    return lines


def render_page(content: ServiceContent, json_ld: dict[str, Any]) -> bytes:
    """Write the HTML5 page of a service with its JSON-LD in the head."""
    language = content.language
    title = f"{content.label.value} - {content.municipality_name}"
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{_escape(language)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(title)}</title>",
    ]
    if content.description is not None:
        head.append(f'<meta name="description" content="{_escape(content.description.value)}">')
    head += [
        '<script type="application/ld+json">',
        json_ld_bytes(json_ld).decode(),
        "</script>",
        "</head>",
    ]

    body = [
        "<body>",
        "<main>",
        "<article>",
        f"<h1{_attribute_language(content.label, language)}>{_escape(content.label.value)}</h1>",
    ]
    if content.description is not None:
        body.append(f"<p>{_text(content.description, language)}</p>")
    if content.channels:
        body += ["<section>", f"<h2>{_heading('how', language)}</h2>"]
        for channel in content.channels:
            body += _channel_section(channel, language)
        body.append("</section>")
    if content.fees:
        body.append(
            f"<section><h2>{_heading('fees', language)}</h2>"
            f"<p>{_escape(content.fees)}</p></section>"
        )
    if content.procedure:
        body.append(
            f"<section><h2>{_heading('procedure', language)}</h2>"
            f"<p>{_escape(content.procedure)}</p></section>"
        )
    body += _steps_section(content, language)

    if content.department:
        body.append(f"<p>{_heading('department', language)}: {_escape(content.department)}</p>")

    provider = _escape(content.municipality_name)
    if content.homepage_url and _is_web_url(content.homepage_url):
        provider = f'<a href="{_escape(content.homepage_url)}">{provider}</a>'
    body += [
        "</article>",
        "</main>",
        f"<footer><p>{_heading('provider', language)}: {provider}</p></footer>",
        "</body>",
        "</html>",
    ]
    return ("\n".join(head + body) + "\n").encode()
