"""The hub's exception tree, shared by every domain.

Each error carries a short ``code`` (a slug) so that the gateway can map it to an
RFC 9457 problem type and the CLI can print one clear line, without either of them
knowing the domain that raised it::

    HubError
    ├── ConfigError            bad settings, policy or schema files
    ├── NotFound               unknown stream, schema, client ...
    ├── BadRequest             a parameter that cannot be honoured (bad cursor ...)
    ├── SchemaError
    │   ├── InvalidSchema      an Avro schema that does not parse
    │   └── RecordRejected     a record that does not match its schema (names the field)
    ├── InvalidFrame           bytes on a topic that are not Confluent-framed Avro
    ├── AuthenticationFailed   missing, malformed, expired or foreign token
    ├── Forbidden              authenticated, but policy or scope says no
    ├── TooManyRequests        a client past its request rate (429, Retry-After)
    ├── Conflict               the resource is not in a state that allows this (closed ...)
    ├── BrokerUnavailable      Kafka cannot be reached
    ├── RecordRefused          the broker refused one record (too large, invalid): retrying won't help
    ├── StoreUnavailable       the database cannot be read or written
    └── AuditUnavailable       the audit store cannot be written: nothing is served
"""

from __future__ import annotations


class HubError(Exception):
    code = "hub-error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(HubError):
    code = "config-error"


class NotFound(HubError):
    code = "not-found"


class BadRequest(HubError):
    code = "bad-request"


class SchemaError(HubError):
    code = "schema-error"


class InvalidSchema(SchemaError):
    code = "invalid-schema"


class RecordRejected(SchemaError):
    """A record failed its schema; ``path`` names the offending field (``info[0].severity``)."""

    code = "record-rejected"

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path or '<record>'}: {reason}")
        self.path = path
        self.reason = reason


class InvalidFrame(HubError):
    code = "invalid-frame"


class AuthenticationFailed(HubError):
    """``token_sent`` is False when no token came at all (RFC 6750: no error code then)."""

    code = "unauthenticated"

    def __init__(self, message: str, *, token_sent: bool = True) -> None:
        super().__init__(message)
        self.token_sent = token_sent


class TooManyRequests(HubError):
    """A client past its request rate; ``retry_after_s`` says when to come back."""

    code = "too-many-requests"

    def __init__(self, message: str, *, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Forbidden(HubError):
    code = "forbidden"


class Conflict(HubError):
    code = "conflict"


class BrokerUnavailable(HubError):
    code = "broker-unavailable"


class RecordRefused(HubError):
    """The broker took the request but refused this one record for what it is (over the
    topic's size limit, malformed): unlike an outage, sending it again cannot succeed."""

    code = "record-refused"


class StoreUnavailable(HubError):
    code = "store-unavailable"


class AuditUnavailable(HubError):
    code = "audit-unavailable"
