"""deploy/kubernetes is what `hub deploy render` writes today, and a render into a
folder replaces its own files only."""

from __future__ import annotations

from pathlib import Path

from hub.config import PROJECT_ROOT
from hub.deploy.render import HEADER, Bundle, folder_files, write_folder, yaml_stream

COMMITTED = PROJECT_ROOT / "deploy" / "kubernetes"
REGENERATE = ".venv/bin/hub deploy render --target strimzi --out deploy/kubernetes"


def test_deploy_kubernetes_is_the_current_render(bundle: Bundle) -> None:
    expected = folder_files(bundle)
    committed = {p.name: p.read_text(encoding="utf-8") for p in sorted(COMMITTED.iterdir())}
    stale = sorted(n for n in set(expected) | set(committed) if expected.get(n) != committed.get(n))
    assert not stale, (
        f"deploy/kubernetes is out of date ({', '.join(stale)}): the policy, the catalogue "
        f"or the renderer changed. Regenerate it from the repository root with\n    {REGENERATE}"
    )


def test_the_stream_holds_every_group_in_order(bundle: Bundle) -> None:
    files = folder_files(bundle)
    stream = yaml_stream(bundle)
    assert stream.startswith(HEADER)
    bodies = [files[f"{group}.yaml"].removeprefix(HEADER) for group in bundle]
    assert stream.removeprefix(HEADER) == "---\n".join(bodies)


def test_a_render_replaces_its_own_files_and_leaves_others_alone(
    bundle: Bundle, tmp_path: Path
) -> None:
    (tmp_path / "old-group.yaml").write_text(HEADER + "kind: ConfigMap\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text("# an operator's own patch\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("kept\n", encoding="utf-8")
    written = write_folder(bundle, tmp_path)
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {p.name for p in written} | {"mine.yaml", "notes.txt"}
    assert "old-group.yaml" not in names
    assert "kustomization.yaml" in names
