"""Response models of the audit chain's routes: checkpoints, proofs, status."""

from __future__ import annotations

import base64
from datetime import datetime

from pydantic import BaseModel

from hub.audit.monitor import ChainStatus
from hub.audit.proofs import CheckpointRecord, ConsistencyProof, InclusionProof


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class CheckpointView(BaseModel):
    size: int
    #: The tree's root hash, base64, as in the note.
    root: str
    #: The C2SP signed note: what witnesses keep and tools check.
    note: str
    at: datetime

    @classmethod
    def of(cls, record: CheckpointRecord) -> CheckpointView:
        return cls(size=record.size, root=_b64(record.root), note=record.note, at=record.at)


class CheckpointList(BaseModel):
    checkpoints: list[CheckpointView]
    next: str | None


class InclusionView(BaseModel):
    """RFC 9162 inclusion proof (hashes base64)."""

    leaf_index: int
    leaf_hash: str
    tree_size: int
    audit_path: list[str]

    @classmethod
    def of(cls, proof: InclusionProof) -> InclusionView:
        return cls(
            leaf_index=proof.leaf_index,
            leaf_hash=_b64(proof.leaf_hash),
            tree_size=proof.tree_size,
            audit_path=[_b64(h) for h in proof.audit_path],
        )


class ConsistencyView(BaseModel):
    """RFC 9162 consistency proof between two tree sizes (hashes base64)."""

    tree_size_1: int
    tree_size_2: int
    consistency_path: list[str]

    @classmethod
    def of(cls, proof: ConsistencyProof) -> ConsistencyView:
        return cls(
            tree_size_1=proof.first,
            tree_size_2=proof.second,
            consistency_path=[_b64(h) for h in proof.path],
        )


class WitnessView(BaseModel):
    client_id: str
    agency: str | None
    last_seen: datetime
    size: int | None


class ChainStatusView(BaseModel):
    rows: int
    verified: int
    ok: bool
    first_bad_seq: int | None
    problem: str | None
    last_checkpoint: int | None
    full_check: str
    full_check_detail: str
    full_check_at: datetime | None
    witnesses: list[WitnessView]

    @classmethod
    def of(cls, status: ChainStatus) -> ChainStatusView:
        return cls.model_validate(status, from_attributes=True)
