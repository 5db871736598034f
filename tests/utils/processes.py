"""Process helpers: the environment of a `hub` command run by a test; is a pid running?"""

from __future__ import annotations

import os
from pathlib import Path


def is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def hub_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment for a `hub` command: everything it writes stays in ``tmp_path``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(
        HUB_CONFIG=str(tmp_path / "absent.toml"),
        HUB_VAR_DIR=str(tmp_path / "var"),
        HUB_DATABASE_URL=f"sqlite:///{tmp_path}/hub.db",
        HUB_AUTH_KEY_DIR=str(tmp_path / "keys"),
        # Every key a command may make stays in the test's folder, never in the checkout.
        HUB_AUDIT_KEY_DIR=str(tmp_path / "keys" / "audit"),
        HUB_POLICY_MASK_KEY_DIR=str(tmp_path / "keys" / "masks"),
    )
    env.update(extra)
    return env
