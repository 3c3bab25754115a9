"""Audit kernel: Merkle tree over each service's log, signed checkpoints, verification, replay, proofs."""
