"""Fixtures of the deployment tests: the secrets make-secrets.sh writes, made once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.deploy.compose_file import make_secrets


@pytest.fixture(scope="session")
def secrets_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compose") / "secrets"
    make_secrets(folder)
    return folder


@pytest.fixture(scope="session")
def secret_values(secrets_folder: Path) -> dict[str, str]:
    """Each generated secret file's content, by the file's name."""
    return {path.name: path.read_text(encoding="utf-8") for path in secrets_folder.iterdir()}
