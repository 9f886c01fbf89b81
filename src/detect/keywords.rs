//! Context keywords in free text, found word by word.
//!
//! A keyword counts only as whole words (`ssn` in `ssn: 536-22-1234`, not in
//! `lessons`), and every built-in keyword begins with an ASCII letter or
//! digit, so an occurrence starts where a word of the text starts, and that
//! word is the keyword's first word, whole. The text is therefore read a word at a
//! time: a word that is no keyword's first word (nearly all of them) is
//! turned away by one bit of a filter, and the few left are compared with
//! the keywords that begin with them. (A user's keyword that begins with a
//! letter of another script is searched for by its first byte instead.)
//!
//! This replaced an Aho-Corasick DFA walked over every byte of the text:
//! about 17 instructions a byte, a fifth of a log line's scan, plus a DFA
//! build of some 40 million instructions at start-up. The automaton is
//! still the reference the tests hold this index to.

use super::DetMask;
use std::collections::HashMap;

pub(crate) struct KeywordIndex {
    /// The keywords, lowercase, words joined by a space (which stands for
    /// a space, `-` or `_` in the text) or an apostrophe.
    words: Vec<Box<[u8]>>,
    masks: Vec<DetMask>,
    /// Keywords by the key of their first word (`word_key`): an
    /// open-addressed table (a power of two long, at most half full) of
    /// (key, range of `ids`), empty where the range is.
    by_first: Vec<(u64, u32, u32)>,
    ids: Vec<u16>,
    /// One bit per (length, first byte, last byte) of some keyword's first
    /// word: the test most words of the text fail.
    quick: Box<[u64; QUICK_WORDS]>,
    /// One bit per (length, first two bytes, last byte): the test a word
    /// that passed `quick` nearly always fails.
    filter: Box<[u64; FILTER_WORDS]>,
    /// Some keyword begins with a digit.
    digit_lead: bool,
    /// Keywords that begin with a byte outside ASCII (a user's keyword in
    /// another script), found by their first byte instead of by word.
    odd: Vec<u16>,
}

const QUICK_BITS: u32 = 13;
const QUICK_WORDS: usize = (1 << QUICK_BITS) / 64;
const FILTER_BITS: u32 = 15;
const FILTER_WORDS: usize = (1 << FILTER_BITS) / 64;

/// A `quick` filter bit for a word of length `len` from `first` to `last`.
#[inline(always)]
fn quick_bit(len: usize, first: u8, last: u8) -> usize {
    // (Letters fold to lower case by their 0x20 bit; a digit has it set.)
    let x = (len as u32) << 16 | ((first | 0x20) as u32) << 8 | (last | 0x20) as u32;
    (x.wrapping_mul(0x9E37_79B1) >> (32 - QUICK_BITS)) as usize
}

/// A `filter` bit for the word `w[s..e]` (one byte at least): from its
/// length, its first two bytes (the first twice in a word of one) and its
/// last. Why a second test: with only the first and last byte, common
/// words of log lines (`status`, `api`, `metrics`, `job`) shared their key
/// with some keyword's first word, and nearly every line went on to look
/// a word up in the table (0.93 lookups a line, some 80 instructions each,
/// after a branch taken at random). With the second byte a word passes by
/// chance alone, about one in eighty (4 KiB, some 420 bits set; the top
/// bits of a 64-bit product, where a 32-bit product's let groups of words
/// collide). Asked only of the words `quick` lets through: asked of every
/// word, its extra load and shifts cost more instructions than the
/// lookups it saved.
#[inline(always)]
fn filter_bit(w: &[u8], s: usize, e: usize) -> usize {
    debug_assert!(s < e && e <= w.len());
    let second = w[s + usize::from(e - s > 1)];
    let x = ((e - s) as u64 & 0xff) << 24
        | u64::from(w[s] | 0x20) << 16
        | u64::from(second | 0x20) << 8
        | u64::from(w[e - 1] | 0x20);
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - FILTER_BITS)) as usize
}

/// The key of an alphanumeric word (one byte at least), case folded: its
/// length, its first eight bytes and its last eight. Words that share a key
/// are told apart by the comparison that follows.
#[inline]
fn word_key(w: &[u8]) -> u64 {
    const FOLD: u64 = 0x2020_2020_2020_2020;
    let n = w.len();
    let (head, tail) = if n >= 8 {
        (
            u64::from_le_bytes(w[..8].try_into().unwrap()),
            u64::from_le_bytes(w[n - 8..].try_into().unwrap()),
        )
    } else {
        let t = super::tail_word(w);
        (t, t)
    };
    let k = 0x9E37_79B9_7F4A_7C15u64;
    ((head | FOLD).wrapping_mul(k) ^ (tail | FOLD).rotate_left(29) ^ n as u64).wrapping_mul(k)
}

/// What words are made of: ASCII letters and digits, as in the automaton's
/// whole-word test.
#[inline]
fn is_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

impl KeywordIndex {
    /// `words` are the keywords as the catalog spells them (lowercase
    /// letters and digits, words joined by a space or an apostrophe);
    /// `masks` the detectors each one supports.
    pub fn new(words: &[String], masks: &[DetMask]) -> KeywordIndex {
        let mut ix = KeywordIndex {
            words: Vec::with_capacity(words.len()),
            masks: masks.to_vec(),
            by_first: Vec::new(),
            ids: Vec::new(),
            quick: Box::new([0; QUICK_WORDS]),
            filter: Box::new([0; FILTER_WORDS]),
            digit_lead: words
                .iter()
                .any(|w| w.bytes().next().is_some_and(|b| b.is_ascii_digit())),
            odd: Vec::new(),
        };
        let mut groups: HashMap<u64, Vec<u16>> = HashMap::new();
        for (i, w) in words.iter().enumerate() {
            let w = w.to_ascii_lowercase().into_bytes();
            let id = u16::try_from(i).expect("fewer than 65,536 keywords");
            if !w.first().is_some_and(|&b| is_alnum(b)) {
                // A user's keyword in another script (`école`): its own
                // search, below. (An empty one names nothing.)
                if !w.is_empty() {
                    ix.odd.push(id);
                }
                ix.words.push(w.into_boxed_slice());
                continue;
            }
            let first = &w[..w.iter().position(|&b| !is_alnum(b)).unwrap_or(w.len())];
            let q = quick_bit(first.len(), first[0], first[first.len() - 1]);
            ix.quick[q / 64] |= 1 << (q % 64);
            let bit = filter_bit(first, 0, first.len());
            ix.filter[bit / 64] |= 1 << (bit % 64);
            groups.entry(word_key(first)).or_default().push(id);
            ix.words.push(w.into_boxed_slice());
        }
        let size = (groups.len() * 2).next_power_of_two().max(2);
        ix.by_first = vec![(0, 0, 0); size];
        let mut groups: Vec<_> = groups.into_iter().collect();
        groups.sort();
        for (key, g) in groups {
            let mut slot = ix.slot(key);
            while ix.by_first[slot].2 != 0 {
                slot = (slot + 1) & (size - 1);
            }
            let start = ix.ids.len() as u32;
            ix.ids.extend(&g);
            ix.by_first[slot] = (key, start, ix.ids.len() as u32);
        }
        ix
    }

    #[inline]
    fn slot(&self, key: u64) -> usize {
        (key >> 32) as usize & (self.by_first.len() - 1)
    }

    /// Every occurrence of a keyword in `hay` standing as whole words, as
    /// (start, end, detectors), overlapping ones too.
    pub fn find(&self, hay: &[u8], out: &mut Vec<(usize, usize, DetMask)>) {
        let n = hay.len();
        // Words are found 64 bytes at a time from bits per byte (is it a
        // letter or digit, is it a letter): a word starts at a set bit after
        // a clear one and runs to the next clear one. A byte loop over the
        // text cost as much as the automaton it replaced. Words that begin
        // with a digit (numbers, times: half a log line's words) are passed
        // over when no keyword begins with one.
        let mut carry = 0u64; // whether the byte before the block is in a word
        let mut base = 0;
        while base < n {
            let (m, letters) = class_bits(&hay[base..n.min(base + 64)]);
            let lead = if self.digit_lead { m } else { letters };
            let mut starts = lead & !(m << 1 | carry);
            while starts != 0 {
                let o = starts.trailing_zeros();
                starts &= starts - 1;
                let run = (!(m >> o)).trailing_zeros();
                let s = base + o as usize;
                let mut e = s + run as usize;
                if o + run == 64 {
                    // The word runs on into the next block.
                    while e < n && is_alnum(hay[e]) {
                        e += 1;
                    }
                }
                self.word(hay, s, e, out);
            }
            carry = m >> 63;
            base += 64;
        }
        if !self.odd.is_empty() {
            self.find_odd(hay, out);
        }
    }

    /// The keywords that begin outside ASCII, each by its first byte.
    #[cold]
    #[inline(never)]
    fn find_odd(&self, hay: &[u8], out: &mut Vec<(usize, usize, DetMask)>) {
        let n = hay.len();
        for &id in &self.odd {
            let w = &self.words[id as usize];
            for s in memchr::memchr_iter(w[0], hay) {
                let e = s + w.len();
                if e <= n
                    && (s == 0 || !is_alnum(hay[s - 1]))
                    && (e == n || !is_alnum(hay[e]))
                    && spelled(w, &hay[s..e])
                {
                    out.push((s, e, self.masks[id as usize]));
                }
            }
        }
    }

    /// The keywords that begin at the word `hay[s..e]`. The filters are
    /// asked here (inlined into the walk): `quick` of every word, `filter`
    /// of the few it lets through; the table behind them, rarely.
    #[inline(always)]
    fn word(&self, hay: &[u8], s: usize, e: usize, out: &mut Vec<(usize, usize, DetMask)>) {
        let q = quick_bit(e - s, hay[s], hay[e - 1]);
        if self.quick[q / 64] & (1 << (q % 64)) == 0 {
            return;
        }
        let bit = filter_bit(hay, s, e);
        if self.filter[bit / 64] & (1 << (bit % 64)) != 0 {
            self.lookup(hay, s, e, out);
        }
    }

    #[inline(never)]
    fn lookup(&self, hay: &[u8], s: usize, e: usize, out: &mut Vec<(usize, usize, DetMask)>) {
        let key = word_key(&hay[s..e]);
        let mask = self.by_first.len() - 1;
        let mut slot = self.slot(key);
        let (start, end) = loop {
            let (k, a, b) = self.by_first[slot];
            if b == 0 {
                return;
            }
            if k == key {
                break (a as usize, b as usize);
            }
            slot = (slot + 1) & mask;
        };
        for &id in &self.ids[start..end] {
            let w = &self.words[id as usize];
            let end = s + w.len();
            if end <= hay.len()
                && (end == hay.len() || !is_alnum(hay[end]))
                && spelled(w, &hay[s..end])
            {
                out.push((s, end, self.masks[id as usize]));
            }
        }
    }
}

/// Bits per byte of `block` (at most 64 bytes): an ASCII letter or digit,
/// and an ASCII letter.
#[inline]
fn class_bits(block: &[u8]) -> (u64, u64) {
    #[cfg(target_arch = "x86_64")]
    if let Ok(b) = <&[u8; 64]>::try_from(block) {
        return class_bits_sse2(b);
    }
    class_bits_swar(block)
}

/// [`class_bits`] of a whole block, sixteen bytes a step. Every free-text
/// value with a candidate that needs context finds its keywords first (a
/// fifth of a log scan's instructions); the eight-byte steps below took 25
/// instructions each. SSE2 is part of x86-64: no run-time check.
#[cfg(target_arch = "x86_64")]
#[inline]
fn class_bits_sse2(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::*;
    let (mut m, mut l) = (0u64, 0u64);
    // SAFETY: SSE2 is baseline on x86-64; the loads are unaligned and read
    // bytes 16k..16k+16 of a 64-byte array.
    unsafe {
        // Signed compares: bytes from 0x80 up (with the case bit too) are
        // negative, below every bound, so neither digits nor letters.
        let (d0, d9) = (_mm_set1_epi8(b'0' as i8 - 1), _mm_set1_epi8(b'9' as i8 + 1));
        let (la, lz) = (_mm_set1_epi8(b'a' as i8 - 1), _mm_set1_epi8(b'z' as i8 + 1));
        let case = _mm_set1_epi8(0x20);
        for k in 0..4 {
            let x = _mm_loadu_si128(block.as_ptr().add(16 * k).cast());
            let digit = _mm_and_si128(_mm_cmpgt_epi8(x, d0), _mm_cmplt_epi8(x, d9));
            let f = _mm_or_si128(x, case);
            let letter = _mm_and_si128(_mm_cmpgt_epi8(f, la), _mm_cmplt_epi8(f, lz));
            let alnum = _mm_or_si128(digit, letter);
            m |= u64::from(_mm_movemask_epi8(alnum) as u16) << (16 * k);
            l |= u64::from(_mm_movemask_epi8(letter) as u16) << (16 * k);
        }
    }
    (m, l)
}

/// [`class_bits`] eight bytes a step, for the last part of a value and
/// other CPUs.
#[inline]
fn class_bits_swar(block: &[u8]) -> (u64, u64) {
    debug_assert!(block.len() <= 64);
    let (mut m, mut l) = (0u64, 0u64);
    let mut words = block.chunks_exact(8);
    let mut k = 0;
    for w in &mut words {
        let (a, b) = classes8(u64::from_le_bytes(w.try_into().unwrap()));
        m |= (a as u64) << k;
        l |= (b as u64) << k;
        k += 8;
    }
    let rest = words.remainder();
    if !rest.is_empty() {
        let (a, b) = classes8(super::tail_word(rest));
        m |= (a as u64) << k;
        l |= (b as u64) << k;
    }
    (m, l)
}

/// Eight bytes at once (SWAR): bit k of the first mask is set when byte k
/// is an ASCII letter or digit, of the second when it is a letter. Every
/// sum stays within its byte (values below 0x80 plus less than 0x80), so no
/// carry crosses into the next.
#[inline]
fn classes8(x: u64) -> (u8, u8) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = ONES * 0x80;
    let y = x & !HI;
    let at_least = |v: u64, lo: u8| v.wrapping_add(ONES * (0x80 - lo as u64)) & HI;
    let ascii = !x & HI;
    let digit = at_least(y, b'0') & !at_least(y, b'9' + 1) & ascii;
    let folded = y | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1) & ascii;
    // One bit per byte, gathered into the top byte.
    let gather = |bits: u64| ((bits >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8;
    (gather(digit | letter), gather(letter))
}

/// Whether `text` spells keyword `w`: letters in either case, a space in
/// the keyword as a space, `-` or `_`.
fn spelled(w: &[u8], text: &[u8]) -> bool {
    w.iter()
        .zip(text)
        .all(|(&k, &t)| k == t.to_ascii_lowercase() || (k == b' ' && matches!(t, b'-' | b'_')))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The eight-at-once classes are the standard library's, for every
        /// byte value in every position.
        #[test]
        fn class_bits_match_the_byte_tests(v in proptest::collection::vec(proptest::num::u8::ANY, 0..=64)) {
            let bits = |f: fn(&u8) -> bool| {
                v.iter().enumerate().fold(0u64, |m, (i, b)| m | u64::from(f(b)) << i)
            };
            let want = (bits(u8::is_ascii_alphanumeric), bits(u8::is_ascii_alphabetic));
            proptest::prop_assert_eq!(class_bits(&v), want);
        }
    }

    proptest::proptest! {
        /// Whole blocks, which the x86-64 build classifies sixteen bytes a
        /// step, against the byte tests.
        #[test]
        fn whole_blocks_match_the_byte_tests(v in proptest::collection::vec(proptest::num::u8::ANY, 64)) {
            let bits = |f: fn(&u8) -> bool| {
                v.iter().enumerate().fold(0u64, |m, (i, b)| m | u64::from(f(b)) << i)
            };
            let want = (bits(u8::is_ascii_alphanumeric), bits(u8::is_ascii_alphabetic));
            proptest::prop_assert_eq!(class_bits(&v), want);
            proptest::prop_assert_eq!(class_bits_swar(&v), want);
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_block_takes_every_byte_value_everywhere() {
        for b in 0..=255u8 {
            for k in 0..64 {
                let mut block = [b' '; 64];
                block[k] = b;
                let want = (
                    u64::from(b.is_ascii_alphanumeric()) << k,
                    u64::from(b.is_ascii_alphabetic()) << k,
                );
                assert_eq!(class_bits_sse2(&block), want, "{b:#x} at {k}");
            }
        }
    }

    #[test]
    fn classes8_takes_every_byte_value() {
        for b in 0..=255u8 {
            for k in 0..8 {
                let x = (b as u64) << (8 * k) | 0x2020_2020_2020_2020 & !(0xFF << (8 * k));
                let want = (
                    u8::from(b.is_ascii_alphanumeric()) << k,
                    u8::from(b.is_ascii_alphabetic()) << k,
                );
                assert_eq!(classes8(x), want, "{b:#x} at {k}");
            }
        }
    }

    #[test]
    fn words_keys_fold_case_and_keep_length() {
        assert_eq!(word_key(b"SSN"), word_key(b"ssn"));
        assert_eq!(
            word_key(b"SocialSecurityNumber"),
            word_key(b"socialsecuritynumber")
        );
        assert_ne!(word_key(b"ssn"), word_key(b"ssns"));
        assert_ne!(word_key(b"tin"), word_key(b"itin"));
    }

    #[test]
    fn finds_whole_words_with_any_separator() {
        let words = ["ssn", "social security", "driver's license", "tin"].map(String::from);
        let ix = KeywordIndex::new(&words, &[1, 2, 4, 8]);
        let mut out = Vec::new();
        ix.find(
            b"SSN lessons Social-Security social_security driver's-license tin9 x",
            &mut out,
        );
        assert_eq!(out, vec![(0, 3, 1), (12, 27, 2), (28, 43, 2), (44, 60, 4)]);
    }

    /// Words that begin with a digit are passed over only while no keyword
    /// begins with one.
    #[test]
    fn a_keyword_may_begin_with_a_digit() {
        let words = ["401k", "w2", "2fa code"].map(String::from);
        let ix = KeywordIndex::new(&words, &[1, 2, 4]);
        let mut out = Vec::new();
        ix.find(b"401K w2 2FA-code 2fa 401ks", &mut out);
        assert_eq!(out, vec![(0, 4, 1), (5, 7, 2), (8, 16, 4)]);
    }

    /// Keywords in other scripts match as the automaton matched them:
    /// their bytes, ASCII letters in either case, whole words by ASCII
    /// letters and digits.
    #[test]
    fn keywords_beyond_ascii() {
        let words = ["école", "número de seguro", "café", "ssn"].map(String::from);
        let ix = KeywordIndex::new(&words, &[1, 2, 4, 8]);
        let text = "l'école xécole ÉCOLE éCOLE NÚMERO de-seguro Número_De_Seguro café cafés ssn";
        let mut out = Vec::new();
        ix.find(text.as_bytes(), &mut out);
        out.sort();
        let at = |s: &str| text.find(s).unwrap();
        let want = vec![
            (2, 2 + "école".len(), 1),
            (at("éCOLE"), at("éCOLE") + "éCOLE".len(), 1),
            (at("Número"), at("Número") + "número de seguro".len(), 2),
            (at("café"), at("café") + "café".len(), 4),
            (at("ssn"), at("ssn") + 3, 8),
        ];
        assert_eq!(out, want);
    }

    /// The automaton this index replaced, as the reference: text with `-`
    /// and `_` read as spaces, overlapping matches, ASCII case folded,
    /// whole words by ASCII letters and digits.
    fn reference(words: &[String], masks: &[DetMask], hay: &[u8]) -> Vec<(usize, usize, DetMask)> {
        let ac = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .unwrap();
        let spaced: Vec<u8> = hay
            .iter()
            .map(|&b| if b == b'-' || b == b'_' { b' ' } else { b })
            .collect();
        let mut out: Vec<_> = ac
            .find_overlapping_iter(&spaced)
            .filter(|m| {
                (m.start() == 0 || !is_alnum(hay[m.start() - 1]))
                    && (m.end() == hay.len() || !is_alnum(hay[m.end()]))
            })
            .map(|m| (m.start(), m.end(), masks[m.pattern().as_usize()]))
            .collect();
        out.sort();
        out
    }

    proptest::proptest! {
        /// Keywords with letters beyond ASCII, digits and apostrophes, in
        /// text strung from their pieces, agree with the automaton.
        #[test]
        fn agrees_with_the_automaton_beyond_ascii(
            picks in proptest::collection::vec((0usize..11, 0usize..9), 0..16),
        ) {
            let words: Vec<String> = [
                "école", "número de seguro", "café", "ssn", "driver's license", "2fa",
                "ñu", "ssn no", "straße", "id", "über id",
            ]
            .map(String::from)
            .to_vec();
            let masks: Vec<DetMask> = (0..words.len()).map(|i| 1 << i).collect();
            let pieces = [
                "école", "ÉCOLE", "éCOLE", "NÚMERO", "número", "De", "seguro", "café", "SSN",
                "driver's", "LICENSE", "2FA", "ñu", "straße", "ID", "über", "no",
            ];
            let seps = [" ", "-", "_", "", "'", "x", "é", ". ", "9"];
            let mut text = String::new();
            for &(p, sp) in &picks {
                text.push_str(pieces[(p * 7 + sp) % pieces.len()]);
                text.push_str(seps[sp]);
            }
            let ix = KeywordIndex::new(&words, &masks);
            let mut got = Vec::new();
            ix.find(text.as_bytes(), &mut got);
            got.sort();
            proptest::prop_assert_eq!(got, reference(&words, &masks, text.as_bytes()), "{:?}", text);
        }
    }

    proptest::proptest! {
        /// ASCII keywords of short words (one letter, a digit, words that
        /// share their first, second and last bytes) in text of those
        /// words, their near misses and others, in any case and with any
        /// separator: the filters let through every word a keyword begins
        /// with, as the automaton finds them.
        #[test]
        fn agrees_with_the_automaton_on_short_words(
            kws in proptest::collection::vec("[abs1][a-c1s]{0,3}( [abs][a-c1]{0,2})?", 1..12),
            text in proptest::collection::vec(("[abAB1sS][a-cA-C1sS]{0,4}", "[ _'.-]|, "), 0..40),
        ) {
            let masks: Vec<DetMask> = (0..kws.len()).map(|i| 1 << (i % 64)).collect();
            let ix = KeywordIndex::new(&kws, &masks);
            let text: String = text.iter().map(|(w, s)| format!("{w}{s}")).collect();
            let mut got = Vec::new();
            ix.find(text.as_bytes(), &mut got);
            got.sort();
            let mut want = reference(&kws, &masks, text.as_bytes());
            want.sort();
            proptest::prop_assert_eq!(got, want, "{:?} in {:?}", kws, text);
        }
    }

    /// An empty keyword (an empty context phrase) names nothing.
    #[test]
    fn an_empty_keyword_matches_nothing() {
        let words = ["", "ssn"].map(String::from);
        let ix = KeywordIndex::new(&words, &[1, 2]);
        let mut out = Vec::new();
        ix.find(b"my ssn", &mut out);
        assert_eq!(out, vec![(3, 6, 2)]);
    }

    /// A word that runs across the 64-byte blocks the text is read in.
    #[test]
    fn words_across_blocks() {
        let words = ["socialsecuritynumber", "ssn"].map(String::from);
        let ix = KeywordIndex::new(&words, &[1, 2]);
        for pad in 40..70 {
            let text = format!("{}SocialSecurityNumber ssn", " ".repeat(pad));
            let mut out = Vec::new();
            ix.find(text.as_bytes(), &mut out);
            assert_eq!(
                out,
                vec![(pad, pad + 20, 1), (pad + 21, pad + 24, 2)],
                "{pad}"
            );
        }
    }
}
