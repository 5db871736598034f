"""Schemas and bytes with no I/O: wire framing, naming, parsing, validation, serializers.

Everything here is pure: the registry, the catalogue tooling, the connector SDK and the
gateway all build on it, and it imports none of them.
"""
