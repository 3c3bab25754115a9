"""Service signing keys: made once under var/ (0600) in embedded mode, from settings in deployment, pinned."""

from __future__ import annotations

import os

import pytest
from pydantic import SecretStr

from shared.audit.checkpoint import SignedCheckpoint
from shared.audit.signing import AuditSettings, PinnedKeys, SignatureRefused, generate_seed, load_signer
from shared.settings import KernelSettings


def test_embedded_key_is_made_once_owner_only_and_pinned(tmp_path):
    kernel = KernelSettings(var_dir=tmp_path)
    first = load_signer("intake", kernel)
    path = tmp_path / "audit" / "keys" / "intake.key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_signer("intake", kernel).public_raw == first.public_raw  # the same key on the next start
    keys = PinnedKeys.load(tmp_path / "audit" / "public-keys.json")
    statement = SignedCheckpoint("intake", 3, "ab" * 32, "2026-11-20T00:00:00+00:00", first.key_id, "")
    signed = SignedCheckpoint(**{**statement.__dict__, "signature": first.sign(statement.signed_bytes)})
    signed.verify(keys)
    with pytest.raises(SignatureRefused):
        SignedCheckpoint(**{**signed.__dict__, "size": 4}).verify(keys)
    with pytest.raises(SignatureRefused, match="no public key is pinned for construction"):
        SignedCheckpoint(**{**signed.__dict__, "service": "construction"}).verify(keys)


def test_a_key_readable_by_others_is_refused(tmp_path):
    kernel = KernelSettings(var_dir=tmp_path)
    load_signer("intake", kernel)
    os.chmod(tmp_path / "audit" / "keys" / "intake.key", 0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        load_signer("intake", kernel)


def test_deployment_needs_the_key_from_settings_and_it_must_match_the_pinned_one(tmp_path):
    kernel = KernelSettings.model_construct(var_dir=tmp_path, mode="deployment")
    with pytest.raises(ValueError, match="RENOVATION_AUDIT_SIGNING_KEY"):
        load_signer("intake", kernel, AuditSettings())
    seed = generate_seed()
    embedded = load_signer("intake", KernelSettings(var_dir=tmp_path))  # pins another key for intake
    assert embedded.public_raw
    with pytest.raises(ValueError, match="does not match the key pinned"):
        load_signer("intake", kernel, AuditSettings(signing_key=SecretStr(seed)))
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    signer = load_signer("intake", kernel, AuditSettings(signing_key=SecretStr(seed),
                                                         public_keys_file=fresh / "keys.json"))
    assert signer.key_id and not (fresh / "keys.json").exists()  # deployment never writes the pinned file
