"""kafka-python behind the bus ports: the only package in the hub that imports ``kafka``.

Keeping the client here means a faster client can replace it without touching callers.
Two facts about the embedded Tansu broker shape this code: consumers must use
``fetch_max_wait_ms >= 10`` (at 1 ms it silently skips records), and ListOffsets may
report a stale end offset, so the reader trusts the high watermark of fetch responses.
"""
