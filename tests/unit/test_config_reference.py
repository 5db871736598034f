"""docs/configuration.md is generated from the settings model and kept current."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from hub.config import Settings
from hub.config_reference import entries, field_comments, render

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_committed_reference_is_what_the_settings_model_says() -> None:
    assert REFERENCE.read_text(encoding="utf-8") == render(), (
        "docs/configuration.md is stale: run `make docs` and commit it"
    )


def test_every_setting_is_in_it_and_says_what_it_means() -> None:
    listed = {row.variable: row for _, _, rows in entries() for row in rows}
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for inner in annotation.model_fields:
                assert f"HUB_{name.upper()}_{inner.upper()}" in listed
        else:
            assert f"HUB_{name.upper()}" in listed
    unexplained = [variable for variable, row in listed.items() if not row.meaning]
    assert not unexplained, f"add a #: comment above these settings in hub/config.py: {unexplained}"


def test_secrets_show_no_default_and_paths_name_no_machine() -> None:
    listed = {row.variable: row for _, _, rows in entries() for row in rows}
    password = listed["HUB_KAFKA_SASL_PASSWORD"]
    assert (password.kind, password.default) == ("secret", "unset")
    assert listed["HUB_DATABASE_URL"].default == "`sqlite:///<checkout>/var/hub.db`"
    assert str(Path(__file__).resolve().parents[2]) not in render()


class _Sample(BaseModel):
    #: First line
    #: and its second.
    first: int = 1
    second: int = 2
    #: Its own.

    third: int = 3


def test_a_comment_is_read_above_its_field_and_shared_by_the_next_line() -> None:
    assert field_comments(_Sample) == {
        "first": "First line and its second.",
        "second": "First line and its second.",
    }
