"""Signed notes, checked against the test vector of Go's golang.org/x/mod/sumdb/note
(note_test.go: PeterNeumann's key and its signature of a known text)."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hub.tlog import notes

# sumdb/note's test key: "PRIVATE+KEY+<name>+<hex id>+base64(0x01 || Ed25519 seed)".
SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
SIGNED = (
    TEXT + "\n"
    "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqf"
    "qdngotpRZb6KE6RyyBwJnAM=\n"
)


def peter() -> Ed25519PrivateKey:
    seed = base64.b64decode(SKEY.split("+", 4)[-1])
    assert seed[0] == notes.ED25519
    return Ed25519PrivateKey.from_private_bytes(seed[1:])


def test_signing_gives_the_go_implementation_s_bytes() -> None:
    key = peter()
    assert notes.verifier_key("PeterNeumann", key.public_key()) == VKEY
    assert notes.sign(TEXT, name="PeterNeumann", key=key) == SIGNED
    assert notes.open_note(SIGNED, name="PeterNeumann", key=key.public_key()) == TEXT


def test_a_checkpoint_round_trips() -> None:
    checkpoint = notes.Checkpoint("linkage.example/audit", 42, bytes(range(32)))
    key = Ed25519PrivateKey.generate()
    signed = notes.sign(checkpoint.text(), name="linkage.example/audit", key=key)
    text = notes.open_note(signed, name="linkage.example/audit", key=key.public_key())
    assert notes.parse_checkpoint(text) == checkpoint
    assert text.splitlines()[1:] == ["42", base64.b64encode(bytes(range(32))).decode()]


@pytest.mark.parametrize(
    ("note", "why"),
    [
        (SIGNED.replace("cryptography", "cryptographY"), "does not match"),
        (SIGNED.replace("JnAM=", "JnAA="), "does not match"),
        (SIGNED.replace("x08go", "x08gq"), "no signature by PeterNeumann with key c74f20a3"),
        (TEXT, "no blank line"),
        (SIGNED.replace("\u2014 ", "-- "), "em dash"),
        (SIGNED.replace("PeterNeumann", "EnochRoot"), "no signature by PeterNeumann"),
        (SIGNED[:-1], "no blank line"),
    ],
)
def test_altered_notes_are_refused(note: str, why: str) -> None:
    with pytest.raises(notes.NoteError, match=why):
        notes.open_note(note, name="PeterNeumann", key=peter().public_key())


def test_another_signer_s_line_is_passed_over() -> None:
    witness = Ed25519PrivateKey.generate()
    cosigned = notes.sign(TEXT, name="witness.example", key=witness)
    both = SIGNED + cosigned.split("\n\n", 1)[1]
    assert notes.open_note(both, name="PeterNeumann", key=peter().public_key()) == TEXT
    assert notes.open_note(both, name="witness.example", key=witness.public_key()) == TEXT


@pytest.mark.parametrize(
    "text", ["linkage\n01\nAAAA\n", "linkage\n1\n", "linkage\nten\n" + "A" * 44 + "\n"]
)
def test_malformed_checkpoints_are_refused(text: str) -> None:
    with pytest.raises(notes.NoteError):
        notes.parse_checkpoint(text)
