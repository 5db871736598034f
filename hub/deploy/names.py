"""Kubernetes names and the labels every rendered object carries.

Kafka topic names may hold dots and underscores; Kubernetes object names may not (in
the strictest form, the DNS-1123 label, which Services require). Names are made to fit
here, once, and the real name travels in the object (``spec.topicName``).
"""

from __future__ import annotations

import hashlib
import re

#: The DNS-1123 label: lower-case letters, digits and ``-``, starting and ending with
#: a letter or digit, at most 63 characters.
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
PART_OF = "linkage"


def is_dns_label(name: str) -> bool:
    return DNS_LABEL.fullmatch(name) is not None


def dns_label(name: str) -> str:
    """``name`` as a DNS-1123 label: other characters become ``-``; a name that had to
    be cut keeps a digest of the whole, so two long names never end up the same."""
    label = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    label = re.sub(r"-{2,}", "-", label) or "x"
    if len(label) <= 63:
        return label
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{label[:54].rstrip('-')}-{digest}"


def selector(app: str) -> dict[str, str]:
    """The labels a workload's pods are selected by: its name, and the whole it is part of."""
    return {"app.kubernetes.io/name": app, "app.kubernetes.io/part-of": PART_OF}


def labels(app: str, component: str) -> dict[str, str]:
    return {**selector(app), "app.kubernetes.io/component": component}
