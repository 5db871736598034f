"""What `hub dev` prints once the hub is up: where to look, and a first request to try."""

from __future__ import annotations

from pathlib import Path


def tour(base: str, env_file: Path) -> str:
    return f"""
Linkage is up.
  gateway      {base}/
  console      {base}/console   (sign in as one of the console people above)
  an incident  {base}/console/incidents/INC-2015-GM-01   (its timeline and assessment)
  API docs     {base}/docs
  JWKS         {base}/.well-known/jwks.json

Try it (another terminal):
  source {env_file}
  TOKEN=$(curl -s -u "$HEALTH_ID:$HEALTH_SECRET" -d grant_type=client_credentials $HUB_URL/oauth/token \\
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s -H "Authorization: Bearer $TOKEN" $HUB_URL/v1/streams
  curl -s -H "Authorization: Bearer $TOKEN" "$HUB_URL/v1/streams/meteorology.warning/events?limit=2"

Press Ctrl-C to stop (the broker stops with it).
"""
