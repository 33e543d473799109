//! The electronic seal: SM2 signatures over SM3 (GB/T 32918.2, GB/T 32905) with the
//! default distinguishing identifier `1234567812345678` (GB/T 35276 §5.3, GM/T 0009), so
//! `e = SM3(Z_A ‖ M)` with `Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)`.
//! Signatures are `r ‖ s` (64 bytes, hex); public keys uncompressed SEC1 points
//! (`04 ‖ x ‖ y`, hex). Nonces are deterministic (RFC 6979 with SM3), so signing needs no
//! random source and the same key signs the same bytes identically.
//!
//! The private key is a development key given as a Spin variable (`seal_private_key`, 64
//! hex digits); production keeps the key in a signing device (see README).

use sm2::dsa::signature::{Signer, Verifier};
use sm2::dsa::{Signature, SigningKey, VerifyingKey};
use sm3::{Digest, Sm3};

/// The default distinguishing identifier of GB/T 35276 (`1234567812345678`).
pub const DEFAULT_DISTID: &str = "1234567812345678";

/// The algorithm name published with the keys.
pub const ALGORITHM: &str = "SM2-with-SM3";

/// Why a key or signature could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SealError {
    /// The private key is not 64 hex digits of a valid SM2 scalar.
    BadPrivateKey,
    /// The public key is not a hex SEC1 point on the SM2 curve.
    BadPublicKey,
    /// The signature is not 128 hex digits of a valid `r ‖ s`.
    BadSignature,
}

impl std::fmt::Display for SealError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SealError::BadPrivateKey => "seal private key is not 64 hex digits of a valid SM2 private key",
            SealError::BadPublicKey => "not an SM2 public key",
            SealError::BadSignature => "not an SM2 signature",
        })
    }
}

/// Lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes hex (either case).
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// SM3 of `bytes` (GB/T 32905).
pub fn sm3(bytes: &[u8]) -> [u8; 32] {
    Sm3::digest(bytes).into()
}

/// The signing key of the seal.
pub struct SealKey {
    key: SigningKey,
    public_hex: String,
    key_id: String,
}

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the private half.
        write!(f, "SealKey({})", self.key_id)
    }
}

/// The identifier of a public key: the first 16 hex digits of SM3 of its SEC1 bytes.
pub fn key_id_of(public_key: &[u8]) -> String {
    hex(&sm3(public_key))[..16].to_owned()
}

impl SealKey {
    /// Parses a private key of 64 hex digits.
    pub fn from_hex(s: &str) -> Result<SealKey, SealError> {
        let bytes = unhex(s).filter(|b| b.len() == 32).ok_or(SealError::BadPrivateKey)?;
        let key = SigningKey::from_slice(DEFAULT_DISTID, &bytes).map_err(|_| SealError::BadPrivateKey)?;
        let public = key.verifying_key().to_sec1_bytes();
        Ok(SealKey { public_hex: hex(&public), key_id: key_id_of(&public), key })
    }

    /// The public key, hex uncompressed SEC1.
    pub fn public_key_hex(&self) -> &str {
        &self.public_hex
    }

    /// The key's identifier (see [`key_id_of`]).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Signs `message` (the canonical JSON bytes): `r ‖ s`, hex.
    pub fn sign(&self, message: &[u8]) -> String {
        let sig: Signature = self.key.sign(message);
        hex(&sig.to_bytes())
    }
}

/// Verifies an SM2 signature (`r ‖ s` hex) of `message` under `public_key_hex` with the
/// default distinguishing identifier. `Ok(false)` for a well-formed signature that does not
/// match.
pub fn verify(public_key_hex: &str, message: &[u8], signature_hex: &str) -> Result<bool, SealError> {
    let pk = unhex(public_key_hex).ok_or(SealError::BadPublicKey)?;
    let vk = VerifyingKey::from_sec1_bytes(DEFAULT_DISTID, &pk).map_err(|_| SealError::BadPublicKey)?;
    let sig = unhex(signature_hex).ok_or(SealError::BadSignature)?;
    let sig = Signature::from_slice(&sig).map_err(|_| SealError::BadSignature)?;
    Ok(vk.verify(message, &sig).is_ok())
}

/// Crockford's base-32 alphabet (no I, L, O, U: nothing to misread on paper).
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The verification code printed with a certificate: 8 characters (40 bits) of
/// SM3("zhicheng:verification-code:" ‖ signature). Only the seal's holder can produce the
/// signature, so the code cannot be derived from the certificate number; it is
/// deterministic, so regenerating a certificate's seal reproduces its code.
pub fn verification_code(signature_hex: &str) -> String {
    let mut input = b"zhicheng:verification-code:".to_vec();
    input.extend_from_slice(signature_hex.as_bytes());
    let d = sm3(&input);
    let mut bits: u64 = 0;
    for b in &d[..5] {
        bits = (bits << 8) | u64::from(*b);
    }
    (0..8).rev().map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char).collect()
}

/// Normalises a code typed by a person: upper case, `O`→`0`, `I`/`L`→`1`, spaces and
/// hyphens dropped.
pub fn normalise_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A development key for tests only.
    pub const TEST_KEY: &str = "3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8";

    #[test]
    fn sm3_matches_the_standard_example() {
        // GB/T 32905-2016 appendix A.1: "abc".
        assert_eq!(hex(&sm3(b"abc")), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    #[test]
    fn a_signature_made_by_openssl_with_the_default_id_verifies() {
        // Made independently with OpenSSL 3.0 (`openssl pkeyutl -sign -rawin -digest sm3
        // -pkeyopt distid:1234567812345678`), DER (r, s) unpacked.
        let public = "048d9670c3545d5229602ac871333d21b637f74eb76943898c64f058459e928325\
                      199330ffa3bce312d58c759d57dd063b7d48ead08e4a3d398f7efcde0ace1427";
        let sig = "eafa5858a01b589239a7c995550c132059f68d788e87ca627c7f886476ae171b\
                   9ced70b7a41f626bda9d844b95a7c1d3e77bc7e52d65519ac71da80500027f5d";
        let msg = "{\"a\":\"证书\"}".as_bytes();
        assert_eq!(verify(public, msg, sig), Ok(true));
        assert_eq!(verify(public, "{\"a\":\"证件\"}".as_bytes(), sig), Ok(false));
    }

    #[test]
    fn the_openssl_key_derives_the_same_public_key() {
        let k = SealKey::from_hex("accc2c2ccdd4412059a4dbe109cf3f5b1b4eb0d776a0b17134358925a784e0d2").unwrap();
        assert_eq!(
            k.public_key_hex(),
            "048d9670c3545d5229602ac871333d21b637f74eb76943898c64f058459e928325\
             199330ffa3bce312d58c759d57dd063b7d48ead08e4a3d398f7efcde0ace1427"
        );
    }

    #[test]
    fn a_seal_verifies_and_changing_one_byte_breaks_it() {
        let k = SealKey::from_hex(TEST_KEY).unwrap();
        let msg = br#"{"name":"\xe5\xbc\xa0\xe4\xb8\x89","no":"B04244301000001"}"#;
        let sig = k.sign(msg);
        assert_eq!(sig.len(), 128);
        assert_eq!(sig, k.sign(msg), "deterministic (RFC 6979)");
        assert_eq!(verify(k.public_key_hex(), msg, &sig), Ok(true));
        let mut tampered = msg.to_vec();
        tampered[10] ^= 1;
        assert_eq!(verify(k.public_key_hex(), &tampered, &sig), Ok(false));
        let other = SealKey::from_hex(&"11".repeat(32)).unwrap();
        assert_eq!(verify(other.public_key_hex(), msg, &sig), Ok(false));
    }

    #[test]
    fn malformed_keys_and_signatures_are_errors_not_panics() {
        assert_eq!(SealKey::from_hex("xyz").unwrap_err(), SealError::BadPrivateKey);
        assert_eq!(SealKey::from_hex(&"00".repeat(32)).unwrap_err(), SealError::BadPrivateKey);
        assert_eq!(SealKey::from_hex(&"ff".repeat(32)).unwrap_err(), SealError::BadPrivateKey, "beyond n");
        assert_eq!(verify("04", b"m", &"11".repeat(64)), Err(SealError::BadPublicKey));
        let k = SealKey::from_hex(TEST_KEY).unwrap();
        assert_eq!(verify(k.public_key_hex(), b"m", "abcd"), Err(SealError::BadSignature));
        assert!(!format!("{k:?}").contains(TEST_KEY));
    }

    #[test]
    fn verification_codes_are_eight_unambiguous_characters() {
        let k = SealKey::from_hex(TEST_KEY).unwrap();
        let code = verification_code(&k.sign(b"x"));
        assert_eq!(code.len(), 8);
        assert!(code.chars().all(|c| CROCKFORD.contains(&(c as u8))));
        assert_ne!(code, verification_code(&k.sign(b"y")));
        assert_eq!(normalise_code(" ab-cd oi l "), "ABCD011");
    }
}
