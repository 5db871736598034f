"""A witness's view of the log through a gateway's HTTP API (standard library only, so a
witness needs nothing but this package and a client credential)."""

from __future__ import annotations

import base64
import contextlib
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from hub.errors import HubError


class SourceUnavailable(HubError):
    code = "source-unavailable"


class GatewaySource:
    def __init__(
        self, base_url: str, *, client_id: str, client_secret: str, timeout_s: float = 15.0
    ) -> None:
        if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
            raise SourceUnavailable(f"a gateway URL is http or https: {base_url!r}")
        self._base = base_url.rstrip("/")
        self._client = (client_id, client_secret)
        self._timeout = timeout_s
        self._token: str | None = None

    def verifier_keys(self) -> list[str]:
        keys = self._get("/.well-known/audit-keys.json", auth=False)["keys"]
        return [str(k["vkey"]) for k in keys if k.get("status", "current") == "current"]

    def checkpoints(self, *, after: int) -> list[str]:
        notes: list[str] = []
        while True:
            page = self._get("/v1/audit/checkpoints", {"after": after, "limit": 100})
            found = page["checkpoints"]
            notes += [str(c["note"]) for c in found]
            if len(found) < 100:
                return notes
            after = int(found[-1]["size"])

    def latest(self) -> str | None:
        try:
            return str(self._get("/v1/audit/checkpoints/latest")["note"])
        except SourceUnavailable as exc:
            if "404" in exc.message:
                return None
            raise

    def consistency(self, first: int, second: int) -> list[bytes]:
        proof = self._get("/v1/audit/proof/consistency", {"from": first, "to": second})
        return [base64.b64decode(h) for h in proof["consistency_path"]]

    def _get(self, path: str, query: dict[str, Any] | None = None, *, auth: bool = True) -> Any:
        url = self._base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Accept": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self._bearer()}"
        return self._call(urllib.request.Request(url, headers=headers))  # noqa: S310 - scheme checked

    def _bearer(self) -> str:
        if self._token is None:
            credentials = base64.b64encode(":".join(self._client).encode()).decode()
            request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
                self._base + "/oauth/token",
                data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
                headers={"Authorization": f"Basic {credentials}"},
                method="POST",
            )
            self._token = str(self._call(request)["access_token"])
        return self._token

    def _call(self, request: urllib.request.Request) -> Any:
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 - scheme checked in __init__
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            detail = ""
            with contextlib.suppress(ValueError, AttributeError):
                detail = json.loads(exc.read()).get("detail", "")
            raise SourceUnavailable(f"{request.full_url}: {exc.code} {detail}".strip()) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise SourceUnavailable(f"{request.full_url}: {exc}") from None
