"""Ed25519 keys and DSSE envelopes (key.h, dsse.h)."""

from __future__ import annotations

import ctypes
from ctypes import c_ubyte, c_void_p
from typing import Any, Iterable, Optional, Sequence, Tuple, Union

from ._ffi import StrPath, check_int, cpath, cstr, invalid, read_buffer, take_buf
from ._handle import Handle, Retained
from ._lib import C
from ._signatures import (
    ED25519_KEY_SIZE,
    ED25519_SIGNATURE_SIZE,
    KEY_PEM_PRIVATE,
    mlops_buf,
    mlops_dsse_verify_options,
)

_Key = c_ubyte * ED25519_KEY_SIZE
_Sig = c_ubyte * ED25519_SIGNATURE_SIZE
#: The DSSE payload type of in-toto statements (the default everywhere).
DSSE_PAYLOAD_TYPE_INTOTO = "application/vnd.in-toto+json"


def _text_bytes(data: Union[str, bytes, bytearray, memoryview], what: str) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"{what} must be str or bytes, not {type(data).__name__}")


def _raw32(data: Any, what: str) -> Any:
    raw = bytes(memoryview(data))
    if len(raw) != ED25519_KEY_SIZE:
        raise invalid(f"{what} must be {ED25519_KEY_SIZE} bytes, not {len(raw)}")
    return _Key.from_buffer_copy(raw)


class SigningKey(Handle):
    """An Ed25519 key: a key pair (can sign) or a public key alone (verifies).

    Make one with :meth:`generate`, :meth:`from_pem`, :meth:`from_file`
    (``str`` or ``pathlib.Path``), :meth:`from_seed` or :meth:`from_public`.
    :attr:`id` is the key id: hex SHA-256 of the DER SubjectPublicKeyInfo.
    Immutable; may be shared between threads. ``with`` or :meth:`close`
    releases it (OpenSSL cleanses the private half).
    """

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_key_free(h))

    def __init__(self) -> None:
        """Use the class methods; ``SigningKey()`` generates a new key pair."""
        self._handle: Optional[int] = None
        handle = c_void_p()
        C.mlops_key_generate(ctypes.byref(handle), 0)
        self._handle = handle.value

    @classmethod
    def _wrap(cls, handle: Optional[int]) -> "SigningKey":
        self = cls.__new__(cls)
        self._handle = handle
        return self

    @classmethod
    def generate(cls) -> "SigningKey":
        """A new key pair from the operating system's random source."""
        return cls()

    @classmethod
    def from_pem(cls, pem: Union[str, bytes]) -> "SigningKey":
        """Load a ``PRIVATE KEY`` (PKCS#8) or ``PUBLIC KEY`` PEM block.
        Raises :class:`ParseError` or :class:`UnsupportedError` (another algorithm)."""
        raw = _text_bytes(pem, "pem")
        handle = c_void_p()
        C.mlops_key_parse_pem(ctypes.byref(handle), raw, len(raw), 0)
        return cls._wrap(handle.value)

    @classmethod
    def from_file(cls, path: StrPath) -> "SigningKey":
        """Load a PEM key file; :class:`MlopsIOError` names a missing file."""
        handle = c_void_p()
        C.mlops_key_load_file(ctypes.byref(handle), cpath(path), 0)
        return cls._wrap(handle.value)

    @classmethod
    def from_seed(cls, seed: bytes) -> "SigningKey":
        """A key pair from its raw 32-byte private seed (RFC 8032)."""
        handle = c_void_p()
        C.mlops_key_from_seed(ctypes.byref(handle), _raw32(seed, "seed"))
        return cls._wrap(handle.value)

    @classmethod
    def from_public(cls, public: bytes) -> "SigningKey":
        """A public key from its raw 32-byte encoding (RFC 8032)."""
        handle = c_void_p()
        C.mlops_key_from_public(ctypes.byref(handle), _raw32(public, "public key"))
        return cls._wrap(handle.value)

    @property
    def id(self) -> str:
        """Key id: 64 hex digits of SHA-256(DER SubjectPublicKeyInfo)."""
        return (C.mlops_key_id(self._h()) or b"").decode("ascii")

    @property
    def has_private(self) -> bool:
        """Whether the key can sign."""
        return bool(C.mlops_key_has_private(self._h()))

    @property
    def public_bytes(self) -> bytes:
        """The raw 32-byte public key."""
        out = _Key()
        C.mlops_key_public_raw(out, self._h())
        return bytes(out)

    def public_key(self) -> "SigningKey":
        """The public half as a key of its own."""
        return SigningKey.from_public(self.public_bytes)

    def private_pem(self) -> str:
        """The private key as unencrypted PKCS#8 PEM (store it with care)."""
        buf = mlops_buf()
        C.mlops_key_write_pem(ctypes.byref(buf), self._h(), KEY_PEM_PRIVATE)
        return take_buf(buf).decode("ascii")

    def public_pem(self) -> str:
        """The public key as SubjectPublicKeyInfo PEM."""
        buf = mlops_buf()
        C.mlops_key_write_pem(ctypes.byref(buf), self._h(), 0)
        return take_buf(buf).decode("ascii")

    def sign(self, message: Any) -> bytes:
        """Plain Ed25519 signature (64 bytes) of a bytes-like ``message``."""
        keep, ptr, n = read_buffer(message)
        out = _Sig()
        C.mlops_key_sign_raw(out, self._h(), ptr, n)
        del keep
        return bytes(out)

    def verify(self, signature: bytes, message: Any) -> None:
        """Check a plain Ed25519 signature; raises :class:`SignatureError`."""
        raw = bytes(memoryview(signature))
        if len(raw) != ED25519_SIGNATURE_SIZE:
            raise invalid(f"an Ed25519 signature is {ED25519_SIGNATURE_SIZE} bytes, not {len(raw)}")
        keep, ptr, n = read_buffer(message)
        C.mlops_key_verify_raw(self._h(), _Sig.from_buffer_copy(raw), ptr, n)
        del keep

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SigningKey):
            return NotImplemented
        return self.id == other.id and self.has_private == other.has_private

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        if self.closed:
            return "<SigningKey closed>"
        kind = "key pair" if self.has_private else "public key"
        return f"<SigningKey {kind} id={self.id[:16]}…>"


class Keyring(Handle):
    """A set of trusted public keys, by key id. ``Keyring([k1, k2])``."""

    __slots__ = ()
    _free = staticmethod(lambda h: C.mlops_keyring_free(h))

    def __init__(self, keys: Iterable[SigningKey] = ()) -> None:
        """An empty set, or one trusting ``keys`` (only their public halves are kept)."""
        self._handle: Optional[int] = None
        handle = c_void_p()
        C.mlops_keyring_new(ctypes.byref(handle))
        self._handle = handle.value
        for key in keys:
            self.add(key)

    def add(self, key: SigningKey) -> None:
        """Trust ``key``'s public half (adding it twice does nothing)."""
        if not isinstance(key, SigningKey):
            raise TypeError(f"expected a SigningKey, not {type(key).__name__}")
        C.mlops_keyring_add(self._h(), key._h())

    def __len__(self) -> int:
        return int(C.mlops_keyring_count(self._h()))

    def __repr__(self) -> str:
        return "<Keyring closed>" if self.closed else f"<Keyring {len(self)} keys>"


TrustedKeys = Union[Keyring, SigningKey, Iterable[SigningKey]]


def keyring(trusted: TrustedKeys) -> Keyring:
    """``trusted`` as a :class:`Keyring` (a key or keys make a new one)."""
    if isinstance(trusted, Keyring):
        return trusted
    if isinstance(trusted, SigningKey):
        return Keyring([trusted])
    return Keyring(trusted)


def key_array(keys: Union[SigningKey, Sequence[SigningKey]]) -> Tuple[Any, int, Tuple[SigningKey, ...]]:
    """A C array of key handles, retained (keep the returned tuple alive
    while it is used; dropping it releases them)."""
    if isinstance(keys, SigningKey):
        keys = (keys,)
    keys = tuple(keys)
    for k in keys:
        if not isinstance(k, SigningKey):
            raise TypeError(f"expected SigningKey objects, not {type(k).__name__}")
    held = Retained(keys)  # the keys are freed only after the array's user lets go
    arr = (c_void_p * max(len(keys), 1))(*held.ptrs)
    return ctypes.cast(arr, ctypes.POINTER(c_void_p)), len(keys), (arr, keys, held)  # type: ignore[return-value]


def _ptype(payload_type: Optional[str]) -> Optional[bytes]:
    return None if payload_type is None else cstr(payload_type, "payload_type")


def dsse_pae(payload: Any, payload_type: Optional[str] = None) -> bytes:
    """The DSSE pre-authentication encoding of ``payload`` (the bytes signed)."""
    keep, ptr, n = read_buffer(payload)
    buf = mlops_buf()
    C.mlops_dsse_pae(ctypes.byref(buf), _ptype(payload_type), ptr, n)
    del keep
    return take_buf(buf)


def dsse_sign(payload: Any, keys: Union[SigningKey, Sequence[SigningKey]],
              payload_type: Optional[str] = None) -> bytes:
    """Sign ``payload`` with each key; returns the envelope (canonical JSON bytes)."""
    keep, ptr, n = read_buffer(payload)
    arr, nkeys, hold = key_array(keys)
    buf = mlops_buf()
    C.mlops_dsse_sign(ctypes.byref(buf), _ptype(payload_type), ptr, n, arr, nkeys, 0)
    del keep, hold
    return take_buf(buf)


def dsse_add_signature(envelope: Union[str, bytes], key: SigningKey) -> bytes:
    """Add ``key``'s signature to an envelope (existing ones are not verified)."""
    raw = _text_bytes(envelope, "envelope")
    buf = mlops_buf()
    C.mlops_dsse_add_signature(ctypes.byref(buf), raw, len(raw), key._h(), 0)
    return take_buf(buf)


def _verify_options(threshold: int, payload_type: Optional[str]) -> Tuple[mlops_dsse_verify_options, Any]:
    opts = mlops_dsse_verify_options()
    C.mlops_dsse_verify_options_init(ctypes.byref(opts), ctypes.sizeof(opts))
    opts.threshold = check_int(threshold, 0, 2**32 - 1, "threshold")
    raw = _ptype(payload_type)
    opts.payload_type = raw
    return opts, raw


def dsse_verify(envelope: Union[str, bytes], trusted: TrustedKeys, *, threshold: int = 1,
                payload_type: Optional[str] = None) -> bytes:
    """Verify an envelope against trusted keys and return the exact payload
    bytes, only when at least ``threshold`` distinct trusted keys signed.
    Raises :class:`SignatureError`, :class:`ParseError`, :class:`SchemaError`."""
    raw = _text_bytes(envelope, "envelope")
    ring = keyring(trusted)
    opts, hold = _verify_options(threshold, payload_type)
    buf = mlops_buf()
    try:
        C.mlops_dsse_verify(ctypes.byref(buf), raw, len(raw), ring._h(), ctypes.byref(opts))
    finally:
        out = take_buf(buf)
    del hold
    return out


def dsse_verify_detached(envelope: Union[str, bytes], payload: Any, trusted: TrustedKeys, *,
                         threshold: int = 1, payload_type: Optional[str] = None) -> None:
    """Verify a detached envelope: as :func:`dsse_verify`, and the signed
    payload must equal ``payload`` byte for byte."""
    raw = _text_bytes(envelope, "envelope")
    ring = keyring(trusted)
    opts, hold = _verify_options(threshold, payload_type)
    keep, ptr, n = read_buffer(payload)
    C.mlops_dsse_verify_detached(raw, len(raw), ptr, n, ring._h(), ctypes.byref(opts))
    del keep, hold
