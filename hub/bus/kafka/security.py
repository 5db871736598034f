"""How every Kafka client of the hub authenticates: one place, so the producer, the
readers, the follower and the admin client can never disagree about the cluster's
listener (a Strimzi cluster takes SCRAM over TLS; the embedded broker plain text)."""

from __future__ import annotations

from typing import Any

from hub.config import KafkaSettings


def client_security(settings: KafkaSettings) -> dict[str, Any]:
    """The kafka-python keyword arguments for ``settings``' listener; none for plain text,
    so a client of the embedded broker is built exactly as before."""
    options: dict[str, Any] = {}
    if settings.security_protocol == "PLAINTEXT":
        return options
    options["security_protocol"] = settings.security_protocol
    if settings.security_protocol in ("SSL", "SASL_SSL") and settings.ssl_cafile is not None:
        options["ssl_cafile"] = str(settings.ssl_cafile)
    if settings.security_protocol.startswith("SASL"):
        password = settings.sasl_password
        options.update(
            sasl_mechanism=settings.sasl_mechanism,
            sasl_plain_username=settings.sasl_username,
            sasl_plain_password=password.get_secret_value() if password else None,
        )
    return options
