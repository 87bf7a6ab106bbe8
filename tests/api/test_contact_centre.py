"""ABC classes, channels, audiences, life events, process maps and first-contact guidance."""

from __future__ import annotations

from fastapi.testclient import TestClient

from servicelist.api import schemas

SERVICE_A = "1413"  # Civic buildings: opening hours of the council offices
SERVICE_B = "487"  # Full planning applications
SERVICE_C = "376"  # Dangerous animals licence


def test_every_service_has_authored_fields(client: TestClient) -> None:
    body = client.get("/v1/services", params={"limit": 1000}).json()
    rest = client.get(body["next"]).json()

    services = [*body["items"], *rest["items"]]
    assert len(services) == 1567
    for item in services:
        service = schemas.Service.model_validate(item)
        assert service.abc is not None, service.id
        assert service.abc.assignment == "suggested", service.id
        assert service.channels, service.id
        assert sum(channel.primary for channel in service.channels) == 1, service.id
        assert service.audiences, service.id
        assert service.process is not None, service.id


def test_abc_and_channel_filters(client: TestClient) -> None:
    body = client.get("/v1/services", params={"abc": "A", "channel": "web", "limit": 1000}).json()

    assert body["total"] > 100
    assert SERVICE_A in {item["id"] for item in body["items"]}
    for item in body["items"]:
        assert item["abc"]["class"] == "A"
        assert "web" in {channel["id"] for channel in item["channels"]}


def test_channel_details_carry_costs_and_hours(client: TestClient) -> None:
    body = client.get(f"/v1/services/{SERVICE_A}").json()

    phone = next(channel for channel in body["channels"] if channel["id"] == "phone")
    costs = {(cost["currency"], cost["amount"]) for cost in phone["cost_per_contact"]}
    assert costs == {("EUR", 10.0), ("GBP", 2.83)}
    assert {hours["day"] for hours in phone["opening_hours"]} >= {"Mo", "Fr"}
    assert "2026-12-25" in {exception["date"] for exception in phone["hours_exceptions"]}
    assert phone["languages"] == ["en"]


def test_audience_filter_includes_finer_groups(client: TestClient) -> None:
    residents = client.get("/v1/services", params={"audience": "residents", "limit": 1}).json()
    direct = client.get("/v1/lists/audiences/items/residents").json()["related"].get("services", [])

    assert residents["total"] >= len(direct)
    assert residents["total"] > 0


def test_unknown_filter_values_are_rejected(client: TestClient) -> None:
    channel = client.get("/v1/services", params={"channel": "pigeon"})
    abc = client.get("/v1/services", params={"abc": "D"})

    assert channel.status_code == 400
    assert channel.json()["errors"][0]["name"] == "channel"
    assert abc.status_code == 422


def test_life_events_reach_services(client: TestClient) -> None:
    body = client.get("/v1/life-events", params={"limit": 1000}).json()

    assert body["total"] >= 25
    for event in body["items"]:
        assert len(event["related"]["services"]) >= 3, event["id"]


def test_having_a_child_services(client: TestClient) -> None:
    response = client.get("/v1/life-events/having-a-child/services", params={"limit": 1000})

    body = schemas.ServicePage.model_validate(response.json())
    ids = {item.id for item in body.items}
    assert "319" in ids
    assert "321" not in ids
    birth = next(item for item in body.items if item.id == "319")
    reasons = [event for event in birth.life_events if event.id == "having-a-child"]
    assert reasons[0].note
    assert reasons[0].reason_type in ("editorial", "navigation", "function")


def test_unknown_life_event_is_404(client: TestClient) -> None:
    response = client.get("/v1/life-events/winning-the-lottery/services")

    assert response.status_code == 404
    assert "winning-the-lottery" in response.json()["detail"]


def test_request_process_steps(client: TestClient) -> None:
    body = schemas.ProcessMap.model_validate(client.get(f"/v1/services/{SERVICE_B}/process").json())

    assert body.kind == "request"
    assert [step.order for step in body.steps] == [1, 2, 3, 4, 5]
    assert [step.office_tier for step in body.steps] == ["front", "mid", "back", "mid", "front"]
    assert body.steps[0].channel_role == "intake"
    assert body.steps[-1].channel_role == "delivery"
    assert body.expected_duration.startswith("P")


def test_question_process_steps(client: TestClient) -> None:
    body = schemas.ProcessMap.model_validate(client.get(f"/v1/services/{SERVICE_A}/process").json())

    assert body.kind == "question"
    assert [step.office_tier for step in body.steps] == ["front", "mid", "front"]


def test_first_contact_a_is_settled(client: TestClient) -> None:
    response = client.get(f"/v1/services/{SERVICE_A}/first-contact", params={"channel": "phone"})

    body = schemas.FirstContact.model_validate(response.json())
    assert body.abc_class == "A"
    assert body.resolution == "settle"
    assert body.front_line_can_settle is True
    assert body.channel == "phone"
    assert body.channel_offered is True
    assert body.refer_to is None


def test_first_contact_b_explains_next_step(client: TestClient) -> None:
    response = client.get(f"/v1/services/{SERVICE_B}/first-contact", params={"channel": "phone"})

    body = schemas.FirstContact.model_validate(response.json())
    assert body.abc_class == "B"
    assert body.resolution == "explain-and-forward"
    assert body.front_line_can_settle is False
    assert [step.office_tier for step in body.remaining_steps] == ["mid", "back", "mid", "front"]
    assert "mid office" in body.summary
    assert body.expected_duration != "PT0S"


def test_first_contact_c_refers_to_department(client: TestClient) -> None:
    response = client.get(f"/v1/services/{SERVICE_C}/first-contact", params={"channel": "phone"})

    body = schemas.FirstContact.model_validate(response.json())
    assert body.abc_class == "C"
    assert body.resolution == "refer"
    assert body.refer_to is not None
    assert body.refer_to.label in body.summary


def test_first_contact_on_channel_not_offered(client: TestClient) -> None:
    body = client.get(
        f"/v1/services/{SERVICE_B}/first-contact", params={"channel": "mobile-office"}
    ).json()

    assert body["channel_offered"] is False
    assert body["channel_details"] is None
    assert "web" in body["alternative_channels"]


def test_first_contact_defaults_to_primary_channel(client: TestClient) -> None:
    service = client.get(f"/v1/services/{SERVICE_B}").json()
    primary = next(channel["id"] for channel in service["channels"] if channel["primary"])

    body = client.get(f"/v1/services/{SERVICE_B}/first-contact").json()

    assert body["channel"] == primary


def test_first_contact_unknown_channel_is_400(client: TestClient) -> None:
    response = client.get(f"/v1/services/{SERVICE_A}/first-contact", params={"channel": "fax"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["value"] == "fax"


def test_first_contact_is_json_only(client: TestClient) -> None:
    response = client.get(
        f"/v1/services/{SERVICE_A}/first-contact", headers={"Accept": "text/turtle"}
    )

    assert response.status_code == 406
    assert response.json()["supported"] == ["application/json"]


def test_process_vocabulary_is_published(client: TestClient) -> None:
    response = client.get("/vocab/process", headers={"Accept": "text/turtle"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert "@prefix process: <http://127.0.0.1:8000/vocab/process#>" in response.text
    assert "process:ProcessStep" in response.text
    assert "servicelist.invalid" not in response.text


def test_process_shapes_in_other_syntax(client: TestClient) -> None:
    response = client.get("/vocab/process/shapes", params={"format": "nt"})

    assert response.status_code == 200
    assert "http://www.w3.org/ns/shacl#NodeShape" in response.text


def test_process_vocabulary_is_rdf_only(client: TestClient) -> None:
    response = client.get("/vocab/process", headers={"Accept": "application/json"})

    assert response.status_code == 406


def test_process_map_in_turtle(client: TestClient) -> None:
    response = client.get(f"/v1/services/{SERVICE_B}/process", headers={"Accept": "text/turtle"})

    assert response.status_code == 200
    assert "@prefix process: <http://127.0.0.1:8000/vocab/process#>" in response.text


def test_life_event_pages_link_to_own_path(client: TestClient) -> None:
    events = client.get("/v1/life-events", params={"limit": 5}).json()
    items = client.get("/v1/lists/life-events/items", params={"limit": 5}).json()

    assert events["next"].startswith("http://testserver/v1/life-events?")
    assert items["next"].startswith("http://testserver/v1/lists/life-events/items?")
    assert events["items"] == items["items"]


def test_service_pages_link_to_own_path(client: TestClient) -> None:
    by_event = client.get("/v1/life-events/having-a-child/services", params={"limit": 2}).json()
    by_filter = client.get(
        "/v1/services", params={"life_event": "having-a-child", "limit": 2}
    ).json()

    assert by_event["next"].startswith("http://testserver/v1/life-events/having-a-child/services?")
    assert by_filter["next"].startswith("http://testserver/v1/services?")
    assert by_event["items"] == by_filter["items"]
