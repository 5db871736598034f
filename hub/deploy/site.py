"""Where a city's hub runs: the few things the catalogue and the policy cannot say.

Everything else in the manifests follows from the policy or is fixed production
practice (three copies of every topic, SCRAM over TLS, non-root pods), so the knobs
stay few and each has a default that renders a working whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from hub import __version__
from hub.deploy.names import is_dns_label


@dataclass(frozen=True, slots=True)
class ConnectorRun:
    """One shipped connector run in the cluster (``hub connector run NAME --source``)."""

    name: str
    #: The stream it publishes to; its owner's Kafka user is the one it sends as.
    stream: str
    source: str


@dataclass(frozen=True, slots=True)
class Site:
    """The parameters of one installation; invalid values raise ``ValueError``."""

    namespace: str = "linkage"
    #: The Strimzi ``Kafka`` resource's name; its pods, services and CA secret take it
    #: as their prefix.
    cluster: str = "linkage"
    image: str = f"linkage-hub:{__version__}"
    #: The gateway's public https address: the token issuer, and the Ingress host.
    public_url: str = "https://linkage.example.org"
    #: Where the ingress controller's pods and Prometheus run: the only callers the
    #: gateway's NetworkPolicy lets in.
    ingress_namespace: str = "ingress-nginx"
    prometheus_namespace: str = "monitoring"
    #: The fewest gateway replicas (the autoscaler's floor); two keep it up through a
    #: node's drain.
    gateway_replicas: int = 2
    connectors: tuple[ConnectorRun, ...] = ()

    def __post_init__(self) -> None:
        for what, value in (
            ("namespace", self.namespace),
            ("cluster", self.cluster),
            ("ingress namespace", self.ingress_namespace),
            ("prometheus namespace", self.prometheus_namespace),
            *(("connector", c.name) for c in self.connectors),
        ):
            if not is_dns_label(value):
                raise ValueError(
                    f"{what} {value!r} must be a DNS-1123 label "
                    "(lower-case letters, digits and '-', at most 63)"
                )
        # Strimzi names pods <cluster>-<pool>-<n> and services <cluster>-kafka-brokers.
        if len(self.cluster) > 40:
            raise ValueError(f"cluster {self.cluster!r} must be at most 40 characters")
        if not self.image or any(c.isspace() for c in self.image):
            raise ValueError(f"image {self.image!r} must be an image reference without spaces")
        parts = urlsplit(self.public_url)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(f"public URL {self.public_url!r} must be https://<host>")
        if parts.path not in ("", "/") or parts.query or parts.fragment or parts.port:
            raise ValueError(f"public URL {self.public_url!r} must be the host only")
        if self.gateway_replicas < 2:
            raise ValueError("the gateway needs at least 2 replicas")
        names = [c.name for c in self.connectors]
        if len(set(names)) != len(names):
            raise ValueError("each connector may be given once")

    @property
    def host(self) -> str:
        host = urlsplit(self.public_url).hostname
        assert host is not None  # checked in __post_init__
        return host

    @property
    def issuer(self) -> str:
        """The public URL as tokens name it: without a trailing ``/``."""
        return f"https://{self.host}"
