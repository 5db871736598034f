"""Production may switch the interactive API docs off; the OpenAPI document stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.utils.stack import gateway_stack

pytestmark = pytest.mark.kafka


def test_docs_switched_off_answer_404_and_the_document_is_still_served(tmp_path: Path) -> None:
    with gateway_stack(tmp_path, docs=False) as stack:
        for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
            response = stack.http.get(path)
            assert response.status_code == 404, path
            assert response.headers["content-type"] == "application/problem+json"
        assert stack.http.get("/openapi.json").json()["paths"]["/v1/streams"]
        assert "docs" not in stack.http.get("/").json()["links"]
    with gateway_stack(tmp_path / "on") as stack:
        assert stack.http.get("/docs").status_code == 200
        assert stack.http.get("/").json()["links"]["docs"] == "/docs"
