"""Registry responses carry Confluent's media type."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response

MEDIA_TYPE = "application/vnd.schemaregistry.v1+json"


class RegistryJSON(Response):
    media_type = MEDIA_TYPE

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def raw_schema(text: str) -> Response:
    """``.../schema`` endpoints return the schema itself, not a JSON string of it."""
    return Response(text.encode(), media_type=MEDIA_TYPE)
