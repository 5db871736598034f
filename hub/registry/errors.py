"""Registry errors with Confluent's HTTP statuses, error codes and message texts.

Existing clients show ``error_code`` and ``message`` to their users, and some branch
on the status, so these follow the Confluent Schema Registry exactly.
"""

from __future__ import annotations

from hub.errors import HubError


class RegistryError(HubError):
    code = "registry-error"

    def __init__(self, status: int, error_code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_code = error_code


def subject_not_found(subject: str) -> RegistryError:
    return RegistryError(404, 40401, f"Subject '{subject}' not found.")


def version_not_found(version: int | str) -> RegistryError:
    shown = "latest" if version == -1 else version  # -1 is how "latest" travels
    return RegistryError(404, 40402, f"Version {shown} not found.")


def schema_not_found(schema_id: int | None = None) -> RegistryError:
    return RegistryError(
        404, 40403, "Schema not found" if schema_id is None else f"Schema {schema_id} not found"
    )


def subject_soft_deleted(subject: str) -> RegistryError:
    return RegistryError(
        404, 40404, f"Subject '{subject}' was soft deleted.Set permanent=true to delete permanently"
    )


def subject_not_soft_deleted(subject: str) -> RegistryError:
    return RegistryError(
        404, 40405, f"Subject '{subject}' was not deleted first before being permanently deleted"
    )


def version_soft_deleted(subject: str, version: int) -> RegistryError:
    return RegistryError(
        404,
        40406,
        f"Subject '{subject}' Version {version} was soft deleted.Set permanent=true to delete permanently",
    )


def version_not_soft_deleted(subject: str, version: int) -> RegistryError:
    return RegistryError(
        404,
        40407,
        f"Subject '{subject}' Version {version} was not deleted first before being permanently deleted",
    )


def subject_config_not_found(subject: str) -> RegistryError:
    return RegistryError(
        404, 40408, f"Subject '{subject}' does not have subject-level compatibility configured"
    )


def incompatible(subject: str, details: list[str]) -> RegistryError:
    joined = ", ".join(details)
    return RegistryError(
        409,
        409,
        f'Schema being registered is incompatible with an earlier schema for subject "{subject}", details: [{joined}]',
    )


def invalid_schema(reason: str) -> RegistryError:
    return RegistryError(422, 42201, f"Invalid schema of type AVRO, details: {reason}")


def invalid_version(version: str) -> RegistryError:
    return RegistryError(
        422,
        42202,
        f"The specified version '{version}' is not a valid version id. "
        'Allowed values are between [1, 2^31-1] and the string "latest"',
    )


def invalid_compatibility_level() -> RegistryError:
    return RegistryError(
        422,
        42203,
        "Invalid compatibility level. Valid values are none, backward, forward, full, "
        "backward_transitive, forward_transitive, and full_transitive",
    )


def invalid_request(message: str) -> RegistryError:
    return RegistryError(422, 422, message)


def schema_too_large(limit: int) -> RegistryError:
    return RegistryError(
        422, 42209, f"Register operation failed because schema is too large (limit {limit} bytes)"
    )


def reference_not_found(subject: str, version: int) -> RegistryError:
    shown = "latest" if version == -1 else version
    return invalid_schema(f'No schema reference found for subject "{subject}" and version {shown}')


def reference_exists(subject: str, version: int) -> RegistryError:
    return RegistryError(
        422,
        42206,
        "One or more references exist to the schema "
        f"{{magic=1,keytype=SCHEMA,subject={subject},version={version}}}.",
    )


def invalid_subject(subject: str, why: str) -> RegistryError:
    shown = subject[:80].encode("unicode_escape").decode()
    return RegistryError(422, 42208, f"The specified subject '{shown}' is not a valid: {why}.")
