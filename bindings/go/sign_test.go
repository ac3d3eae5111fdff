package mlops

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
)

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 8032 §7.1 TEST 1 and Go's crypto/ed25519 are the oracles.
func TestKeyMatchesRFC8032AndGoEd25519(t *testing.T) {
	var seed [KeySize]byte
	copy(seed[:], mustHex(t, "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"))
	k, err := KeyFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	if !k.HasPrivate() {
		t.Fatal("a key from a seed must hold the private half")
	}
	pub, err := k.Public()
	if err != nil || hex.EncodeToString(pub[:]) != "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a" {
		t.Fatalf("public key %x, %v", pub, err)
	}
	sig, err := k.Sign(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
	if hex.EncodeToString(sig[:]) != want {
		t.Fatalf("signature %x", sig)
	}
	// key id: SHA-256 of the DER SubjectPublicKeyInfo (RFC 8410 prefix + key)
	der := append(mustHex(t, "302a300506032b6570032100"), pub[:]...)
	sum := sha256.Sum256(der)
	if k.ID() != hex.EncodeToString(sum[:]) {
		t.Fatalf("key id %s", k.ID())
	}
	// Go signs, C verifies; C signs, Go verifies.
	gpriv := ed25519.NewKeyFromSeed(seed[:])
	msg := []byte("model version 1.4.0")
	var gsig [SignatureSize]byte
	copy(gsig[:], ed25519.Sign(gpriv, msg))
	if err := k.Verify(gsig, msg); err != nil {
		t.Fatal(err)
	}
	csig, _ := k.Sign(msg)
	if !ed25519.Verify(gpriv.Public().(ed25519.PublicKey), msg, csig[:]) {
		t.Fatal("Go rejects the C signature")
	}
	if err := k.Verify(csig, []byte("other")); !errors.Is(err, ErrSignature) {
		t.Fatalf("wrong message: %v", err)
	}

	// PEM round trips, public-only keys.
	privPEM, err := k.PrivatePEM()
	if err != nil || !bytes.HasPrefix(privPEM, []byte("-----BEGIN PRIVATE KEY-----")) {
		t.Fatalf("private PEM %q %v", privPEM, err)
	}
	k2, err := ParseKeyPEM(privPEM)
	if err != nil || k2.ID() != k.ID() || !k2.HasPrivate() {
		t.Fatalf("reloaded key: %v", err)
	}
	k2.Close()
	path := filepath.Join(t.TempDir(), "pub.pem")
	if err := k.WritePublicPEM(path); err != nil {
		t.Fatal(err)
	}
	pk, err := LoadKeyFile(path)
	if err != nil || pk.HasPrivate() || pk.ID() != k.ID() {
		t.Fatalf("public key file: %v", err)
	}
	if _, err := pk.PrivatePEM(); !errors.Is(err, ErrInvalid) {
		t.Fatalf("private PEM of a public key: %v", err)
	}
	if _, err := pk.Sign(msg); !errors.Is(err, ErrInvalid) {
		t.Fatalf("signing with a public key: %v", err)
	}
	pk.Close()
	fp, err := KeyFromPublic(pub)
	if err != nil || fp.ID() != k.ID() || fp.HasPrivate() {
		t.Fatalf("KeyFromPublic: %v", err)
	}
	fp.Close()
	if _, err := ParseKeyPEM([]byte("not a key")); !errors.Is(err, ErrParse) {
		t.Fatalf("bad PEM: %v", err)
	}
	if _, err := LoadKeyFile(filepath.Join(t.TempDir(), "absent.pem")); !errors.Is(err, ErrIO) {
		t.Fatalf("absent file: %v", err)
	}
	k.Close()
	if k.ID() != "" || k.HasPrivate() {
		t.Fatal("a closed key still answers")
	}
	if _, err := k.Sign(msg); err != ErrClosed {
		t.Fatalf("closed key: %v", err)
	}
}

func TestDSSEEnvelopesVerifyWithGoEd25519(t *testing.T) {
	pae, err := DSSEPAE("", []byte("hello"))
	if err != nil || string(pae) != "DSSEv1 28 application/vnd.in-toto+json 5 hello" {
		t.Fatalf("PAE %q %v", pae, err)
	}
	a, _ := GenerateKey()
	b, _ := GenerateKey()
	c, _ := GenerateKey()
	defer a.Close()
	defer b.Close()
	defer c.Close()
	payload := []byte(`{"x":1}`)
	env, err := DSSESign("", payload, a, b)
	if err != nil {
		t.Fatal(err)
	}
	// Check the envelope with Go alone.
	var e struct {
		Payload, PayloadType string
		Signatures           []struct{ Keyid, Sig string }
	}
	if err := json.Unmarshal(env, &e); err != nil {
		t.Fatal(err)
	}
	body, _ := base64.StdEncoding.DecodeString(e.Payload)
	if !bytes.Equal(body, payload) || e.PayloadType != PayloadTypeInToto || len(e.Signatures) != 2 {
		t.Fatalf("envelope %s", env)
	}
	for _, s := range e.Signatures {
		k := a
		if s.Keyid == b.ID() {
			k = b
		}
		raw, _ := base64.StdEncoding.DecodeString(s.Sig)
		pub, _ := k.Public()
		if !ed25519.Verify(pub[:], mustPAE(t, payload), raw) {
			t.Fatalf("Go rejects signature of %s", s.Keyid)
		}
	}
	ring, err := NewKeyring(a, b)
	if err != nil || ring.Len() != 2 {
		t.Fatalf("keyring: %v", err)
	}
	defer ring.Close()
	got, err := DSSEVerify(env, ring, &DSSEVerifyOptions{Threshold: 2})
	if err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("verify: %q %v", got, err)
	}
	if err := DSSEVerifyDetached(env, payload, ring, nil); err != nil {
		t.Fatal(err)
	}
	if err := DSSEVerifyDetached(env, []byte("other"), ring, nil); !errors.Is(err, ErrSignature) {
		t.Fatalf("detached, other bytes: %v", err)
	}
	only, _ := NewKeyring(c)
	defer only.Close()
	if _, err := DSSEVerify(env, only, nil); !errors.Is(err, ErrSignature) {
		t.Fatalf("untrusted: %v", err)
	}
	env3, err := DSSEAddSignature(env, c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DSSEVerify(env3, only, nil); err != nil {
		t.Fatalf("after adding c: %v", err)
	}
	if _, err := DSSEAddSignature(env3, c); !errors.Is(err, ErrExists) {
		t.Fatalf("second signature by c: %v", err)
	}
	if _, err := DSSEVerify([]byte("{"), ring, nil); !errors.Is(err, ErrParse) {
		t.Fatalf("bad JSON: %v", err)
	}
}

func mustPAE(t *testing.T, payload []byte) []byte {
	p, err := DSSEPAE(PayloadTypeInToto, payload)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
