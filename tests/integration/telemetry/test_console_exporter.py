"""HUB_TELEMETRY_EXPORTER=console prints one span per gateway request, named by route
(and, when the process ends, its metrics)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from fastapi.testclient import TestClient
    from hub.config import TelemetrySettings
    from hub.gateway.app import create_app
    from tests.utils.settings import make_settings

    settings = make_settings(Path(sys.argv[1]), bootstrap="127.0.0.1:9")
    settings = settings.model_copy(update={"telemetry": TelemetrySettings(exporter="console")})
    with TestClient(create_app(settings)) as client:
        client.get("/problems/forbidden", headers={"X-Request-ID": "span-check-1"})
    """
)


def test_console_exporter_prints_a_span_per_request(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[3]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env["PYTHONPATH"] = str(root)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    # Spans, not the metrics the same exporter prints when the process ends.
    spans = [d for d in _documents(result.stdout) if "context" in d and "attributes" in d]
    (span,) = [s for s in spans if s["attributes"].get("linkage.request_id") == "span-check-1"]
    assert span["name"] == "GET /problems/{slug}"
    assert span["kind"] == "SpanKind.SERVER"
    assert span["attributes"]["http.response.status_code"] == 200
    assert span["resource"]["attributes"]["service.name"] == "linkage-hub"


def _documents(text: str) -> list[dict]:
    """The console exporter prints one pretty JSON document per span, back to back."""
    decoder, found, index = json.JSONDecoder(), [], 0
    while (start := text.find("{", index)) != -1:
        document, index = decoder.raw_decode(text, start)
        found.append(document)
    return found
