//! Identity: who (or which device) a record is about, as a keyed hash.
//!
//! Raw identifiers never leave a record's scratch buffer: what is counted is
//! a 128-bit SipHash of the identifier under a key. With the default key the
//! same input gives the same report on every run and every machine (so shard
//! results can be compared); anything that persists identities (shard files,
//! the transaction ledger) must use a secret key (`BULKSCAN_IDENTITY_KEY`),
//! since SSNs are few enough to brute-force under a known key.

use siphasher::sip128::{Hasher128, SipHasher13};
use std::hash::Hasher;

/// A 128-bit keyed identity: collisions are negligible even at billions of
/// persons, so exact counts stay exact.
pub type IdHash = u128;

#[derive(Clone, Copy, Debug)]
pub struct IdentityKey(pub [u8; 16]);

impl Default for IdentityKey {
    fn default() -> Self {
        IdentityKey(*b"bulkscan.id.v1\0\0")
    }
}

impl IdentityKey {
    /// Reads `BULKSCAN_IDENTITY_KEY` (any string; it is hashed to 16 bytes)
    /// or falls back to the fixed default.
    pub fn from_env() -> IdentityKey {
        match std::env::var("BULKSCAN_IDENTITY_KEY") {
            Ok(s) if !s.is_empty() => {
                let mut h = SipHasher13::new_with_keys(0x6b73_6361_6e00_0001, 0);
                h.write(s.as_bytes());
                let v = h.finish128();
                let mut k = [0u8; 16];
                k[..8].copy_from_slice(&v.h1.to_le_bytes());
                k[8..].copy_from_slice(&v.h2.to_le_bytes());
                IdentityKey(k)
            }
            _ => IdentityKey::default(),
        }
    }

    /// Hashes `value` in the namespace `ns` (the kind of identifier), so an
    /// SSN and a phone number with the same digits are different people.
    pub fn hash(&self, ns: &[u8], value: &[u8]) -> IdHash {
        // One pass over the joined bytes where they fit a stack buffer
        // (every record pays this). SipHash is a stream, so the digest is
        // that of the three writes.
        let n = ns.len() + 1 + value.len();
        if n <= JOINED {
            let mut buf = [0u8; JOINED + 8];
            put(&mut buf, 0, ns);
            buf[ns.len()] = 0xff;
            put(&mut buf, ns.len() + 1, value);
            return sip13_128(&self.0, &buf, n);
        }
        let mut h = SipHasher13::new_with_key(&self.0);
        h.write(ns);
        h.write_u8(0xff);
        h.write(value);
        let v = h.finish128();
        ((v.h1 as u128) << 64) | v.h2 as u128
    }

    /// A record with no identifier counts as a person of its own: the hash
    /// of where it is, which is the same whatever the chunking.
    pub fn own(&self, file_id: &[u8], offset: u64) -> IdHash {
        // The same bytes as hash(b"record", file_id ++ offset), joined in
        // a stack buffer where the path fits (a table with no identifier
        // column pays this every row: the streaming hasher cost some 200
        // instructions a row more), else written in parts. The buffer is
        // zeroed whole on every call, so a usual path gets a short one:
        // zeroing the long one was a `memset` call, some 35 instructions
        // of a digest's 200.
        let n = OWN_NS.len() + 1 + file_id.len() + 8;
        if n <= OWN_SHORT {
            return self.own_joined::<{ OWN_SHORT + 8 }>(file_id, offset, n);
        }
        if n <= OWN_JOINED {
            return self.own_joined::<{ OWN_JOINED + 8 }>(file_id, offset, n);
        }
        let mut h = SipHasher13::new_with_key(&self.0);
        h.write(OWN_NS);
        h.write_u8(0xff);
        h.write(file_id);
        h.write(&offset.to_le_bytes());
        let v = h.finish128();
        ((v.h1 as u128) << 64) | v.h2 as u128
    }

    /// `own` in one pass over a buffer of `B` bytes (`n + 8` at most).
    #[inline(always)]
    fn own_joined<const B: usize>(&self, file_id: &[u8], offset: u64, n: usize) -> IdHash {
        let mut buf = [0u8; B];
        buf[..OWN_NS.len()].copy_from_slice(OWN_NS);
        buf[OWN_NS.len()] = 0xff;
        buf[OWN_NS.len() + 1..n - 8].copy_from_slice(file_id);
        buf[n - 8..n].copy_from_slice(&offset.to_le_bytes());
        sip13_128(&self.0, &buf, n)
    }
}

/// The namespace of a record's own identity.
const OWN_NS: &[u8] = b"record";

/// The longest record namespace, path and offset hashed in the short
/// buffer: a path of up to 49 bytes.
const OWN_SHORT: usize = 64;

/// The longest record namespace, path and offset hashed in one pass: the
/// path is the same for every record of a file, so its copy stays cheap
/// however long, and data-lake paths run past `JOINED`.
const OWN_JOINED: usize = 264;

/// The longest joined namespace and identifier hashed in one pass.
const JOINED: usize = 96;

/// `v` copied into `buf` at `at` in at most three words, the last
/// overlapping the one before (a `memcpy` call was a fifth of a digest's
/// cost for the twenty-odd bytes an identity has; a loop of words compiled
/// back to one). Writes nothing outside `at..at + v.len()`, so the zeros
/// after the message stay.
#[inline(always)]
fn put(buf: &mut [u8; JOINED + 8], at: usize, v: &[u8]) {
    let n = v.len();
    let dst = &mut buf[at..at + n];
    if n > 24 {
        dst.copy_from_slice(v);
    } else if n >= 8 {
        dst[..8].copy_from_slice(&v[..8]);
        if n > 16 {
            dst[8..16].copy_from_slice(&v[8..16]);
        }
        dst[n - 8..].copy_from_slice(&v[n - 8..]);
    } else if n >= 4 {
        dst[..4].copy_from_slice(&v[..4]);
        dst[n - 4..].copy_from_slice(&v[n - 4..]);
    } else {
        for (d, &b) in dst.iter_mut().zip(v) {
            *d = b;
        }
    }
}

/// SipHash-1-3 with 128-bit output over `buf[..n]`, as `siphasher`'s
/// `SipHasher13` gives it (`h1` high, `h2` low), written out for the one
/// shape every record hashes: the crate's streaming `write` staged each
/// word through its tail buffer and its `finish128` was a call, together
/// 3% of a dense scan's time for ~25 bytes. The bytes after the message
/// must be zero: the last partial word is read whole. The tests hold the
/// two equal at every length.
fn sip13_128<const B: usize>(key: &[u8; 16], buf: &[u8; B], n: usize) -> IdHash {
    assert!(n + 8 <= B);
    let k0 = u64::from_le_bytes(key[..8].try_into().unwrap());
    let k1 = u64::from_le_bytes(key[8..].try_into().unwrap());
    let mut v = [
        k0 ^ 0x736f_6d65_7073_6575,
        k1 ^ 0x646f_7261_6e64_6f6d ^ 0xee,
        k0 ^ 0x6c79_6765_6e65_7261,
        k1 ^ 0x7465_6462_7974_6573,
    ];
    #[inline(always)]
    fn round(v: &mut [u64; 4]) {
        v[0] = v[0].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(13) ^ v[0];
        v[0] = v[0].rotate_left(32);
        v[2] = v[2].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(16) ^ v[2];
        v[0] = v[0].wrapping_add(v[3]);
        v[3] = v[3].rotate_left(21) ^ v[0];
        v[2] = v[2].wrapping_add(v[1]);
        v[1] = v[1].rotate_left(17) ^ v[2];
        v[2] = v[2].rotate_left(32);
    }
    let word = |i: usize| u64::from_le_bytes(buf[i..i + 8].try_into().unwrap());
    let full = n / 8 * 8;
    let mut i = 0;
    while i < full {
        let m = word(i);
        v[3] ^= m;
        round(&mut v);
        v[0] ^= m;
        i += 8;
    }
    let b = ((n as u64) << 56) | word(full);
    v[3] ^= b;
    round(&mut v);
    v[0] ^= b;
    v[2] ^= 0xee;
    for _ in 0..3 {
        round(&mut v);
    }
    let h1 = v[0] ^ v[1] ^ v[2] ^ v[3];
    v[1] ^= 0xdd;
    for _ in 0..3 {
        round(&mut v);
    }
    let h2 = v[0] ^ v[1] ^ v[2] ^ v[3];
    (u128::from(h1) << 64) | u128::from(h2)
}

/// How identity is decided (SPEC 5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdentityMode {
    /// Strongest identifier in the record, else the record itself.
    Auto,
    /// `--person-key`: a column name or dotted JSON key path.
    Key(String),
}

/// U.S. territory as coarse boxes: the 50 states, D.C., Puerto Rico, the
/// U.S. Virgin Islands, Guam, the Northern Marianas and American Samoa. A
/// location inside is U.S. evidence under `--us-persons infer`. The boxes
/// include slivers of Canada and Mexico near the border: evidence errs
/// toward counting, the conservative side.
pub fn us_territory(lat: f64, lon: f64) -> bool {
    const BOXES: &[(f64, f64, f64, f64)] = &[
        // (lat_min, lat_max, lon_min, lon_max)
        (24.3, 49.4, -125.0, -66.9),    // contiguous states
        (47.0, 49.1, -95.4, -94.7),     // Northwest Angle
        (51.2, 71.5, -180.0, -129.9),   // Alaska
        (51.2, 53.1, 172.0, 180.0),     // Aleutians west of 180
        (18.9, 22.3, -160.3, -154.8),   // Hawaii main islands
        (17.8, 18.6, -67.3, -65.2),     // Puerto Rico
        (17.6, 18.5, -65.1, -64.5),     // U.S. Virgin Islands
        (13.2, 13.7, 144.6, 145.0),     // Guam
        (14.1, 20.6, 144.9, 146.1),     // Northern Mariana Islands
        (-14.6, -11.0, -171.2, -168.1), // American Samoa
        (24.4, 25.9, -83.0, -80.0),     // Florida Keys
    ];
    BOXES
        .iter()
        .any(|&(a, b, c, d)| lat >= a && lat <= b && lon >= c && lon <= d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digest as three streamed writes: what `hash` computed before it
    /// joined them, and what shard results hashed with it must still match.
    fn streamed(k: &IdentityKey, ns: &[u8], value: &[u8]) -> IdHash {
        let mut h = SipHasher13::new_with_key(&k.0);
        h.write(ns);
        h.write_u8(0xff);
        h.write(value);
        let v = h.finish128();
        ((v.h1 as u128) << 64) | v.h2 as u128
    }

    #[test]
    fn joined_write_is_the_streamed_digest() {
        let k = IdentityKey::default();
        let long: Vec<u8> = (0..300u32).map(|i| (i * 37 % 251) as u8).collect();
        // Namespaces of every length `put` copies apart: under four, four
        // to seven, eight to sixteen, to twenty-four, and past it.
        for ns in [
            &b""[..],
            b"ssn",
            b"email",
            b"us_ssn_x9",
            b"us_passport_number",
            b"a_namespace_of_thirty_bytes_xy",
        ] {
            for n in 0..long.len() {
                assert_eq!(k.hash(ns, &long[..n]), streamed(&k, ns, &long[..n]), "{n}");
            }
        }
        // Pinned: the default key's digests are compared across machines.
        assert_eq!(
            k.hash(b"ssn", b"536221234"),
            0x2bb3_e875_8cee_dda3_571a_a6f0_ce84_026b_u128
        );
    }

    /// A record's own identity is hash(b"record", path ++ offset) for
    /// paths of every length, inside each one-pass buffer and past both.
    #[test]
    fn own_is_the_streamed_record_digest() {
        let k = IdentityKey([0x3c; 16]);
        let path: Vec<u8> = (0..OWN_JOINED as u32 + 20)
            .map(|i| b'a' + (i % 26) as u8)
            .collect();
        for n in 0..path.len() {
            for offset in [0, 7, 1 << 40, u64::MAX] {
                let mut joined = path[..n].to_vec();
                joined.extend_from_slice(&offset.to_le_bytes());
                assert_eq!(
                    k.own(&path[..n], offset),
                    streamed(&k, b"record", &joined),
                    "{n} {offset}"
                );
            }
        }
    }

    /// The one-pass digest is the crate's, at every length and under
    /// other keys than the default.
    #[test]
    fn one_pass_siphash_is_the_crates() {
        let msg: Vec<u8> = (0..JOINED as u32).map(|i| (i * 131 % 256) as u8).collect();
        for key in [
            IdentityKey::default().0,
            [0; 16],
            [0xa5; 16],
            *b"0123456789abcdef",
        ] {
            for n in 0..=msg.len() {
                let mut h = SipHasher13::new_with_key(&key);
                h.write(&msg[..n]);
                let v = h.finish128();
                let want = ((v.h1 as u128) << 64) | v.h2 as u128;
                let mut buf = [0u8; JOINED + 8];
                buf[..n].copy_from_slice(&msg[..n]);
                assert_eq!(sip13_128(&key, &buf, n), want, "{n}");
            }
        }
    }

    #[test]
    fn hashes_are_namespaced_and_stable() {
        let k = IdentityKey::default();
        assert_eq!(k.hash(b"ssn", b"536221234"), k.hash(b"ssn", b"536221234"));
        assert_ne!(k.hash(b"ssn", b"536221234"), k.hash(b"phone", b"536221234"));
        assert_ne!(k.own(b"a", 1), k.own(b"a", 2));
        assert_ne!(k.own(b"a", 1), k.own(b"b", 1));
        let mut joined = b"a".to_vec();
        joined.extend_from_slice(&7u64.to_le_bytes());
        assert_eq!(k.own(b"a", 7), k.hash(b"record", &joined));
        let other = IdentityKey([7; 16]);
        assert_ne!(k.hash(b"ssn", b"1"), other.hash(b"ssn", b"1"));
    }

    #[test]
    fn territory() {
        assert!(us_territory(40.7128, -74.0060)); // New York
        assert!(us_territory(61.2, -149.9)); // Anchorage
        assert!(us_territory(21.3, -157.8)); // Honolulu
        assert!(us_territory(18.4, -66.1)); // San Juan
        assert!(!us_territory(51.5, -0.12)); // London
        assert!(!us_territory(39.9, 116.4)); // Beijing
        assert!(!us_territory(-33.9, 151.2)); // Sydney
    }
}
