"""The committed JSON Schema and OpenAPI files match what the code generates."""

from __future__ import annotations

import json
from pathlib import Path

from gorunchat.openapi import artifacts, check, openapi_document

ROOT = Path(__file__).resolve().parents[2]


def test_committed_generated_files_are_fresh() -> None:
    stale = check(ROOT / "generated")
    assert stale == [], "run `gorunchat contracts export` and commit generated/"


def test_openapi_documents_the_served_function_routes() -> None:
    doc = openapi_document()
    assert doc["openapi"] == "3.1.0"
    update = doc["paths"]["/api/convos/update"]["post"]
    assert update["operationId"] == "convos.update"
    assert update["x-audit-action"] == "conversation.update"
    assert update["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/UpdateConversationRequest"}
    assert "/api/agents/chat" not in doc["paths"]  # the streaming service is not a function


def test_every_dto_has_a_json_schema_file() -> None:
    files = artifacts()
    schema = json.loads(files["jsonschema/errors.ErrorEnvelope.json"])
    assert schema["required"] == ["error"]
    assert "jsonschema/routes.Route.json" in files
