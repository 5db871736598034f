"""`hub schemas check`: conventions, stream wiring, and evolution against git and registry."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from hub.catalog.conventions import Problem, check_files, check_streams
from hub.catalog.evolution import SubjectState, check_against, git_baseline, subjects_of
from hub.catalog.files import SchemaCatalog
from hub.config import Settings
from hub.errors import HubError
from hub.policy.loader import load_policy
from hub.registry.service import RegistryService
from hub.store.engine import make_engine, make_sessions


@dataclass
class CheckOutcome:
    problems: list[Problem] = field(default_factory=list)
    compared: list[str] = field(default_factory=list)
    summary: str = ""


def run_checks(settings: Settings, *, against: str, registry: bool) -> CheckOutcome:
    outcome = CheckOutcome()
    catalog = SchemaCatalog.load(settings.schemas_dir)
    root = settings.schemas_dir.parent
    outcome.problems += check_files(catalog, root)
    try:
        policy = load_policy(settings.policies_dir)
    except HubError as exc:
        outcome.problems.append(Problem("policies/", exc.message))
        return outcome
    outcome.problems += check_streams(catalog, [(s.id, s.schema_name) for s in policy.streams])
    if outcome.problems:
        return outcome
    current = subjects_of(catalog, settings.policies_dir / "streams.yaml")
    if against != "none":
        baseline = git_baseline(root, against)
        if baseline is not None:
            ref, then = baseline
            previous = {subject: [(0, state.text)] for subject, state in then.items()}
            outcome.problems += check_against(current, previous, f"git {ref[:12]}")
            outcome.compared.append(f"git {ref[:12]}")
    if registry:
        registered = _registered(settings, current)
        if registered is not None:
            outcome.problems += check_against(current, registered, "registered versions")
            outcome.compared.append("the hub's registry")
    events = sum(1 for _ in catalog.events())
    shared = len(catalog.files) - events
    compared = f"; compared with {' and '.join(outcome.compared)}" if outcome.compared else ""
    outcome.summary = f"{events} event schemas and {shared} shared types pass{compared}"
    return outcome


def _registered(
    settings: Settings, current: dict[str, SubjectState]
) -> dict[str, list[tuple[int, str]]] | None:
    """Live versions per subject, newest first; None if there is no registry to ask."""
    url = make_url(settings.database.url)
    if url.get_backend_name() == "sqlite" and (not url.database or not Path(url.database).exists()):
        return None
    try:
        engine = make_engine(settings.database)
        try:
            if "registry_subject_versions" not in inspect(engine).get_table_names():
                return None
            registry = RegistryService(make_sessions(engine))
            found: dict[str, list[tuple[int, str]]] = {}
            for subject in current:
                try:
                    versions = registry.versions(subject=subject)
                except HubError:
                    continue  # a subject the registry has not seen yet
                found[subject] = [
                    (version, registry.decodable(_schema_id(registry, subject, version)).text)
                    for version in reversed(versions)
                ]
            return found
        finally:
            engine.dispose()
    except SQLAlchemyError:
        return None


def _schema_id(registry: RegistryService, subject: str, version: int) -> int:
    return registry.version(subject=subject, version=version).schema_id
