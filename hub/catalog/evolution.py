"""Is each subject's schema compatible with what came before it?

"Before" comes from two places: git history (the schemas as they were before the last
change to ``schemas/`` or ``policies/streams.yaml``, or any ref asked for), which works
on a bare CI clone, and the hub's registry database, which knows every version ever
registered. A subject that is new (a new stream, or a new major version) has no past.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hub.catalog.conventions import Problem
from hub.catalog.files import SchemaCatalog
from hub.errors import HubError
from hub.policy.loader import load_streams
from hub.registry.compatibility import PreviousVersion, check_compatibility
from hub.serde.modes import CompatibilityMode
from hub.serde.parse import fingerprint, parse_avro

TRACKED = ("schemas", "policies/streams.yaml")


@dataclass(frozen=True, slots=True)
class SubjectState:
    subject: str
    schema_name: str
    text: str
    mode: CompatibilityMode


def subjects_of(catalog: SchemaCatalog, streams_yaml: Path) -> dict[str, SubjectState]:
    """Subject -> resolved schema, from a catalogue and the streams of a streams.yaml."""
    states = {}
    for stream in load_streams(streams_yaml):
        if stream.schema_name in catalog.files:
            states[stream.subject] = SubjectState(
                stream.subject,
                stream.schema_name,
                catalog.resolve_text(stream.schema_name),
                stream.compatibility,
            )
    return states


def check_against(
    current: dict[str, SubjectState], previous: dict[str, list[tuple[int, str]]], source: str
) -> list[Problem]:
    """``previous``: subject -> [(version, schema text)], newest first."""
    problems = []
    for subject, state in sorted(current.items()):
        history = previous.get(subject, [])
        new = parse_avro(state.text)
        if not history or fingerprint(parse_avro(history[0][1])) == fingerprint(new):
            continue  # a new subject, or unchanged since its latest version
        report = check_compatibility(
            state.mode, new, [PreviousVersion(v, parse_avro(t)) for v, t in history]
        )
        for message in report.messages:
            problems.append(
                Problem(
                    f"{state.schema_name} ({subject})", f"incompatible with {source}: {message}"
                )
            )
    return problems


def git_baseline(repo: Path, ref: str) -> tuple[str, dict[str, SubjectState]] | None:
    """The subjects as they were at ``ref`` (``auto``: before the last schema change)."""
    if not (repo / ".git").exists():
        return None
    resolved = _auto_ref(repo) if ref == "auto" else ref
    if resolved is None:
        return None
    archive = _git_bytes(repo, "archive", "--format=tar", resolved, "--", *TRACKED)
    if archive is None:
        raise HubError(f"git cannot read schemas/ and policies/streams.yaml at {resolved!r}")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        root = Path(tmp)
        try:
            catalog = SchemaCatalog.load(root / "schemas")
            return resolved, subjects_of(catalog, root / "policies" / "streams.yaml")
        except (HubError, OSError) as exc:
            raise HubError(
                f"the schemas at {resolved} cannot be read to compare with: {exc}"
            ) from exc


def _auto_ref(repo: Path) -> str | None:
    if _git_text(repo, "status", "--porcelain", "--", *TRACKED):
        return "HEAD" if _git_text(repo, "rev-parse", "--verify", "-q", "HEAD") else None
    last = (_git_text(repo, "log", "-n", "1", "--format=%H", "--", *TRACKED) or "").strip()
    if not last:
        return None
    parent = (_git_text(repo, "rev-parse", "--verify", "-q", f"{last}~1") or "").strip()
    return parent or None


def _git_text(repo: Path, *args: str) -> str | None:
    out = _git_bytes(repo, *args)
    return out.decode() if out is not None else None


def _git_bytes(repo: Path, *args: str) -> bytes | None:
    try:
        done = subprocess.run(  # noqa: S603 - fixed git argv
            ["git", "-C", str(repo), *args],  # noqa: S607 - git from PATH, as any developer runs it
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return done.stdout
