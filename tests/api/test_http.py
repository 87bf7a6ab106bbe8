"""HTTP conventions: content negotiation, ETags, problem documents, CORS and OpenAPI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from servicelist.api.app import create_app
from servicelist.settings import Settings

OPENAPI_PATH = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml; charset=utf-8"),
        ("application/n-triples", "application/n-triples; charset=utf-8"),
        (
            "text/html;q=0.9, text/turtle;q=0.5, application/json;q=0.4",
            "text/turtle; charset=utf-8",
        ),
        ("application/json;q=0, */*;q=0.1", "application/ld+json"),
        ("text/*", "text/turtle; charset=utf-8"),
    ],
)
def test_accept_selects_format(client: TestClient, accept: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}

    response = client.get("/v1/services/372", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert "Accept" in response.headers["vary"]


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("json", "application/json"),
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("nt", "application/n-triples"),
    ],
)
def test_format_parameter_overrides_accept(client: TestClient, name: str, media_type: str) -> None:
    response = client.get(f"/v1/services/372?format={name}", headers={"Accept": "application/pdf"})

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


def test_unsupported_accept_is_406_problem(client: TestClient) -> None:
    response = client.get("/v1/services/372", headers={"Accept": "application/pdf"})

    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "urn:servicelist:problem:not-acceptable"
    assert problem["supported"] == [
        "application/json",
        "application/ld+json",
        "text/turtle",
        "application/rdf+xml",
        "application/n-triples",
    ]
    assert "application/pdf" in problem["detail"]


def test_unknown_format_parameter_is_400(client: TestClient) -> None:
    response = client.get("/v1/services/372?format=pdf")

    assert response.status_code == 400
    assert response.json()["errors"][0]["name"] == "format"


def test_strong_etag_and_304(client: TestClient) -> None:
    first = client.get("/v1/services/372")
    etag = first.headers["etag"]

    again = client.get("/v1/services/372", headers={"If-None-Match": etag})

    assert etag.startswith('"')
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert "Accept" in again.headers["vary"]


def test_etag_differs_per_representation(client: TestClient) -> None:
    json_tag = client.get("/v1/services/372").headers["etag"]
    turtle_tag = client.get("/v1/services/372", headers={"Accept": "text/turtle"}).headers["etag"]

    stale = client.get(
        "/v1/services/372", headers={"Accept": "text/turtle", "If-None-Match": json_tag}
    )

    assert json_tag != turtle_tag
    assert stale.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/v1/lists",
        "/v1/lists/functions",
        "/v1/lists/functions/items",
        "/v1/lists/functions/items/1",
        "/v1/services",
        "/v1/services/372",
        "/v1/catalogue",
    ],
)
def test_every_get_has_etag(client: TestClient, path: str) -> None:
    response = client.get(path)
    etag = response.headers["etag"]

    assert response.status_code == 200
    assert client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304


def _assert_problem(response_json: dict[str, object], status: int, code: str) -> None:
    assert set(response_json) >= PROBLEM_KEYS
    assert response_json["type"] == f"urn:servicelist:problem:{code}"
    assert response_json["status"] == status
    assert isinstance(response_json["title"], str) and response_json["title"]
    assert isinstance(response_json["detail"], str) and response_json["detail"]


def test_problem_shape_for_every_status(
    client: TestClient, settings: Settings, engine: object
) -> None:
    cases = [
        (client.get("/v1/services/999999"), 404, "not-found"),
        (client.get("/v1/nowhere"), 404, "not-found"),
        (client.post("/v1/services"), 405, "method-not-allowed"),
        (client.get("/v1/services/372", headers={"Accept": "image/png"}), 406, "not-acceptable"),
        (client.get("/v1/services?limit=0"), 422, "validation-error"),
        (client.get("/v1/services?cursor=%%%"), 400, "invalid-cursor"),
        (client.post("/v1/services", content=b"x" * 2_000_000), 413, "content-too-large"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (status, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        _assert_problem(response.json(), status, code)


def test_internal_error_is_500_problem(settings: Settings, engine: object) -> None:
    app = create_app(settings, engine)  # type: ignore[arg-type]

    @app.get("/v1/failing")
    async def failing() -> None:
        raise RuntimeError("deliberate failure")

    with TestClient(app, raise_server_exceptions=False) as failing_client:
        response = failing_client.get("/v1/failing")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    _assert_problem(body, 500, "internal-error")
    assert "deliberate" not in body["detail"]


def test_method_not_allowed_names_method(client: TestClient) -> None:
    response = client.delete("/v1/services/372")

    assert response.status_code == 405
    assert "DELETE" in response.json()["detail"]
    assert "GET" in response.headers["allow"]


def test_cors_for_public_reads(client: TestClient) -> None:
    response = client.get("/v1/services/372", headers={"Origin": "https://council.example"})

    assert response.headers["access-control-allow-origin"] == "*"
    exposed = response.headers["access-control-expose-headers"].lower()
    assert "etag" in exposed
    assert "link" in exposed
    assert "access-control-allow-credentials" not in response.headers


def test_committed_openapi_matches_app(client: TestClient) -> None:
    committed = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))

    assert committed == client.app.openapi(), (  # type: ignore[attr-defined]
        "openapi/openapi.json is out of date: run `make openapi` and commit the result"
    )


def test_head_returns_headers_only(client: TestClient) -> None:
    identity = {"Accept-Encoding": "identity"}
    get = client.get("/v1/services/372", headers=identity)
    head = client.head("/v1/services/372", headers=identity)

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-length"] == str(len(get.content))


def test_repeated_request_served_identically(client: TestClient) -> None:
    # The fast path serves the second request from the remembered response, before routing.
    first = client.get("/v1/services?limit=5&tier=county", headers={"Accept": "text/turtle"})
    second = client.get("/v1/services?limit=5&tier=county", headers={"Accept": "text/turtle"})

    assert second.status_code == 200
    assert second.content == first.content
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["link"] == first.headers["link"]
    assert second.headers["content-type"] == first.headers["content-type"]
    assert "Accept" in second.headers["vary"]


def test_repeated_request_revalidates(client: TestClient) -> None:
    etag = client.get("/v1/lists/functions").headers["etag"]
    client.get("/v1/lists/functions")

    again = client.get("/v1/lists/functions", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""


def test_repeated_head_has_no_body(client: TestClient) -> None:
    client.get("/v1/lists/tiers")

    head = client.head("/v1/lists/tiers")

    assert head.status_code == 200
    assert head.content == b""


def test_gzip_when_accepted(client: TestClient) -> None:
    plain = client.get("/v1/catalogue", headers={"Accept-Encoding": "identity"})
    compressed = client.get("/v1/catalogue", headers={"Accept-Encoding": "gzip"})

    assert "content-encoding" not in plain.headers
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.content == plain.content  # the client decodes gzip
    assert compressed.headers["etag"] != plain.headers["etag"]
    assert "Accept-Encoding" in compressed.headers["vary"]


def test_gzip_refused_by_zero_quality(client: TestClient) -> None:
    response = client.get("/v1/catalogue", headers={"Accept-Encoding": "gzip;q=0, identity"})

    assert "content-encoding" not in response.headers


def test_cors_on_fast_path(client: TestClient) -> None:
    client.get("/v1/services/1")

    response = client.get("/v1/services/1", headers={"Origin": "https://council.example"})

    assert response.headers["access-control-allow-origin"] == "*"
