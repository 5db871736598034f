"""Where checkpoints are published besides the database: a topic every agency may read.

Its records are the signed notes themselves (UTF-8 text), keyed by tree size, so any
Kafka tool can hand them to a witness.
"""

from __future__ import annotations

CHECKPOINT_TOPIC = "hub.audit-checkpoints"
