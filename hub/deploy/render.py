"""Manifests to YAML: one stream for standard output, or one file per group in a folder.

A folder written here holds a ``kustomization.yaml`` listing its files, so
``kubectl apply -k DIR`` takes it whole. Every file starts with the same first line,
which is also how a later render knows which files in the folder are its own: a group
that is no longer rendered (a connector taken out) has its file removed, and nothing
else in the folder is touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

#: One Kubernetes object, as the API takes it.
Manifest = dict[str, Any]
#: Manifests by group, in the order they are applied; a group becomes ``<group>.yaml``.
Bundle = dict[str, list[Manifest]]

HEADER = "# Rendered by `hub deploy render`; edit the policy or the options, not this file.\n"
KUSTOMIZATION = "kustomization.yaml"


class _Dumper(yaml.SafeDumper):
    """Plain YAML for people and for ``kubectl``: no anchors where two manifests share a
    value, and a multi-line string (a script) as a literal block."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _string(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _string)


def _dump(manifests: list[Manifest]) -> str:
    text: str = yaml.dump_all(
        manifests,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=100,
    )
    return text


def yaml_stream(bundle: Bundle) -> str:
    """Every manifest of ``bundle``, in order, as one multi-document YAML stream."""
    return HEADER + _dump([m for group in bundle.values() for m in group])


def folder_files(bundle: Bundle) -> dict[str, str]:
    """File name -> text: a file per non-empty group, and the kustomization listing them."""
    files = {f"{group}.yaml": HEADER + _dump(ms) for group, ms in bundle.items() if ms}
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": list(files),
    }
    files[KUSTOMIZATION] = HEADER + _dump([kustomization])
    return files


def write_folder(bundle: Bundle, folder: Path) -> list[Path]:
    """Write ``bundle`` into ``folder`` (made if missing); returns the files written.

    Raises ``OSError`` when the folder cannot be made or written, ``NotADirectoryError``
    when ``folder`` is a file.
    """
    files = folder_files(bundle)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in sorted(folder.glob("*.yaml")):
        if stale.name not in files and _rendered_here(stale):
            stale.unlink()
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _rendered_here(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline() == HEADER
    except (OSError, UnicodeDecodeError):
        return False
