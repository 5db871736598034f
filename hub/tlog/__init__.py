"""The tamper-evident log's arithmetic: canonical rows, the hash chain, the RFC 9162
Merkle tree and C2SP signed notes. I/O-free, so the writer, the verifier, the witness
and the migration that sealed the first rows all share one definition."""
