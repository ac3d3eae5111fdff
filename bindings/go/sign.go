package mlops

/*
#include "bridge.h"
*/
import "C"

import (
	"os"
	"runtime"
	"unsafe"
)

// Ed25519 sizes.
const (
	SignatureSize = C.MLOPS_ED25519_SIGNATURE_SIZE
	KeySize       = C.MLOPS_ED25519_KEY_SIZE
)

// PayloadTypeInToto is the DSSE payload type of in-toto statements.
const PayloadTypeInToto = C.MLOPS_DSSE_PAYLOAD_TYPE_INTOTO

// Key is an Ed25519 key pair or public key (mlops_key). Immutable: it may be
// shared between goroutines. Close releases it (the private half is
// cleansed); a finalizer does so for a Key dropped without Close.
type Key struct{ h handle }

func newKey(p *C.mlops_key) *Key {
	k := &Key{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_key_free((*C.mlops_key)(p)) })}
	runtime.SetFinalizer(k, finalizeCloser[*Key])
	return k
}

// Close releases the key. Idempotent; always nil.
func (k *Key) Close() error {
	if k == nil {
		return nil
	}
	k.hd().close()
	runtime.SetFinalizer(k, nil)
	return nil
}

func (k *Key) ptr(p unsafe.Pointer) *C.mlops_key { return (*C.mlops_key)(p) }

// GenerateKey makes a new key pair from the system's random source.
func GenerateKey() (*Key, error) {
	var p *C.mlops_key
	if err := call(func() C.int { return C.mlops_key_generate(&p, 0) }); err != nil {
		return nil, err
	}
	return newKey(p), nil
}

// ParseKeyPEM loads a "PRIVATE KEY" (PKCS#8) or "PUBLIC KEY" PEM block.
func ParseKeyPEM(pem []byte) (*Key, error) {
	var p *C.mlops_key
	if err := call(func() C.int {
		return C.mlops_key_parse_pem(&p, (*C.char)(bytesPtr(pem)), C.size_t(len(pem)), 0)
	}); err != nil {
		return nil, err
	}
	return newKey(p), nil
}

// LoadKeyFile loads a PEM key file.
func LoadKeyFile(path string) (*Key, error) {
	cp, err := mustCString(path, "path")
	if err != nil {
		return nil, err
	}
	var p *C.mlops_key
	if err := call(func() C.int { return C.mlops_key_load_file(&p, cp, 0) }); err != nil {
		return nil, err
	}
	return newKey(p), nil
}

// KeyFromSeed makes the key pair of a raw 32-byte RFC 8032 private seed.
func KeyFromSeed(seed [KeySize]byte) (*Key, error) {
	var p *C.mlops_key
	if err := call(func() C.int { return C.mlops_key_from_seed(&p, (*C.uint8_t)(&seed[0])) }); err != nil {
		return nil, err
	}
	return newKey(p), nil
}

// KeyFromPublic makes a public key from its raw 32-byte encoding.
func KeyFromPublic(pub [KeySize]byte) (*Key, error) {
	var p *C.mlops_key
	if err := call(func() C.int { return C.mlops_key_from_public(&p, (*C.uint8_t)(&pub[0])) }); err != nil {
		return nil, err
	}
	return newKey(p), nil
}

// HasPrivate reports whether the key can sign (false once closed).
func (k *Key) HasPrivate() bool {
	var r C.int
	_ = k.hd().use(func(p unsafe.Pointer) error { r = C.mlops_key_has_private(k.ptr(p)); return nil })
	return r == 1
}

// ID returns the key id: hex SHA-256 of the DER SubjectPublicKeyInfo ("" once closed).
func (k *Key) ID() string {
	var s string
	_ = k.hd().use(func(p unsafe.Pointer) error { s = C.GoString(C.mlops_key_id(k.ptr(p))); return nil })
	return s
}

// Public returns the raw 32-byte public key.
func (k *Key) Public() ([KeySize]byte, error) {
	var out [KeySize]byte
	err := k.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_key_public_raw((*C.uint8_t)(&out[0]), k.ptr(p)) })
	})
	return out, err
}

func (k *Key) pem(private bool) ([]byte, error) {
	var out []byte
	err := k.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int {
			if private {
				return C.mlops_key_write_pem(&b, k.ptr(p), C.MLOPS_KEY_PEM_PRIVATE)
			}
			return C.mlops_key_write_pem(&b, k.ptr(p), 0)
		})
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}

// PrivatePEM returns the unencrypted PKCS#8 PEM of the private key.
func (k *Key) PrivatePEM() ([]byte, error) { return k.pem(true) }

// PublicPEM returns the SubjectPublicKeyInfo PEM of the public key.
func (k *Key) PublicPEM() ([]byte, error) { return k.pem(false) }

// WritePublicPEM writes the public key's PEM to a file (mode 0644).
func (k *Key) WritePublicPEM(path string) error {
	b, err := k.PublicPEM()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// Sign signs msg with plain Ed25519 (no DSSE).
func (k *Key) Sign(msg []byte) ([SignatureSize]byte, error) {
	var sig [SignatureSize]byte
	err := k.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int {
			return C.mlops_key_sign_raw((*C.uint8_t)(&sig[0]), k.ptr(p), bytesPtr(msg), C.size_t(len(msg)))
		})
	})
	return sig, err
}

// Verify checks a plain Ed25519 signature: nil when valid, ErrSignature when not.
func (k *Key) Verify(sig [SignatureSize]byte, msg []byte) error {
	return k.hd().use(func(p unsafe.Pointer) error {
		return call(func() C.int {
			return C.mlops_key_verify_raw(k.ptr(p), (*C.uint8_t)(&sig[0]), bytesPtr(msg), C.size_t(len(msg)))
		})
	})
}

// Keyring is a set of trusted public keys (mlops_keyring).
type Keyring struct{ h handle }

// NewKeyring returns an empty set; keys may be added at once.
func NewKeyring(keys ...*Key) (*Keyring, error) {
	var p *C.mlops_keyring
	if err := call(func() C.int { return C.mlops_keyring_new(&p) }); err != nil {
		return nil, err
	}
	r := &Keyring{h: newHandle(unsafe.Pointer(p), func(p unsafe.Pointer) { C.mlops_keyring_free((*C.mlops_keyring)(p)) })}
	runtime.SetFinalizer(r, finalizeCloser[*Keyring])
	for _, k := range keys {
		if err := r.Add(k); err != nil {
			r.Close()
			return nil, err
		}
	}
	return r, nil
}

// Close releases the set. Idempotent; always nil.
func (r *Keyring) Close() error {
	if r == nil {
		return nil
	}
	r.hd().close()
	runtime.SetFinalizer(r, nil)
	return nil
}

// Add trusts the public half of k (copied).
func (r *Keyring) Add(k *Key) error {
	return use2(r.hd(), k.hd(), func(pr, pk unsafe.Pointer) error {
		return call(func() C.int { return C.mlops_keyring_add((*C.mlops_keyring)(pr), (*C.mlops_key)(pk)) })
	})
}

// Len returns the number of distinct keys.
func (r *Keyring) Len() int {
	var n C.size_t
	_ = r.hd().use(func(p unsafe.Pointer) error { n = C.mlops_keyring_count((*C.mlops_keyring)(p)); return nil })
	return int(n)
}

// usePtr runs fn with the ring's pointer, or NULL for a nil ring.
func (r *Keyring) usePtr(fn func(*C.mlops_keyring) error) error {
	if r == nil {
		return fn(nil)
	}
	return r.hd().use(func(p unsafe.Pointer) error { return fn((*C.mlops_keyring)(p)) })
}

// withKeys runs fn with a C array of the keys' pointers (held for the call).
func withKeys(keys []*Key, fn func(arr **C.mlops_key, n C.size_t) error) error {
	if len(keys) == 0 {
		return fn(nil, 0)
	}
	ptrs := make([]*C.mlops_key, len(keys))
	var rec func(i int) error
	rec = func(i int) error {
		if i == len(keys) {
			return fn(&ptrs[0], C.size_t(len(keys)))
		}
		return keys[i].hd().use(func(p unsafe.Pointer) error {
			ptrs[i] = (*C.mlops_key)(p)
			return rec(i + 1)
		})
	}
	return rec(0)
}

// DSSEPAE returns the DSSE pre-authentication encoding of payload ("" type: in-toto).
func DSSEPAE(payloadType string, payload []byte) ([]byte, error) {
	ct, err := optString(payloadType, "payload type")
	if err != nil {
		return nil, err
	}
	var b C.mlops_buf
	if err := call(func() C.int { return C.mlops_dsse_pae(&b, ct, bytesPtr(payload), C.size_t(len(payload))) }); err != nil {
		return nil, err
	}
	return goBuf(&b), nil
}

// DSSESign signs payload with each key and returns the envelope (canonical JSON).
func DSSESign(payloadType string, payload []byte, keys ...*Key) ([]byte, error) {
	ct, err := optString(payloadType, "payload type")
	if err != nil {
		return nil, err
	}
	var out []byte
	err = withKeys(keys, func(arr **C.mlops_key, n C.size_t) error {
		var b C.mlops_buf
		err := call(func() C.int {
			return C.mlops_dsse_sign(&b, ct, bytesPtr(payload), C.size_t(len(payload)), arr, n, 0)
		})
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}

// DSSEAddSignature adds k's signature to an envelope (existing ones are not verified).
func DSSEAddSignature(envelope []byte, k *Key) ([]byte, error) {
	var out []byte
	err := k.hd().use(func(p unsafe.Pointer) error {
		var b C.mlops_buf
		err := call(func() C.int {
			return C.mlops_dsse_add_signature(&b, (*C.char)(bytesPtr(envelope)), C.size_t(len(envelope)), (*C.mlops_key)(p), 0)
		})
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}

// DSSEVerifyOptions tunes DSSEVerify; the zero value is the default.
type DSSEVerifyOptions struct {
	Threshold   int    // distinct trusted keys that must have signed; 0 means 1
	PayloadType string // "" means PayloadTypeInToto
}

// DSSEVerify checks an envelope against the trusted keys and, only when it
// is valid, returns the exact payload bytes.
func DSSEVerify(envelope []byte, trusted *Keyring, opts *DSSEVerifyOptions) ([]byte, error) {
	var o DSSEVerifyOptions
	if opts != nil {
		o = *opts
	}
	ct, err := optString(o.PayloadType, "payload type")
	if err != nil {
		return nil, err
	}
	var out []byte
	err = trusted.usePtr(func(ring *C.mlops_keyring) error {
		var b C.mlops_buf
		err := call(func() C.int {
			return C.mlopsgo_dsse_verify(&b, (*C.char)(bytesPtr(envelope)), C.size_t(len(envelope)), ring, C.uint32_t(o.Threshold), ct)
		})
		if err == nil {
			out = goBuf(&b)
		}
		return err
	})
	return out, err
}

// DSSEVerifyDetached checks a detached envelope whose payload must equal payload.
func DSSEVerifyDetached(envelope, payload []byte, trusted *Keyring, opts *DSSEVerifyOptions) error {
	var o DSSEVerifyOptions
	if opts != nil {
		o = *opts
	}
	ct, err := optString(o.PayloadType, "payload type")
	if err != nil {
		return err
	}
	return trusted.usePtr(func(ring *C.mlops_keyring) error {
		return call(func() C.int {
			return C.mlopsgo_dsse_verify_detached((*C.char)(bytesPtr(envelope)), C.size_t(len(envelope)),
				bytesPtr(payload), C.size_t(len(payload)), ring, C.uint32_t(o.Threshold), ct)
		})
	})
}
