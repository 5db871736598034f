"""Swapping policies in, and the hash keys a policy needs before it may go into force."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from hub.errors import ConfigError
from hub.policy.holder import PolicyHolder
from hub.policy.keys import MaskKeys
from hub.policy.loader import load_policy

POLICIES = Path(__file__).resolve().parents[3] / "policies"

HASHING_GRANT = """
grants:
  - id: health-joins-reporters
    reader: health
    stream: emergency.incident-report
    masks:
      - {path: reporter_phone, method: hash}
    why: to count repeat callers without seeing their numbers
"""


@pytest.fixture
def policy_dir(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(POLICIES, target, ignore=shutil.ignore_patterns("cases"))
    # The shipped grants' keys, as `hub policy keygen` leaves them.
    MaskKeys(tmp_path / "keys", create=True).ensure(load_policy(target))
    return target


def test_a_policy_whose_hash_key_is_missing_does_not_go_into_force(
    policy_dir: Path, tmp_path: Path
) -> None:
    keys = MaskKeys(tmp_path / "keys", create=False)
    holder = PolicyHolder(policy_dir, check=keys.ensure)
    before = holder.current.version
    (policy_dir / "hashing.yaml").write_text(HASHING_GRANT, encoding="utf-8")

    outcome = holder.reload()

    assert not outcome.changed and holder.current.version == before
    assert outcome.error is not None
    assert "no hash key for grant health-joins-reporters" in outcome.error
    assert "hub policy keygen" in outcome.error
    # The stamp has moved on: the watch does not retry the same files every second...
    assert holder.reload_if_changed() is None
    # ...and once the key exists, an explicit reload puts the policy into force.
    MaskKeys(tmp_path / "keys", create=True).key("health-joins-reporters")
    assert holder.reload().changed
    assert holder.current.version != before


def test_a_gateway_does_not_start_on_a_policy_without_its_keys(
    policy_dir: Path, tmp_path: Path
) -> None:
    (policy_dir / "hashing.yaml").write_text(HASHING_GRANT, encoding="utf-8")
    with pytest.raises(ConfigError, match="no hash key for grant health-joins-reporters"):
        PolicyHolder(policy_dir, check=MaskKeys(tmp_path / "keys", create=False).ensure)


def test_keys_made_in_dev_are_private(policy_dir: Path, tmp_path: Path) -> None:
    (policy_dir / "hashing.yaml").write_text(HASHING_GRANT, encoding="utf-8")
    folder = tmp_path / "var" / "keys"
    PolicyHolder(policy_dir, check=MaskKeys(folder, create=True).ensure)
    key = folder / "health-joins-reporters.key"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(key.read_bytes()) == 32


def test_a_short_or_shared_key_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir()
    short = folder / "g.key"
    short.write_bytes(b"short")
    short.chmod(0o600)
    with pytest.raises(ConfigError, match="must hold 32 bytes"):
        MaskKeys(folder, create=True).key("g")
    shared = folder / "h.key"
    shared.write_bytes(bytes(32))
    shared.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        MaskKeys(folder, create=True).key("h")


def test_the_version_names_the_bytes_and_a_bad_file_keeps_the_old_policy(
    policy_dir: Path,
) -> None:
    holder = PolicyHolder(policy_dir)
    before = holder.current.version
    assert holder.reload().changed is False
    (policy_dir / "broken.yaml").write_text("grants: [", encoding="utf-8")
    outcome = holder.reload()
    assert outcome.error is not None and "broken.yaml" in outcome.error
    assert holder.current.version == before
    (policy_dir / "broken.yaml").unlink()
    (policy_dir / "zz-comment.yaml").write_text("# nothing but a comment\n", encoding="utf-8")
    # A comment changes no rule, but the version hashes the files, so it names the new bytes.
    assert holder.reload().changed
    assert PolicyHolder(policy_dir).current.version == holder.current.version


def test_an_unreadable_folder_keeps_the_old_policy(policy_dir: Path) -> None:
    holder = PolicyHolder(policy_dir)
    before = holder.current.version
    shutil.rmtree(policy_dir)
    outcome = holder.reload()
    assert outcome.error is not None and "does not exist" in outcome.error
    assert holder.current.version == before
