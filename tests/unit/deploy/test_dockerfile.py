"""deploy/Dockerfile read structurally (no Docker runs here): two stages, nothing that
compiles in the image that runs, a non-root user, a healthcheck, and every file and
setting it names real."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest

from tests.unit.deploy import compose_file, dockerfile
from tests.unit.deploy.settings_env import settings_from, unknown_names

BUILD_TOOLS = re.compile(
    r"\b(build-essential|gcc|g\+\+|clang|make|cmake|libc6-dev|python3-dev|[\w.+-]+-dev)\b"
)


def final() -> dockerfile.Stage:
    return dockerfile.stages()[-1]


def build() -> dockerfile.Stage:
    return dockerfile.stages()[0]


def test_the_reader_sees_stages_and_continued_lines() -> None:
    """The checks below can fail: the reader splits stages and joins continuations."""
    stages = dockerfile.parse(
        "FROM a AS one\nRUN x \\\n  # note\n  && y\nFROM b\nUSER 1\nENV A=1 \\\n    B=2\n"
    )
    assert [(s.base, s.name) for s in stages] == [("a", "one"), ("b", None)]
    assert stages[0].all("RUN")[0].text == "x    && y"
    assert stages[1].env() == {"A": "1", "B": "2"}


def test_there_is_a_build_stage_and_a_runtime_stage() -> None:
    """Breaks if the image is built in one stage (the compilers would ship) or from
    another base than python:3.11-slim."""
    stages = dockerfile.stages()
    assert len(stages) >= 2
    assert build().name
    for stage in stages:
        assert stage.base.startswith("python:3.11-slim"), stage.base


def test_the_runtime_stage_installs_no_build_tools() -> None:
    """Breaks if the final stage installs a compiler, make or -dev headers, or any
    Debian package at all (everything it needs comes as wheels)."""
    for run in final().all("RUN"):
        assert "apt-get install" not in run.text, run.text
        assert not BUILD_TOOLS.search(run.text), run.text
    assert BUILD_TOOLS.search(" ".join(r.text for r in build().all("RUN")))


def test_the_runtime_stage_installs_only_the_wheels_built_before() -> None:
    """Breaks if the final stage installs from an index (it would fetch, and perhaps
    build, what the build stage did not) or takes nothing from the build stage."""
    from_build = [
        i
        for i in final().instructions
        if f"from={build().name}" in i.text and i.keyword in ("COPY", "RUN")
    ]
    assert from_build, "nothing is taken from the build stage"
    installs = [r.text for r in final().all("RUN") if "pip install" in r.text]
    assert installs
    for text in installs:
        assert "--no-index" in text
        assert "--find-links" in text


def test_the_image_runs_as_a_fixed_unprivileged_user() -> None:
    """Breaks if the last USER is root, a name (Kubernetes' runAsNonRoot cannot check
    a name) or missing."""
    user = final().last("USER")
    assert user is not None
    uid = user.text.split(":")[0]
    assert uid.isdigit()
    assert int(uid) >= 1000
    created = " ".join(r.text for r in final().all("RUN"))
    assert f"--uid {uid}" in created


def test_the_healthcheck_asks_the_gateway_with_python() -> None:
    """Breaks if the image has no HEALTHCHECK, or checks with curl or wget (the slim
    image has neither, so the check would always fail), or asks anything but /healthz."""
    check = final().last("HEALTHCHECK")
    assert check is not None
    _, words = check.flags_and_words()
    assert words[0] == "CMD"
    assert words[1] == "python"
    assert "/healthz" in " ".join(words)
    assert not {"curl", "wget"} & set(words)


def test_the_entrypoint_is_hub_and_the_default_role_the_gateway() -> None:
    """Breaks if the entrypoint is not the console script the wheel installs, or the
    image by default runs anything but the gateway."""
    scripts = tomllib.loads((compose_file.REPO / "pyproject.toml").read_text())["project"]
    assert "hub" in scripts["scripts"]
    entrypoint, cmd = final().last("ENTRYPOINT"), final().last("CMD")
    assert entrypoint is not None
    assert cmd is not None
    assert entrypoint.flags_and_words()[1] == ["hub"]
    assert cmd.flags_and_words()[1] == ["gateway"]


@pytest.mark.parametrize("stage_index", [0, -1])
def test_every_copied_path_exists(stage_index: int) -> None:
    """Breaks if a COPY names a file or folder the repository does not have (the build
    would fail at that step)."""
    for source, _ in dockerfile.copied(dockerfile.stages()[stage_index]):
        assert (compose_file.REPO / source).exists(), source


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker's build context leaves ``path`` out (a pattern matching it or
    a folder above it)."""
    parts = Path(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(
        fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(prefix, pattern.removeprefix("**/"))
        for pattern in patterns
        for prefix in prefixes
    )


def test_the_build_context_keeps_out_secrets_and_local_state() -> None:
    """Breaks if .dockerignore stops excluding the generated secrets, the virtualenv,
    var/ (a developer's database and keys) or .git, or excludes something a COPY needs."""
    patterns = dockerfile.ignored_patterns()
    for path in ("deploy/compose/secrets/database_url", ".venv/bin/python", "var/hub.db", ".git"):
        assert ignored(path, patterns), path
    assert ignored("hub/__pycache__/config.cpython-311.pyc", patterns)
    for stage in dockerfile.stages():
        for source, _ in dockerfile.copied(stage):
            assert not ignored(source, patterns), source


def test_every_hub_variable_the_image_sets_is_a_real_setting(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Breaks if the image sets a HUB_* name the hub does not read, or a value it
    refuses, or leaves a path at its default inside the installed package."""
    env = final().env()
    assert unknown_names(env) == []
    settings = settings_from(env, monkeypatch, tmp_path)
    copies = {destination: source for source, destination in dockerfile.copied(final())}
    assert copies[str(settings.schemas_dir)] == "schemas"
    assert copies[str(settings.policies_dir)] == "policies"
    var_dir = str(settings.var_dir)
    for path in (settings.auth.key_dir, settings.audit.key_dir, settings.policy.mask_key_dir):
        assert str(path).startswith(var_dir + "/"), path
    created = " ".join(r.text for r in final().all("RUN"))
    assert var_dir in created
    assert str(settings.auth.key_dir) in created, "made so a new keys volume takes its owner"
