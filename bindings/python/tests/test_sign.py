"""Keys and DSSE against RFC 8032's test vector, the OpenSSL command line
and the DSSE specification's encoding (written out here from the spec)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess

import pytest

import libmlops as mlops

# RFC 8032 section 7.1, TEST 1.
T1_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
T1_PUB = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
T1_SIG = bytes.fromhex(
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065"
    "224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
# DER SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410).
SPKI_PREFIX = bytes.fromhex("302a300506032b6570032100")


def pae(ptype: bytes, body: bytes) -> bytes:
    return b"DSSEv1 %d %s %d %s" % (len(ptype), ptype, len(body), body)


def test_rfc8032_vector_and_key_id():
    with mlops.SigningKey.from_seed(T1_SEED) as k:
        assert k.has_private and k.public_bytes == T1_PUB
        assert k.sign(b"") == T1_SIG
        assert k.id == hashlib.sha256(SPKI_PREFIX + T1_PUB).hexdigest()
        pub = mlops.SigningKey.from_public(T1_PUB)
        assert not pub.has_private and pub.id == k.id and k.public_key().id == k.id
        pub.verify(T1_SIG, b"")
        with pytest.raises(mlops.SignatureError):
            pub.verify(T1_SIG, b"x")
        with pytest.raises(mlops.InvalidArgumentError):
            pub.sign(b"x")
        assert "key pair" in repr(k) and "public key" in repr(pub)


@pytest.mark.skipif(not shutil.which("openssl"), reason="no openssl command")
def test_pem_round_trip_and_signatures_checked_by_openssl(tmp_path):
    k = mlops.SigningKey.generate()
    (tmp_path / "key.pem").write_text(k.private_pem())
    der = subprocess.run(["openssl", "pkey", "-in", str(tmp_path / "key.pem"), "-pubout", "-outform", "DER"],
                         check=True, stdout=subprocess.PIPE).stdout
    assert hashlib.sha256(der).hexdigest() == k.id
    assert der == SPKI_PREFIX + k.public_bytes
    msg = b"model bytes" * 100
    (tmp_path / "msg").write_bytes(msg)
    (tmp_path / "sig").write_bytes(k.sign(bytearray(msg)))
    (tmp_path / "pub.pem").write_text(k.public_pem())
    r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", str(tmp_path / "pub.pem"),
                        "-rawin", "-in", str(tmp_path / "msg"), "-sigfile", str(tmp_path / "sig")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert r.returncode == 0, r.stdout
    assert mlops.SigningKey.from_file(tmp_path / "key.pem").id == k.id
    assert mlops.SigningKey.from_pem(k.public_pem()).has_private is False
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(tmp_path / "o.pem")], check=True)
    other = mlops.SigningKey.from_file(str(tmp_path / "o.pem"))
    sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", str(tmp_path / "o.pem"), "-rawin",
                          "-in", str(tmp_path / "msg")], check=True, stdout=subprocess.PIPE).stdout
    other.verify(sig, msg)
    assert other.sign(msg) == sig  # Ed25519 is deterministic


def test_key_errors():
    with pytest.raises(mlops.ParseError):
        mlops.SigningKey.from_pem("not a pem")
    with pytest.raises(mlops.MlopsIOError) as err:
        mlops.SigningKey.from_file("/nonexistent/key.pem")
    assert err.value.filename == "/nonexistent/key.pem"
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.SigningKey.from_seed(b"short")
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.SigningKey.from_public(T1_PUB).private_pem()
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.SigningKey.from_seed(T1_SEED).verify(b"x" * 10, b"")


def test_dsse_envelope_follows_the_specification():
    k1, k2 = mlops.SigningKey.from_seed(T1_SEED), mlops.SigningKey.generate()
    payload = b'{"_type":"x"}'
    assert mlops.dsse_pae(payload) == pae(mlops.DSSE_PAYLOAD_TYPE_INTOTO.encode(), payload)
    assert mlops.dsse_pae(b"", "t") == b"DSSEv1 1 t 0 "
    env = mlops.dsse_sign(payload, [k1, k2])
    doc = json.loads(env)
    assert env == json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    assert base64.b64decode(doc["payload"]) == payload
    assert doc["payloadType"] == mlops.DSSE_PAYLOAD_TYPE_INTOTO
    for s in doc["signatures"]:
        key = k1 if s["keyid"] == k1.id else k2
        key.verify(base64.b64decode(s["sig"]), pae(doc["payloadType"].encode(), payload))
    assert mlops.dsse_verify(env, mlops.Keyring([k1, k2]), threshold=2) == payload
    assert mlops.dsse_verify(env.decode(), k1) == payload
    mlops.dsse_verify_detached(env, payload, [k2])
    with pytest.raises(mlops.SignatureError):
        mlops.dsse_verify_detached(env, b"other", k1)
    with pytest.raises(mlops.SignatureError):
        mlops.dsse_verify(env, [mlops.SigningKey()])
    one = mlops.dsse_sign(payload, k1, payload_type="text/plain")
    with pytest.raises(mlops.SchemaError):
        mlops.dsse_verify(one, k1)
    assert mlops.dsse_verify(one, k1, payload_type="text/plain") == payload
    with pytest.raises(mlops.SignatureError):
        mlops.dsse_verify(one, [k1, k2], threshold=2, payload_type="text/plain")
    two = mlops.dsse_add_signature(one, k2)
    assert mlops.dsse_verify(two, [k1, k2], threshold=2, payload_type="text/plain") == payload
    with pytest.raises(mlops.ExistsError):
        mlops.dsse_add_signature(two, k2)
    tampered = json.loads(env)
    tampered["payload"] = base64.b64encode(b'{"_type":"y"}').decode()
    with pytest.raises(mlops.SignatureError):
        mlops.dsse_verify(json.dumps(tampered), k1)
    with pytest.raises(mlops.ParseError):
        mlops.dsse_verify(b"{not json", k1)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.dsse_sign(payload, [k1, k1])
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.dsse_sign(payload, [])


def test_keyring():
    k = mlops.SigningKey()
    with mlops.Keyring() as ring:
        ring.add(k)
        ring.add(k.public_key())
        assert len(ring) == 1 and repr(ring) == "<Keyring 1 keys>"
        with pytest.raises(TypeError):
            ring.add("key")
