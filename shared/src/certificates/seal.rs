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
use sm2::elliptic_curve::ff::PrimeField;
use sm2::elliptic_curve::ops::Reduce;
use sm2::elliptic_curve::point::{AffineCoordinates, BatchNormalize};
use sm2::elliptic_curve::subtle::{ConditionallySelectable, ConstantTimeEq};
use sm2::elliptic_curve::{Curve, FieldBytesEncoding};
use sm2::{AffinePoint, FieldBytes, ProjectivePoint, Scalar, Sm2, U256};
use sm3::{Digest, Sm3};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

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
    /// `Z_A` of the key under the default identifier (the prefix of every `e`).
    z: [u8; 32],
    /// `(1 + d)⁻¹ mod n`, the same for every signature of the key.
    d_plus_1_inv: Scalar,
    /// Signatures made so far; the generator table is built from the [`TABLE_AFTER`]th on.
    signed: AtomicU32,
    table: OnceLock<GeneratorTable>,
}

/// Signatures a key makes with sm2's own signer before it builds its [`GeneratorTable`]:
/// the table costs about as much as four signatures, so a request that seals one or two
/// certificates never builds it and a generation job builds it once.
const TABLE_AFTER: u32 = 4;
/// How many signatures [`SealKey::sign_many`] normalises with one field inversion.
const BATCH: usize = 16;

/// Multiples of the generator for a fixed-base scalar multiplication (issue 14: the
/// signature's `k·G` was most of a certificate's cost). Row `i` holds `j·16^i·G` for
/// `j = 1..=15`, affine, so `k·G` is one mixed addition per 4-bit digit of `k` (64) instead
/// of sm2's 256 doublings and 64 additions (its `mul_by_generator` has no precomputed
/// table: "TODO(tarcieri): precomputed basepoint tables"). The point arithmetic is sm2's
/// own (complete formulas), and each digit's entry is chosen by a constant-time scan of its
/// row, so the time taken does not depend on the nonce.
struct GeneratorTable(Vec<[AffinePoint; 15]>);

impl GeneratorTable {
    fn new() -> GeneratorTable {
        let mut rows = Vec::with_capacity(64);
        let mut base = ProjectivePoint::GENERATOR;
        for _ in 0..64 {
            let mut row = [ProjectivePoint::IDENTITY; 15];
            row[0] = base;
            for j in 1..15 {
                row[j] = row[j - 1] + base;
            }
            base = row[14] + base;
            rows.push(<ProjectivePoint as BatchNormalize<[ProjectivePoint; 15]>>::batch_normalize(&row));
        }
        GeneratorTable(rows)
    }

    /// `k·G`.
    fn mul(&self, k: &Scalar) -> ProjectivePoint {
        let bytes = k.to_repr();
        let mut acc = ProjectivePoint::IDENTITY;
        for (i, row) in self.0.iter().enumerate() {
            let byte = bytes[31 - i / 2];
            let digit = if i % 2 == 0 { byte & 0x0f } else { byte >> 4 };
            let mut p = AffinePoint::IDENTITY;
            for (j, q) in row.iter().enumerate() {
                p.conditional_assign(q, digit.ct_eq(&(j as u8 + 1)));
            }
            acc += &p;
        }
        acc
    }
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
        let d_plus_1_inv = Option::<Scalar>::from((*key.as_nonzero_scalar().as_ref() + Scalar::ONE).invert())
            .ok_or(SealError::BadPrivateKey)?;
        Ok(SealKey {
            public_hex: hex(&public),
            key_id: key_id_of(&public),
            z: z_of(DEFAULT_DISTID, &public),
            d_plus_1_inv,
            signed: AtomicU32::new(0),
            table: OnceLock::new(),
            key,
        })
    }

    /// The public key, hex uncompressed SEC1.
    pub fn public_key_hex(&self) -> &str {
        &self.public_hex
    }

    /// The key's identifier (see [`key_id_of`]).
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Signs `message` (the canonical JSON bytes): `r ‖ s`, hex. The first few signatures
    /// of a key use sm2's signer; later ones the key's generator table. Both compute the
    /// same signature (GB/T 32918.2 §6.1 with the RFC 6979 nonce), bit for bit.
    pub fn sign(&self, message: &[u8]) -> String {
        let sig = if self.signed.fetch_add(1, Ordering::Relaxed) < TABLE_AFTER {
            None
        } else {
            self.sign_with_table(self.table.get_or_init(GeneratorTable::new), message)
        };
        hex(&sig.unwrap_or_else(|| self.key.sign(message)).to_bytes())
    }

    /// Signs each of `messages`, as [`SealKey::sign`] would one by one (the same signatures,
    /// bit for bit), with one field inversion for them all instead of one each (issue 14:
    /// the inversion that turns each `k·G` into affine coordinates was a tenth of a
    /// certificate job's time): the points are normalised together (Montgomery's trick).
    pub fn sign_many(&self, messages: &[&[u8]]) -> Vec<String> {
        let before = self.signed.fetch_add(messages.len() as u32, Ordering::Relaxed);
        if before < TABLE_AFTER && messages.len() < TABLE_AFTER as usize {
            return messages.iter().map(|m| hex(&self.key.sign(m).to_bytes())).collect();
        }
        let table = self.table.get_or_init(GeneratorTable::new);
        let mut out = Vec::with_capacity(messages.len());
        for batch in messages.chunks(BATCH) {
            let nonces: Vec<Option<(Scalar, Scalar)>> = batch.iter().map(|m| self.nonce(m)).collect();
            // Fixed-size batches: sm2's batch normalisation of a slice needs an allocator
            // feature it is not built with; unused places hold G.
            let mut points = [ProjectivePoint::GENERATOR; BATCH];
            for (p, n) in points.iter_mut().zip(&nonces) {
                if let Some((_, k)) = n {
                    *p = table.mul(k);
                }
            }
            let affine = <ProjectivePoint as BatchNormalize<[ProjectivePoint; BATCH]>>::batch_normalize(&points);
            for ((m, n), p) in batch.iter().zip(nonces).zip(affine) {
                let sig = n.and_then(|(e, k)| self.finish(e, k, &p.x()));
                out.push(hex(&sig.unwrap_or_else(|| self.key.sign(m)).to_bytes()));
            }
        }
        out
    }

    /// GB/T 32918.2 §6.1 as sm2's `sign_prehash_rfc6979`, with `k·G` from the table.
    /// `None` in the cases where a new nonce would be needed (r = 0 or r + k = n, with
    /// probability about 2⁻²⁵⁵): sm2's signer then decides.
    fn sign_with_table(&self, table: &GeneratorTable, message: &[u8]) -> Option<Signature> {
        let (e, k) = self.nonce(message)?;
        self.finish(e, k, &table.mul(&k).to_affine().x())
    }

    /// `e` = SM3(Z_A ‖ message) as a scalar, and the RFC 6979 nonce `k` (with SM3) for it.
    fn nonce(&self, message: &[u8]) -> Option<(Scalar, Scalar)> {
        let d: &Scalar = self.key.as_nonzero_scalar().as_ref();
        let hash = Sm3::new_with_prefix(self.z).chain_update(message).finalize();
        let e = <Scalar as Reduce<U256>>::reduce_bytes(FieldBytes::from_slice(&hash));
        let order = FieldBytesEncoding::<Sm2>::encode_field_bytes(&Sm2::ORDER);
        let k = rfc6979::generate_k::<Sm3, _>(&d.to_repr(), &order, &e.to_repr(), &[]);
        Some((e, Option::<Scalar>::from(Scalar::from_repr(k))?))
    }

    /// The signature (r, s) from `e`, `k` and the x coordinate `x1` of `k·G`.
    fn finish(&self, e: Scalar, k: Scalar, x1: &FieldBytes) -> Option<Signature> {
        let d: &Scalar = self.key.as_nonzero_scalar().as_ref();
        let r = e + <Scalar as Reduce<U256>>::reduce_bytes(x1);
        if bool::from(r.is_zero() | (r + k).ct_eq(&Scalar::ZERO)) {
            return None;
        }
        let s = self.d_plus_1_inv * (k - r * d);
        Signature::from_scalars(r, s).ok()
    }
}

/// `Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A)` (GB/T 32918.2 §5.5) of the
/// uncompressed SEC1 public key `public` (`04 ‖ x ‖ y`).
fn z_of(distid: &str, public: &[u8]) -> [u8; 32] {
    // The curve's a and b (GB/T 32918.5 §2); G comes from the point arithmetic itself.
    const A: &str = "fffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffc";
    const B: &str = "28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93";
    let g = ProjectivePoint::GENERATOR.to_affine();
    let mut h = Sm3::new();
    h.update(((distid.len() * 8) as u16).to_be_bytes());
    h.update(distid.as_bytes());
    h.update(unhex(A).unwrap_or_default());
    h.update(unhex(B).unwrap_or_default());
    h.update(
        sm2::elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&g, false).as_bytes().get(1..).unwrap_or_default(),
    );
    h.update(public.get(1..).unwrap_or_default());
    h.finalize().into()
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
    fn signing_many_at_once_gives_each_message_the_signature_signing_it_alone_gives() {
        let k = SealKey::from_hex(TEST_KEY).unwrap();
        let reference = SealKey::from_hex(TEST_KEY).unwrap();
        let msgs: Vec<String> = (0..37).map(|i| format!("{{\"no\":\"B04244301{i:06}\"}}").repeat(1 + i % 3)).collect();
        let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_bytes()).collect();
        // The first batch of a fresh key is large enough to use the table at once.
        let many = k.sign_many(&refs);
        assert_eq!(many.len(), msgs.len());
        for (m, sig) in msgs.iter().zip(&many) {
            assert_eq!(sig, &hex(&reference.key.sign(m.as_bytes()).to_bytes()), "as sm2's own signer");
            assert_eq!(verify(k.public_key_hex(), m.as_bytes(), sig), Ok(true));
        }
        // Small batches, before and after the table, and an empty one.
        let fresh = SealKey::from_hex(TEST_KEY).unwrap();
        for chunk in refs.chunks(2) {
            let got = fresh.sign_many(chunk);
            let want: Vec<String> = chunk.iter().map(|m| reference.sign(m)).collect();
            assert_eq!(got, want);
        }
        assert!(fresh.sign_many(&[]).is_empty());
    }

    #[test]
    fn the_generator_table_signs_exactly_as_sm2s_own_signer() {
        // Keys across the scalar range (small, the OpenSSL one, near n) and messages of
        // several lengths: every signature the table makes equals sm2's (same RFC 6979
        // nonce) and verifies; the table's k·G equals sm2's for edge scalars.
        let keys = [
            "0000000000000000000000000000000000000000000000000000000000000001".to_owned(),
            TEST_KEY.to_owned(),
            "accc2c2ccdd4412059a4dbe109cf3f5b1b4eb0d776a0b17134358925a784e0d2".to_owned(),
            "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54121".to_owned(),
        ];
        let table = GeneratorTable::new();
        for key in &keys {
            let k = SealKey::from_hex(key).unwrap();
            for i in 0..40 {
                let msg = format!("{{\"no\":\"B04244301{i:06}\",\"name\":\"张三\"}}").repeat(1 + i % 5);
                let ours = k.sign_with_table(&table, msg.as_bytes()).expect("a signature");
                let theirs: Signature = k.key.sign(msg.as_bytes());
                assert_eq!(ours, theirs, "key {key}, message {i}");
                assert_eq!(verify(k.public_key_hex(), msg.as_bytes(), &hex(&ours.to_bytes())), Ok(true));
            }
        }
        let minus_one = -Scalar::ONE;
        for s in [Scalar::ONE, Scalar::from(15u64), Scalar::from(16u64), Scalar::from(u64::MAX), minus_one] {
            assert_eq!(table.mul(&s).to_affine(), (ProjectivePoint::GENERATOR * s).to_affine());
        }
        assert_eq!(table.mul(&Scalar::ZERO), ProjectivePoint::IDENTITY);
    }

    #[test]
    fn a_key_switches_to_its_table_after_a_few_signatures_without_changing_them() {
        let k = SealKey::from_hex(TEST_KEY).unwrap();
        let first: Vec<String> = (0..TABLE_AFTER + 3).map(|i| k.sign(format!("m{i}").as_bytes())).collect();
        assert!(k.table.get().is_some(), "built after {TABLE_AFTER} signatures");
        let fresh = SealKey::from_hex(TEST_KEY).unwrap();
        for (i, sig) in first.iter().enumerate() {
            let theirs: Signature = fresh.key.sign(format!("m{i}").as_bytes());
            assert_eq!(sig, &hex(&theirs.to_bytes()));
        }
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
