//! A value that is one e-mail address and nothing else, decided from its
//! byte classes as bitmasks.
//!
//! In a dense table the e-mail column is the costliest cell: about 1,500
//! instructions a value in the people corpus, most of them memchr's dispatch
//! for the `@`, a span scan each way from it, and the mailbox check byte by
//! byte. When the whole value is the address (the usual case in a column of
//! them), six 64-bit masks (`@`, `.`, `-`, letters, digits and the other
//! local-part symbols the lexer spans) answer each question that check asks,
//! a few instructions each.
//!
//! Exact by construction: [`whole`] says yes only when the lexer's e-mail
//! pass at the value's one `@` would take the whole value as a valid
//! address, and then the walk would find nothing else in it. Anything it
//! does not decide (a punycode TLD, a second `@`, a dot or hyphen to trim,
//! more than 64 bytes) says no, and the value is walked as before. The tests
//! hold the two to the same answers.

/// Bit `i` of each mask is byte `i` of the value (at most 64 bytes).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Classes {
    pub at: u64,
    pub dot: u64,
    pub hyphen: u64,
    pub alpha: u64,
    pub digit: u64,
    /// `_`, `%` and `+`: the local-part symbols the lexer's span takes
    /// besides letters, digits, `.` and `-`.
    pub extra: u64,
}

/// The longest value decided here: one mask bit a byte.
const MAX_LEN: usize = 64;

/// True when `v` is exactly one address that the e-mail pass takes whole:
/// `email_at(v, at) == Some((0, v.len()))` at its only `@`.
///
/// Why each test stands for a step of that pass (`lex::email_at`, then
/// `validate::mailbox_valid`):
/// - every byte left of the `@` is in the local span, and the first is no
///   dot, so the span starts at byte 0 with nothing skipped;
/// - every byte right of it is a letter, digit, `.` or `-` and the last is a
///   letter, so the span ends at the value's end with nothing trimmed;
/// - no `..` and no dot beside the `@`: no empty label, and the local part
///   neither ends in a dot nor holds two in a row;
/// - no hyphen at either end of a domain label (after the `@` or a dot, or
///   before a dot; the last byte is a letter);
/// - at least one dot in the domain, and the last label 2 to 24 letters
///   (a label with a digit or hyphen is not decided: it may be `xn--`).
///
/// Labels fit in 63 bytes and the address in 254 because the value is at
/// most 64 bytes.
pub(super) fn whole(v: &[u8]) -> bool {
    let n = v.len();
    // `a@b.cc` is the shortest.
    if !(6..=MAX_LEN).contains(&n) {
        return false;
    }
    let c = classes(v);
    if c.at.count_ones() != 1 {
        return false;
    }
    let a = c.at.trailing_zeros();
    let all = if n == 64 { !0 } else { (1u64 << n) - 1 };
    let local = (1u64 << a) - 1;
    let domain = all & !local & !c.at;
    let ldh_dot = c.alpha | c.digit | c.hyphen | c.dot;
    let dots = c.dot;
    let domain_dots = dots & domain;
    let ok = a >= 1
        && local & !(ldh_dot | c.extra) == 0
        && domain & !ldh_dot == 0
        && dots & 1 == 0
        && (c.alpha >> (n - 1)) & 1 == 1
        && dots & (dots >> 1) == 0
        && dots & ((c.at << 1) | (c.at >> 1)) == 0
        && c.hyphen & domain & ((domain_dots << 1) | (domain_dots >> 1) | (c.at << 1)) == 0
        && domain_dots != 0;
    if !ok {
        return false;
    }
    // The last byte is a letter, so the last dot is at most `n - 2`.
    let last_dot = 63 - domain_dots.leading_zeros();
    let tld = all & !((2u64 << last_dot) - 1);
    let tld_len = n as u32 - 1 - last_dot;
    tld & !c.alpha == 0 && (2..=24).contains(&tld_len)
}

/// The byte classes of `v` (at most [`MAX_LEN`] bytes).
pub(super) fn classes(v: &[u8]) -> Classes {
    #[cfg(target_arch = "x86_64")]
    {
        x86::classes_sse2(v)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        classes_portable(v)
    }
}

/// One byte at a time: other targets, and what the tests hold the vector
/// code to.
#[cfg(any(test, not(target_arch = "x86_64")))]
pub(super) fn classes_portable(v: &[u8]) -> Classes {
    assert!(v.len() <= MAX_LEN);
    let mut c = Classes::default();
    for (i, &b) in v.iter().enumerate() {
        let bit = 1u64 << i;
        let set = |m: &mut u64, yes: bool| *m |= if yes { bit } else { 0 };
        set(&mut c.at, b == b'@');
        set(&mut c.dot, b == b'.');
        set(&mut c.hyphen, b == b'-');
        set(&mut c.alpha, b.is_ascii_alphabetic());
        set(&mut c.digit, b.is_ascii_digit());
        set(&mut c.extra, matches!(b, b'_' | b'%' | b'+'));
    }
    c
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{Classes, MAX_LEN};
    use std::arch::x86_64::*;

    /// 16 bytes a step (SSE2 is part of x86-64, so no detection). A value
    /// of sixteen bytes or more is loaded in place, its last block ending
    /// at its end and overlapping the one before (a byte read twice sets
    /// the same bits twice); a shorter one is copied into a zeroed block
    /// (a zero byte is in no class). Copying every value into a zeroed
    /// 64-byte block cost a `memcpy` call and four stores: about a third
    /// of an e-mail cell's check.
    pub(super) fn classes_sse2(v: &[u8]) -> Classes {
        let n = v.len();
        assert!(n <= MAX_LEN);
        let mut c = Classes::default();
        // SAFETY: SSE2 is part of x86-64; every load is of sixteen bytes
        // inside `v` (`16 * k + 16 <= n` and `n - 16 + 16 == n`) or inside
        // `short`.
        unsafe {
            if n >= 16 {
                let p = v.as_ptr();
                for k in 0..n / 16 {
                    let x = _mm_loadu_si128(p.add(16 * k) as *const __m128i);
                    add_block(&mut c, x, 16 * k as u32);
                }
                if !n.is_multiple_of(16) {
                    let x = _mm_loadu_si128(p.add(n - 16) as *const __m128i);
                    add_block(&mut c, x, n as u32 - 16);
                }
            } else {
                let mut short = [0u8; 16];
                short[..n].copy_from_slice(v);
                add_block(&mut c, _mm_loadu_si128(short.as_ptr() as *const __m128i), 0);
            }
        }
        c
    }

    /// ORs the classes of the sixteen bytes `x` into `c`, from bit `at`.
    #[inline(always)]
    unsafe fn add_block(c: &mut Classes, x: __m128i, at: u32) {
        // SAFETY (all): SSE2 is part of x86-64.
        let mask = |m: __m128i| u64::from(unsafe { _mm_movemask_epi8(m) } as u16) << at;
        unsafe {
            // `b | 0x20` in `a..=z` exactly when `b` is an ASCII letter; an
            // unsigned `t <= 25` is `min(t, 25) == t`.
            let t = _mm_sub_epi8(
                _mm_or_si128(x, _mm_set1_epi8(0x20)),
                _mm_set1_epi8(b'a' as i8),
            );
            let d = _mm_sub_epi8(x, _mm_set1_epi8(b'0' as i8));
            c.at |= mask(_mm_cmpeq_epi8(x, _mm_set1_epi8(b'@' as i8)));
            c.dot |= mask(_mm_cmpeq_epi8(x, _mm_set1_epi8(b'.' as i8)));
            c.hyphen |= mask(_mm_cmpeq_epi8(x, _mm_set1_epi8(b'-' as i8)));
            c.alpha |= mask(_mm_cmpeq_epi8(_mm_min_epu8(t, _mm_set1_epi8(25)), t));
            c.digit |= mask(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));
            c.extra |= mask(_mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(x, _mm_set1_epi8(b'_' as i8)),
                    _mm_cmpeq_epi8(x, _mm_set1_epi8(b'%' as i8)),
                ),
                _mm_cmpeq_epi8(x, _mm_set1_epi8(b'+' as i8)),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lex::email_at;
    use proptest::prelude::*;

    /// What [`whole`] stands for, asked of the lexer itself.
    fn taken_whole(v: &[u8]) -> bool {
        let ats: Vec<usize> = (0..v.len()).filter(|&i| v[i] == b'@').collect();
        ats.len() == 1 && email_at(v, ats[0]) == Some((0, v.len()))
    }

    #[test]
    fn table() {
        for (v, want) in [
            ("a@b.cc", true),
            ("david.jackson0@mail.example.org", true),
            ("Susan_Miller+tag%1@Example.COM", true),
            ("x-y@a-b.c-d.info", true),
            // Undecided or refused: walked as before.
            ("a@b.c", false),
            ("a@b.abcdefghijklmnopqrstuvwxy", false),
            ("a@b.abcdefghijklmnopqrstuvwx", true),
            ("a@xn--p1ai.xn--p1ai", false),
            ("a@b.com.", false),
            ("a@b.com-", false),
            (".a@b.com", false),
            ("a.@b.com", false),
            ("a..b@b.com", false),
            ("a@.b.com", false),
            ("a@b..com", false),
            ("a@-b.com", false),
            ("a@b-.com", false),
            ("a@b.-com", false),
            ("a@b@c.com", false),
            ("@b.com", false),
            ("a@com", false),
            ("a b@c.com", false),
            ("a'b@c.com", false),
            ("a@b.c0m", false),
            ("a@b.com x", false),
        ] {
            assert_eq!(whole(v.as_bytes()), want, "{v}");
            if want {
                assert!(taken_whole(v.as_bytes()), "{v}");
            }
        }
        let long = format!("{}@example.com", "a".repeat(52));
        assert_eq!(long.len(), 64);
        assert!(whole(long.as_bytes()));
        let longer = format!("{}@example.com", "a".repeat(53));
        assert!(!whole(longer.as_bytes()));
    }

    fn mailish() -> impl Strategy<Value = Vec<u8>> {
        let shapes = proptest::string::string_regex(
            "[a-zA-Z0-9._%+'@-]{0,12}@[a-zA-Z0-9.-]{0,20}\\.(com|org|io|x|[a-z]{20,26}|xn--p1ai|c0m|COM)[.-]?",
        )
        .unwrap()
        .prop_map(String::into_bytes);
        let bytes = proptest::collection::vec(
            proptest::prop_oneof![
                Just(b'@'),
                Just(b'.'),
                Just(b'-'),
                Just(b'_'),
                b'a'..=b'z',
                b'0'..=b'9',
                proptest::num::u8::ANY,
            ],
            0..=70,
        );
        proptest::prop_oneof![shapes, bytes]
    }

    proptest! {
        /// The vector classes are the byte loop's, padding included.
        #[test]
        fn classes_match_byte_loop(v in proptest::collection::vec(proptest::num::u8::ANY, 0..=MAX_LEN)) {
            prop_assert_eq!(classes(&v), classes_portable(&v));
        }

        /// Yes only where the lexer takes the whole value as one address,
        /// and on every such value that ends in a letter-only TLD.
        #[test]
        fn whole_is_what_the_lexer_takes(v in mailish()) {
            let lexer = taken_whole(&v);
            if whole(&v) {
                prop_assert!(lexer, "{:?}", String::from_utf8_lossy(&v));
            } else if lexer && v.len() <= MAX_LEN {
                let tld = v.rsplit(|&b| b == b'.').next().unwrap();
                prop_assert!(!tld.iter().all(u8::is_ascii_alphabetic), "{:?}", String::from_utf8_lossy(&v));
            }
        }
    }
}
