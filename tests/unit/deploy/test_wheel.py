"""The wheel deploy/Dockerfile's build stage makes, made here the same way from the same
files (about 3 s): it must hold every module and data file the image runs, since the
image has nothing else of the hub's code.

Skipped only when pip cannot fetch the build backend (setuptools, from pyproject's
build-system) because this machine is offline; any other failure to build fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from tests.unit.deploy import compose_file, dockerfile

_OFFLINE = (
    "No matching distribution found for setuptools",
    "Could not find a version that satisfies the requirement setuptools",
    "NewConnectionError",
    "Temporary failure in name resolution",
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    """The project's wheel, built by pip from a copy of what the build stage COPYs
    (building in the checkout would leave build/ behind in it)."""
    source = tmp_path_factory.mktemp("context")
    for path, _ in dockerfile.copied(dockerfile.stages()[0]):
        original = compose_file.REPO / path
        if original.is_dir():
            shutil.copytree(original, source / path, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(original, source / path)
    out = tmp_path_factory.mktemp("wheels")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), "."],
        cwd=source,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        capture_output=True,
        text=True,
        check=False,
        timeout=110,
    )
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if any(sign in output for sign in _OFFLINE):
            pytest.skip("pip cannot fetch the build backend (offline): " + output[-300:])
        pytest.fail("the wheel does not build:\n" + output[-3000:])
    (built,) = out.glob("linkage_hub-*.whl")
    return zipfile.ZipFile(built)


def repository_files(package: str, *, suffixes: tuple[str, ...]) -> set[str]:
    root = compose_file.REPO
    return {
        str(path.relative_to(root))
        for path in (root / package).rglob("*")
        if path.is_file()
        and path.suffix in suffixes
        and "__pycache__" not in path.parts
        and "samples" not in path.relative_to(root).parts
    }


def test_the_wheel_holds_every_module(wheel: zipfile.ZipFile) -> None:
    """Breaks if a module of hub/ or connectors/ is left out of the wheel (a package
    outside packages.find, such as a new top-level folder), which the image would then
    lack: the command using it fails only in production."""
    names = set(wheel.namelist())
    for package in ("hub", "connectors"):
        missing = repository_files(package, suffixes=(".py",)) - names
        assert not missing, sorted(missing)[:10]


def test_the_wheel_holds_the_data_files(wheel: zipfile.ZipFile) -> None:
    """Breaks if the console's templates and styles or the migrations' template drop out
    of package-data: the console would answer 500 and `hub db upgrade` could not run."""
    names = set(wheel.namelist())
    data = repository_files("hub", suffixes=(".html", ".css", ".mako", ".ini"))
    assert data
    assert not data - names, sorted(data - names)


def test_the_wheel_installs_the_hub_command(wheel: zipfile.ZipFile) -> None:
    """Breaks if the console script is renamed or dropped: the image's ENTRYPOINT is
    `hub`."""
    (entry_points,) = [n for n in wheel.namelist() if n.endswith(".dist-info/entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[console_scripts]" in text
    assert "hub = hub.cli:main" in text


def test_the_postgres_extra_brings_a_driver(wheel: zipfile.ZipFile) -> None:
    """Breaks if the ``postgres`` extra the image installs no longer names psycopg: the
    image would start and fail on its first connection."""
    (metadata,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    message = Parser().parsestr(wheel.read(metadata).decode())
    requires = message.get_all("Requires-Dist") or []
    assert any(r.startswith("psycopg") and 'extra == "postgres"' in r for r in requires)


def test_what_the_wheel_lacks_the_image_copies(wheel: zipfile.ZipFile) -> None:
    """Breaks if the samples the compose file's connectors read are neither in the wheel
    nor copied into the image; as built today they are data outside any package, so
    the Dockerfile must copy them."""
    in_wheel = any("/samples/" in name for name in wheel.namelist())
    copied = {source for source, _ in dockerfile.copied(dockerfile.stages()[-1])}
    assert in_wheel or "connectors/samples" in copied
    for path in ("schemas", "policies"):
        assert path in copied, f"{path}/ is read at run time and is not in the wheel"
    assert not any(Path(name).parts[0] in ("schemas", "policies") for name in wheel.namelist())
