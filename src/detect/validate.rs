//! Checksum and structural validators for candidate identifiers.
//!
//! Pattern matchers over bulk data produce many digit runs that merely look
//! like identifiers. 28 CFR Part 202 is about *real* U.S. sensitive personal
//! data, so every candidate must pass the issuing authority's own rules (check
//! digits, reserved ranges, registry lengths) before it is counted; that is
//! what keeps the false-positive rate low enough for bulk thresholds to mean
//! anything.
//!
//! Every function here is pure, allocation-free and panic-free on arbitrary
//! bytes, because it runs in the hot scanning loop on untrusted input. Inputs
//! are ASCII byte slices that the caller has already stripped of separators
//! unless a function says otherwise.

/// Metres per degree of latitude (and of longitude at the equator), the
/// conventional spherical figure used for "how precise is this coordinate"
/// judgements; the sub-percent ellipsoid error is irrelevant at the 1 km
/// precision threshold.
const M_PER_DEG: f64 = 111_320.0;

/// Precise-geolocation threshold: a coordinate whose implied cell is at most
/// this many metres on its longest side can single out a dwelling or a person,
/// so it is treated as precise geolocation data.
const PRECISE_CELL_M: f64 = 1000.0;

/// Per byte of a little-endian word: the top bit set where the byte is no
/// ASCII digit. Bytes `0`..`9` become 0..9 under the XOR; adding 0x76 to
/// the low seven bits carries into the top bit from 10 on (never into the
/// next byte), and a byte of 0x80 or more keeps its own top bit.
#[inline]
pub(crate) fn not_digit_bits(w: u64) -> u64 {
    const LANES: u64 = 0x0101_0101_0101_0101;
    let t = w ^ (0x30 * LANES);
    (((t & (0x7f * LANES)) + 0x76 * LANES) | t) & (0x80 * LANES)
}

/// 0x80 in each byte lane of `w` whose byte is in `lo..=hi` (an ASCII
/// range: `1 <= lo <= hi < 0x80`), 0 in the others. The lanes' high bits
/// are cleared before the additions, so no lane carries into the next,
/// and a byte past 0x7F is in no range. The one lane test the word-wise
/// checks share: hex digits, letters for case, run ends, dots.
#[inline]
pub(crate) fn lanes_between(w: u64, lo: u8, hi: u8) -> u64 {
    const L: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x80 * L;
    debug_assert!(1 <= lo && lo <= hi && hi < 0x80);
    let x = w & !HIGH;
    let at_least_lo = x.wrapping_add((0x80 - u64::from(lo)) * L);
    let past_hi = x.wrapping_add((0x80 - u64::from(hi) - 1) * L);
    at_least_lo & !past_hi & !w & HIGH
}

/// Whether a ten-byte value has digits where a date's ISO form
/// (`1980-03-12`) and its U.S. form (`03/12/1980`) have them, separators
/// not tested: two overlapping words where a test per byte branched on
/// each. Every cell of a date column asks (as its field's shape, and again
/// whether the token walk can skip it).
#[inline]
pub(crate) fn date10_digits(v: &[u8; 10]) -> (bool, bool) {
    // Bytes 0-7, and 2-9 with bytes 8-9 moved down to the first two.
    let lo = not_digit_bits(u64::from_le_bytes(v[..8].try_into().unwrap()));
    let hi = not_digit_bits(u64::from_le_bytes(v[2..].try_into().unwrap())) >> 48;
    // The top bit of bytes 0-3, 5, 6 (ISO) and 0, 1, 3, 4, 6, 7 (U.S.).
    const ISO: u64 = 0x0080_8000_8080_8080;
    const US: u64 = 0x8080_0080_8000_8080;
    let tail = hi & 0x8080 == 0;
    (tail && lo & ISO == 0, tail && lo & US == 0)
}

#[inline]
fn all_digits(s: &[u8]) -> bool {
    // Eight bytes a test: cards, IMEIs and ICCIDs are 15-20 digits, and
    // every candidate of them is checked.
    let mut words = s.chunks_exact(8);
    for w in &mut words {
        if not_digit_bits(u64::from_le_bytes(w.try_into().unwrap())) != 0 {
            return false;
        }
    }
    !s.is_empty() && words.remainder().iter().all(u8::is_ascii_digit)
}

/// Decimal value of a short all-digit slice; callers check digits first and
/// keep slices short enough (<= 9 digits) that `u32` cannot overflow.
#[inline]
fn digits_value(s: &[u8]) -> u32 {
    s.iter().fold(0u32, |acc, &b| {
        acc * 10 + u32::from(b.wrapping_sub(b'0') % 10)
    })
}

#[inline]
fn all_same(s: &[u8]) -> bool {
    // Eight bytes a test against the first byte repeated (every card and
    // IMEI candidate that passes Luhn pays this; byte by byte it was a
    // third of an IMEI's check).
    let Some(&f) = s.first() else {
        return false;
    };
    let n = s.len();
    if n < 8 {
        return s.iter().all(|&b| b == f);
    }
    let word = |i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap());
    let splat = u64::from(f) * 0x0101_0101_0101_0101;
    let mut i = 0;
    while i + 8 <= n {
        if word(i) != splat {
            return false;
        }
        i += 8;
    }
    word(n - 8) == splat
}

/// Luhn weighted sum. `double_rightmost` is true when the rightmost digit is
/// not a check digit yet (computing one), false when validating. Non-digit
/// bytes are skipped so the helper can be shared with the tolerant
/// check-digit generator.
#[inline]
fn luhn_sum(digits: &[u8], double_rightmost: bool) -> u64 {
    let mut sum = 0u64;
    let mut double = double_rightmost;
    for &b in digits.iter().rev() {
        if !b.is_ascii_digit() {
            continue;
        }
        let d = u64::from(b - b'0');
        sum += if double {
            let x = d * 2;
            if x > 9 { x - 9 } else { x }
        } else {
            d
        };
        double = !double;
    }
    sum
}

/// ISO/IEC 7812-1 Annex B (Luhn mod 10) check, used by payment cards, IMEIs,
/// ICCIDs and NPIs. It catches every single-digit error and most adjacent
/// transpositions, which is why it is the first filter for PAN-like runs.
pub fn luhn_valid(digits: &[u8]) -> bool {
    // Every card, IMEI and NPI candidate pays this. From 9 to 24 digits
    // (every card, IMEI and ICCID) the number is read as up to three
    // words aligned on its last digit, and the doubled lanes summed with no
    // loop; a pass over digit pairs through a table cost about 130
    // instructions a card.
    let n = digits.len();
    if (9..=24).contains(&n) {
        return luhn_words(digits);
    }
    const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    if !all_digits(digits) {
        return false;
    }
    let mut sum = 0u32;
    let mut pairs = digits.rchunks_exact(2);
    for p in &mut pairs {
        sum += u32::from(p[1] - b'0') + DOUBLED[usize::from(p[0] - b'0')];
    }
    if let [first] = pairs.remainder() {
        sum += u32::from(first - b'0');
    }
    sum.is_multiple_of(10)
}

/// `luhn_valid` for 9 to 24 bytes. Word `k` holds the digits at `n - 8 (k +
/// 1)..n - 8 k` (lane 7 the rightmost), so in every word the digits the
/// check doubles (every second from the right) are the even lanes. A word
/// that would start before the number is the first eight bytes shifted up,
/// its lanes before the number zero; overlapping bytes are shifted out.
#[inline]
fn luhn_words(digits: &[u8]) -> bool {
    const L: u64 = 0x0101_0101_0101_0101;
    const EVEN: u64 = 0x00FF_00FF_00FF_00FF;
    let n = digits.len();
    debug_assert!((9..=24).contains(&n));
    let word = |at: usize| u64::from_le_bytes(digits[at..at + 8].try_into().unwrap());
    let (head, last) = (word(0), word(n - 8));
    // The eight digits before the last eight (the first eight, from 16
    // down, all of which the check reads).
    let mid = if n > 16 { word(n - 16) } else { head };
    if not_digit_bits(head) | not_digit_bits(last) | not_digit_bits(mid) != 0 {
        return false;
    }
    let value = |w: u64| w - 0x30 * L;
    let v0 = value(last);
    let v1 = if n >= 16 {
        value(mid)
    } else {
        value(head) << (8 * (16 - n))
    };
    let v2 = if n > 16 {
        value(head) << (8 * (24 - n))
    } else {
        0
    };
    let sum = |w: u64| {
        let e = w & EVEN;
        // 1 in each even lane of five or more: doubled, it loses nine.
        let big = ((e + 0x7B * (L & EVEN)) >> 7) & (L & EVEN);
        let lanes = (e << 1) - 9 * big + (w & !EVEN);
        (lanes.wrapping_mul(L) >> 56) as u32
    };
    (sum(v0) + sum(v1) + sum(v2)).is_multiple_of(10)
}

/// Luhn check digit (as an ASCII digit) to append to `digits_without_check`,
/// so generators and tests can build valid numbers. Bytes that are not ASCII
/// digits are skipped, so separators may be left in; an input with no digits
/// yields `b'0'`.
pub fn luhn_check_digit(digits_without_check: &[u8]) -> u8 {
    let rem = (luhn_sum(digits_without_check, true) % 10) as u8;
    b'0' + (10 - rem) % 10
}

/// Payment card network, as identified by the IIN (BIN) prefix ranges that
/// ISO/IEC 7812 registrars assign to each scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CardBrand {
    Visa,
    Mastercard,
    Amex,
    Discover,
    Jcb,
    DinersClub,
    UnionPay,
    Maestro,
    Mir,
    RuPay,
    Verve,
    Troy,
}

impl CardBrand {
    /// Human-readable scheme name for findings and reports.
    pub fn name(self) -> &'static str {
        match self {
            CardBrand::Visa => "Visa",
            CardBrand::Mastercard => "Mastercard",
            CardBrand::Amex => "American Express",
            CardBrand::Discover => "Discover",
            CardBrand::Jcb => "JCB",
            CardBrand::DinersClub => "Diners Club",
            CardBrand::UnionPay => "UnionPay",
            CardBrand::Maestro => "Maestro",
            CardBrand::Mir => "Mir",
            CardBrand::RuPay => "RuPay",
            CardBrand::Verve => "Verve",
            CardBrand::Troy => "Troy",
        }
    }
}

/// One IIN range: the first `width` digits, read as a number, lie in
/// `lo..=hi`, and the PAN length is one of the set bits of `lengths`.
struct IinRange {
    width: u8,
    lo: u32,
    hi: u32,
    brand: CardBrand,
    lengths: u32,
}

/// Bit mask of PAN lengths `from..=to`.
const fn len_range(from: u32, to: u32) -> u32 {
    let mut m = 0;
    let mut n = from;
    while n <= to {
        m |= 1 << n;
        n += 1;
    }
    m
}

const fn iin(width: u8, lo: u32, hi: u32, brand: CardBrand, lengths: u32) -> IinRange {
    IinRange {
        width,
        lo,
        hi,
        brand,
        lengths,
    }
}

const L12_19: u32 = len_range(12, 19);
const L16_19: u32 = len_range(16, 19);
const L15: u32 = 1 << 15;
const L16: u32 = 1 << 16;
const VISA_LENS: u32 = (1 << 13) | (1 << 16) | (1 << 19);
const VERVE_LENS: u32 = (1 << 16) | (1 << 18) | (1 << 19);
const DINERS_LENS: u32 = (1 << 14) | L16_19;

/// IIN table in priority order: several schemes sit inside another scheme's
/// broad prefix (Verve and RuPay inside Discover's 65, Discover's 6011 inside
/// RuPay's 60), so narrow ranges come first and the first range matching both
/// prefix and length wins. Ranges follow the schemes' published IIN
/// allocations. Co-branded ranges are attributed to the issuing scheme:
/// 622126-622925 (Discover/UnionPay) to UnionPay, 353/356 (RuPay/JCB) to
/// JCB. Troy's ranges inside 65 are reported as Discover and other schemes
/// under 60 (e.g. Hipercard) as RuPay: the brand is only a label, validity is
/// unaffected.
const IIN_TABLE: &[IinRange] = &[
    iin(6, 506_099, 506_198, CardBrand::Verve, VERVE_LENS),
    iin(6, 507_865, 507_964, CardBrand::Verve, VERVE_LENS),
    iin(6, 650_002, 650_027, CardBrand::Verve, VERVE_LENS),
    iin(4, 2200, 2204, CardBrand::Mir, L16_19),
    iin(4, 9792, 9792, CardBrand::Troy, L16),
    iin(6, 652_150, 653_149, CardBrand::RuPay, L16),
    iin(4, 6011, 6011, CardBrand::Discover, L16_19),
    iin(3, 644, 649, CardBrand::Discover, L16_19),
    iin(2, 65, 65, CardBrand::Discover, L16_19),
    iin(3, 508, 508, CardBrand::RuPay, L16),
    iin(2, 60, 60, CardBrand::RuPay, L16),
    iin(2, 81, 82, CardBrand::RuPay, L16),
    iin(2, 62, 62, CardBrand::UnionPay, L16_19),
    iin(4, 3528, 3589, CardBrand::Jcb, L16_19),
    iin(2, 34, 34, CardBrand::Amex, L15),
    iin(2, 37, 37, CardBrand::Amex, L15),
    // Diners Club issues 14-digit (legacy) and 16-19 digit PANs, never 15:
    // a 15-digit 30x number is an IMEI of reporting body 30 (Iridium), not
    // a card.
    iin(3, 300, 305, CardBrand::DinersClub, DINERS_LENS),
    iin(4, 3095, 3095, CardBrand::DinersClub, DINERS_LENS),
    iin(2, 36, 36, CardBrand::DinersClub, DINERS_LENS),
    iin(2, 38, 39, CardBrand::DinersClub, DINERS_LENS),
    iin(4, 5018, 5018, CardBrand::Maestro, L12_19),
    iin(4, 5020, 5020, CardBrand::Maestro, L12_19),
    iin(4, 5038, 5038, CardBrand::Maestro, L12_19),
    iin(4, 5893, 5893, CardBrand::Maestro, L12_19),
    iin(4, 6304, 6304, CardBrand::Maestro, L12_19),
    iin(4, 6759, 6759, CardBrand::Maestro, L12_19),
    iin(4, 6761, 6763, CardBrand::Maestro, L12_19),
    iin(6, 676_770, 676_770, CardBrand::Maestro, L12_19),
    iin(6, 676_774, 676_774, CardBrand::Maestro, L12_19),
    iin(2, 51, 55, CardBrand::Mastercard, L16),
    iin(4, 2221, 2720, CardBrand::Mastercard, L16),
    iin(1, 4, 4, CardBrand::Visa, VISA_LENS),
];

/// Scheme whose IIN range *and* PAN length both match, so a 15-digit run
/// starting with 4 (no Visa PAN has 15 digits) is not called a card. ISO/IEC
/// 7812 PANs here are 12-19 digits. The Luhn digit is deliberately not
/// checked, so callers can report "brand-shaped but bad check digit" if they
/// want.
pub fn card_brand(digits: &[u8]) -> Option<CardBrand> {
    let len = digits.len();
    if !(12..=19).contains(&len) || !all_digits(digits) {
        return None;
    }
    // The first eight digits as one number, held against each row's range
    // widened to eight digits: a prefix per width, digit by digit, was a
    // third of a card check.
    let p = eight_digits(digits[..8].try_into().unwrap());
    // Only rows that can start with these two digits, in table order.
    let mut rows = IIN_BY_FIRST_TWO[(p / 1_000_000) as usize];
    while rows != 0 {
        let i = rows.trailing_zeros() as usize;
        let (lo, hi) = IIN_RANGE8[i];
        if IIN_TABLE[i].lengths & (1 << len) != 0 && (lo..=hi).contains(&p) {
            return Some(IIN_TABLE[i].brand);
        }
        rows &= rows - 1;
    }
    None
}

/// Eight ASCII digits (checked by the caller) as their number, the first
/// most significant: pairs, then fours, then the eight, a multiply each.
#[inline]
fn eight_digits(d: &[u8; 8]) -> u32 {
    digit_values8(u64::from_le_bytes(*d).wrapping_sub(0x3030_3030_3030_3030)) as u32
}

/// `eight_digits` of eight digit values (0-9, the first in the low byte).
#[inline(always)]
fn digit_values8(mut w: u64) -> u64 {
    w = (w.wrapping_mul(10) + (w >> 8)) & 0x00FF_00FF_00FF_00FF;
    w = (w.wrapping_mul(100) + (w >> 16)) & 0x0000_FFFF_0000_FFFF;
    (w.wrapping_mul(10_000) + (w >> 32)) & 0xFFFF_FFFF
}

/// Each row's prefix range as a range of eight-digit prefixes: a number's
/// first `width` digits lie in `lo..=hi` exactly when its first eight lie
/// in `lo·10^(8-width) ..= (hi+1)·10^(8-width) - 1`.
const IIN_RANGE8: [(u32, u32); IIN_TABLE.len()] = {
    let mut t = [(0, 0); IIN_TABLE.len()];
    let mut i = 0;
    while i < IIN_TABLE.len() {
        let r = &IIN_TABLE[i];
        let scale = pow10(8 - r.width);
        t[i] = (r.lo * scale, (r.hi + 1) * scale - 1);
        i += 1;
    }
    t
};

/// 10^`k`, for the IIN tables built at compile time.
const fn pow10(k: u8) -> u32 {
    let mut p = 1;
    let mut i = 0;
    while i < k {
        p *= 10;
        i += 1;
    }
    p
}

/// Per first two digits, a bit per IIN row whose range covers numbers
/// starting with them: most of what is issued (Visa's 4, Mastercard's
/// 51-55, Amex's 34 and 37) has one row to test, where by first digit a
/// Mastercard PAN was tested against the eight rows of 5 in turn, and
/// each brand's count of rows ended the loop at a different turn.
const IIN_BY_FIRST_TWO: [u64; 100] = {
    assert!(IIN_TABLE.len() <= 64);
    let mut t = [0u64; 100];
    let mut i = 0;
    while i < IIN_TABLE.len() {
        let r = &IIN_TABLE[i];
        // The row's range widened (width 1) or cut (wider) to two digits.
        let (lo, hi) = if r.width == 1 {
            (r.lo * 10, r.hi * 10 + 9)
        } else {
            let scale = pow10(r.width - 2);
            (r.lo / scale, r.hi / scale)
        };
        let mut d = lo;
        while d <= hi {
            t[d as usize] |= 1 << i;
            d += 1;
        }
        i += 1;
    }
    t
};

/// A PAN is reported only when a scheme claims its IIN and length and its
/// Luhn digit is right. Numbers whose digits before the check digit are all
/// the same (`4444444444444448`) are rejected too: issuers never allocate
/// such account numbers, while form fillers, masks and test fixtures produce
/// them constantly. Published test PANs like `4111111111111111` are still
/// accepted because they are indistinguishable from real ones by rule.
// Out of line: once Luhn shrank, LLVM inlined this into the batch's
// number path, where it cost more than the call (people rows 894.7 M
// instructions out of line, 900.8 M inlined).
#[inline(never)]
pub fn card_valid(digits: &[u8]) -> bool {
    card_brand(digits).is_some() && luhn_valid(digits) && !all_same(&digits[..digits.len() - 1])
}

/// SSA numbering rules: area 000, 666 and 900-999 are never issued (9xx is
/// the ITIN/advertising space), group 00 and serial 0000 are never issued.
/// The sample or publicly misused numbers (Woolworth wallet card 078-05-1120,
/// the SSA pamphlet's 219-09-9999, LifeLock's 457-55-5462, the generic
/// 123-45-6789) are excluded because they appear in documents without
/// identifying anyone; 987-65-4320..4329, the SSA's advertising block, is
/// already excluded as area 9xx.
pub fn ssn_valid(digits: &[u8]) -> bool {
    if digits.len() != 9 || !all_digits(digits) {
        return false;
    }
    // Every SSN candidate pays this, so the tests are combined without
    // branches: the decision tree the four sample numbers compiled to
    // branched on the digits (about three fewer mispredicts an SSN without
    // it, in cachegrind's branch simulation).
    // The area, group and serial tests compare the digits themselves, in
    // place in one word (bytes 0-2 the area, 3-4 the group, 5-8 the
    // serial, byte 8 apart): the numbers built digit by digit cost more.
    let word = u64::from_le_bytes(digits[..8].try_into().unwrap());
    let last = digits[8];
    let area = word & 0xFF_FFFF;
    let issued = (area != 0x30_3030)
        & (area != 0x36_3636)
        & (word as u8 != b'9')
        & ((word >> 24) & 0xFFFF != 0x3030)
        & ((word >> 40 != 0x30_3030) | (last != b'0'));
    let sample =
        |n: &[u8; 9]| (word == u64::from_le_bytes(n[..8].try_into().unwrap())) & (last == n[8]);
    issued
        & !(sample(b"078051120")
            | sample(b"219099999")
            | sample(b"457555462")
            | sample(b"123456789"))
}

/// IRS ITINs use the 9xx area that SSA never issues, with the middle group
/// restricted to the blocks the IRS has opened: 50-65, 70-88, 90-92, 94-99
/// (89 and 93 are reserved for other IRS numbers such as ATINs).
pub fn itin_valid(digits: &[u8]) -> bool {
    if digits.len() != 9 || digits[0] != b'9' || !all_digits(digits) {
        return false;
    }
    // 987-65-4320 to 987-65-4329 is the SSA's block for advertisements:
    // printed everywhere, issued to nobody; 999-99-9999 is filler.
    if digits.starts_with(b"98765432") || all_same(digits) {
        return false;
    }
    matches!(
        digits_value(&digits[3..5]),
        50..=65 | 70..=88 | 90..=92 | 94..=99
    )
}

/// ABA routing transit numbers: the first two digits are a Federal Reserve
/// district code, valid only as 00 (U.S. Government), 01-12 (banks), 21-32
/// (thrifts), 61-72 (electronic transactions) or 80 (traveller's cheques);
/// the ninth digit makes the 3-7-1 weighted sum a multiple of 10 (ABA Key
/// Book). All-zero passes the sum but is a placeholder, never a real route.
pub fn aba_valid(digits: &[u8]) -> bool {
    if digits.len() != 9 || !all_digits(digits) || digits.iter().all(|&b| b == b'0') {
        return false;
    }
    if !matches!(digits_value(&digits[0..2]), 0..=12 | 21..=32 | 61..=72 | 80) {
        return false;
    }
    const W: [u32; 9] = [3, 7, 1, 3, 7, 1, 3, 7, 1];
    let sum: u32 = digits
        .iter()
        .zip(W)
        .map(|(&b, w)| u32::from(b - b'0') * w)
        .sum();
    sum.is_multiple_of(10)
}

/// 3GPP TS 23.003: an IMEI is a 14-digit TAC+serial plus a Luhn check digit.
/// A run of one repeated digit (all-zero passes Luhn) is a placeholder, never
/// an allocated TAC, so it is rejected.
pub fn imei_valid(digits: &[u8]) -> bool {
    digits.len() == 15 && luhn_valid(digits) && !all_same(digits)
}

/// 3GPP TS 23.003: an IMEISV is TAC + serial + 2-digit software version and,
/// unlike the IMEI, carries no check digit, so only its shape can be tested.
pub fn imeisv_shape(digits: &[u8]) -> bool {
    digits.len() == 16 && all_digits(digits)
}

/// ITU-T E.118 SIM serial (ICCID): major industry identifier 89
/// (telecommunications) then country/issuer/account digits and a Luhn check
/// digit. E.118 allows up to 19 digits including the check digit; many
/// operators issue 20-digit ICCIDs, and in practice the 20th digit is then
/// the Luhn digit over all 20. Choice: both lengths require Luhn over *all*
/// digits, so a 20-digit ICCID whose operator put a non-check filler last is
/// missed, in exchange for keeping the 10x Luhn filter on every candidate.
pub fn iccid_valid(digits: &[u8]) -> bool {
    matches!(digits.len(), 19 | 20) && digits.starts_with(b"89") && luhn_valid(digits)
}

/// IBAN length per ISO 13616 country code, from the SWIFT IBAN Registry
/// (release 100, 89 countries). Territories that use their parent's prefix
/// (Åland -> FI, French overseas -> FR, Crown dependencies -> GB) are not
/// separate prefixes in the registry and are not listed. Public so
/// generators can produce registry-valid IBANs.
pub fn iban_length(country: &[u8]) -> Option<usize> {
    let n = match country {
        b"AD" => 24,
        b"AE" => 23,
        b"AL" => 28,
        b"AT" => 20,
        b"AZ" => 28,
        b"BA" => 20,
        b"BE" => 16,
        b"BG" => 22,
        b"BH" => 22,
        b"BI" => 27,
        b"BR" => 29,
        b"BY" => 28,
        b"CH" => 21,
        b"CR" => 22,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DJ" => 27,
        b"DK" => 18,
        b"DO" => 28,
        b"EE" => 20,
        b"EG" => 29,
        b"ES" => 24,
        b"FI" => 18,
        b"FK" => 18,
        b"FO" => 18,
        b"FR" => 27,
        b"GB" => 22,
        b"GE" => 22,
        b"GI" => 23,
        b"GL" => 18,
        b"GR" => 27,
        b"GT" => 28,
        b"HN" => 28,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IL" => 23,
        b"IQ" => 23,
        b"IS" => 26,
        b"IT" => 27,
        b"JO" => 30,
        b"KW" => 30,
        b"KZ" => 20,
        b"LB" => 28,
        b"LC" => 32,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"LY" => 25,
        b"MC" => 27,
        b"MD" => 24,
        b"ME" => 22,
        b"MK" => 19,
        b"MN" => 20,
        b"MR" => 27,
        b"MT" => 31,
        b"MU" => 30,
        b"NI" => 28,
        b"NL" => 18,
        b"NO" => 15,
        b"OM" => 23,
        b"PK" => 24,
        b"PL" => 28,
        b"PS" => 29,
        b"PT" => 25,
        b"QA" => 29,
        b"RO" => 24,
        b"RS" => 22,
        b"RU" => 33,
        b"SA" => 24,
        b"SC" => 31,
        b"SD" => 18,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"SM" => 27,
        b"SO" => 23,
        b"ST" => 25,
        b"SV" => 28,
        b"TL" => 23,
        b"TN" => 24,
        b"TR" => 26,
        b"UA" => 29,
        b"VA" => 22,
        b"VG" => 24,
        b"XK" => 20,
        b"YE" => 30,
        _ => return None,
    };
    Some(n)
}

/// Per byte, what it adds to a MOD 97-10 remainder: its value (a digit
/// 0-9, a capital letter 10-35) and the power of ten that makes room for it
/// (10, or 100 for a letter's two digits); 0 for a byte no IBAN holds.
static MOD97_STEP: [(u8, u8); 256] = {
    let mut t = [(0u8, 0u8); 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            c @ b'0'..=b'9' => (c - b'0', 10),
            c @ b'A'..=b'Z' => (c - b'A' + 10, 100),
            _ => (0, 0),
        };
        b += 1;
    }
    t
};

/// The MOD 97-10 remainder of `parts` read as one decimal number (letters
/// as two digits each), or `None` if a byte is no digit or capital letter.
///
/// Eight bytes are folded into a 64-bit remainder before one reduction
/// (below 97, times 100 eight times, plus the values: under 10^18), by table
/// with no branch per byte: a remainder taken per byte was a chain of
/// divisions, and whether each byte was a letter or a digit a branch the
/// data decides. Eight digits (most of a BBAN) are read as one number
/// instead: a word's digit test and three multiplies, where the table
/// took some sixty instructions for the eight bytes.
fn mod97<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> Option<u32> {
    let mut rem = 0u64;
    let mut bad = false;
    let mut step = |rem: &mut u64, b: u8| {
        let (value, scale) = MOD97_STEP[b as usize];
        bad |= scale == 0;
        *rem = *rem * u64::from(scale) + u64::from(value);
    };
    for part in parts {
        let mut rest = part;
        while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
            if not_digit_bits(u64::from_le_bytes(*chunk)) == 0 {
                rem = rem * 100_000_000 + u64::from(eight_digits(chunk));
            } else {
                for &b in chunk {
                    step(&mut rem, b);
                }
            }
            rem %= 97;
            rest = tail;
        }
        if !rest.is_empty() {
            for &b in rest {
                step(&mut rem, b);
            }
            rem %= 97;
        }
    }
    (!bad).then_some(rem as u32)
}

/// ISO 13616 IBAN in electronic form (uppercase, no spaces): a registry
/// country with its exact length, two check digits in 02..=98 (00, 01 and 99
/// are congruent alternatives the standard forbids) and the rearranged
/// number congruent to 1 mod 97. BBAN-internal national formats are not
/// checked; mod 97 already rejects random strings 96 times in 97.
pub fn iban_valid(compact: &[u8]) -> bool {
    if compact.len() < 5 || iban_length(&compact[..2]) != Some(compact.len()) {
        return false;
    }
    let (head, bban) = compact.split_at(4);
    if !all_digits(&head[2..4]) || !(2..=98).contains(&digits_value(&head[2..4])) {
        return false;
    }
    mod97([bban, head]) == Some(1)
}

/// ISO 13616 check digits for `country` + `bban`: 98 minus the MOD 97-10
/// remainder of BBAN + country + "00". Returns `None` when the country is not
/// two uppercase letters or the BBAN is empty or not uppercase alphanumeric.
/// The registry is *not* consulted, so callers choose registry lengths
/// themselves (see [`iban_length`]).
pub fn iban_check_digits(country: &[u8; 2], bban: &[u8]) -> Option<[u8; 2]> {
    if !country.iter().all(u8::is_ascii_uppercase) || bban.is_empty() {
        return None;
    }
    let rem = mod97([bban, country.as_slice(), b"00".as_slice()])?;
    let check = (98 - rem) as u8;
    Some([b'0' + check / 10, b'0' + check % 10])
}

/// North American Numbering Plan (NANPA NPA allocation and central office
/// code assignment guidelines), 10 digits without the leading 1:
/// - area code NXX with N in 2-9; N11 codes are service codes (411, 911);
///   codes with middle digit 9 (N9X) are held for expansion of the plan;
///   37X and 96X are reserved for unanticipated purposes. None of those is
///   ever a subscriber's area code.
/// - central-office code NXX with N in 2-9 and not N11.
/// - 555-0100..555-0199 is the block reserved for fiction, so it never
///   reaches a real person.
pub fn nanp_valid(digits10: &[u8]) -> bool {
    let d = digits10;
    if d.len() != 10 || !all_digits(d) {
        return false;
    }
    // Non-short-circuit operators throughout: each test is on the digits,
    // which no branch predictor learns (every phone candidate pays this).
    let area_ok = (d[0] >= b'2')
        & !((d[1] == b'1') & (d[2] == b'1'))
        & (d[1] != b'9')
        & !((d[0] == b'3') & (d[1] == b'7'))
        & !((d[0] == b'9') & (d[1] == b'6'));
    let exchange_ok = (d[3] >= b'2') & !((d[4] == b'1') & (d[5] == b'1'));
    // 555-0100 to 555-0199 (the line number's first two digits 01).
    let fictional =
        (d[3] == b'5') & (d[4] == b'5') & (d[5] == b'5') & (d[6] == b'0') & (d[7] == b'1');
    area_ok & exchange_ok & !fictional
}

/// RFC 5322 `atext` (unquoted local-part characters).
const ATEXT: u8 = 1;
/// A DNS hostname label byte: letter, digit or hyphen.
const LDH: u8 = 2;
/// Bytes the lexer extends an e-mail candidate over, left of the `@` and
/// right of it.
pub(crate) const MAIL_LOCAL_SPAN: u8 = 4;
pub(crate) const MAIL_DOMAIN_SPAN: u8 = 8;

/// Byte classes of mailbox syntax: every e-mail candidate's bytes are looked
/// up here once (a search of the 19 atext symbols per byte cost more than
/// the rest of the check).
pub(crate) static MAIL_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if b.is_ascii_alphanumeric() {
            t[i] = ATEXT | LDH | MAIL_LOCAL_SPAN | MAIL_DOMAIN_SPAN;
        }
        i += 1;
    }
    let sym = b"!#$%&'*+-/=?^_`{|}~";
    let mut k = 0;
    while k < sym.len() {
        t[sym[k] as usize] |= ATEXT;
        k += 1;
    }
    t[b'-' as usize] |= LDH | MAIL_LOCAL_SPAN | MAIL_DOMAIN_SPAN;
    t[b'.' as usize] |= MAIL_LOCAL_SPAN | MAIL_DOMAIN_SPAN;
    t[b'_' as usize] |= MAIL_LOCAL_SPAN;
    t[b'%' as usize] |= MAIL_LOCAL_SPAN;
    t[b'+' as usize] |= MAIL_LOCAL_SPAN;
    t
};

/// Practical mailbox syntax, the dot-atom subset of RFC 5322 that real
/// addresses use (quoted local parts and address literals are left out: in
/// scanned text they are almost always noise). Limits are RFC 5321's: local
/// part <= 64 octets, whole path <= 254. The domain must have a TLD that
/// could exist in the root zone: 2-24 letters (longest ASCII gTLD today) or
/// an IDNA `xn--` label, which rejects `file@1.2` and `name@host` tokens.
pub fn email_valid(s: &[u8]) -> bool {
    // Every e-mail candidate pays this: one pass over each part (the
    // split-and-check version walked the local part four times).
    if s.len() > 254 {
        return false;
    }
    // (A plain search: candidates are short, memchr's dispatch is not.)
    let Some(at) = s.iter().position(|&b| b == b'@') else {
        return false;
    };
    mailbox_valid(&s[..at], &s[at + 1..])
}

/// [`email_valid`] for an address already split at its (first) `@`: the
/// lexer knows where it is, and searching for it again was a tenth of the
/// check.
pub(crate) fn mailbox_valid(local: &[u8], domain: &[u8]) -> bool {
    if local.len() + domain.len() >= 254
        || !(1..=64).contains(&local.len())
        || local[0] == b'.'
        || local[local.len() - 1] == b'.'
    {
        return false;
    }
    let mut prev_dot = false;
    for &b in local {
        let dot = b == b'.';
        if (dot && prev_dot) || !(dot || MAIL_CLASS[b as usize] & ATEXT != 0) {
            return false;
        }
        prev_dot = dot;
    }
    // Labels between dots: a DNS hostname label (RFC 1035/1123) is 1-63
    // letters, digits and hyphens, no hyphen at either end.
    // One pass over the domain (every e-mail pays it): bytes checked as
    // they come, each label's bounds when its dot is reached.
    let label_ok =
        |l: &[u8]| !l.is_empty() && l.len() <= 63 && l[0] != b'-' && l[l.len() - 1] != b'-';
    let mut labels = 0usize;
    let mut start = 0;
    for (i, &b) in domain.iter().enumerate() {
        if b == b'.' {
            if !label_ok(&domain[start..i]) {
                return false;
            }
            labels += 1;
            start = i + 1;
        } else if MAIL_CLASS[b as usize] & LDH == 0 {
            return false;
        }
    }
    let last = &domain[start..];
    if labels < 1 || !label_ok(last) {
        return false;
    }
    let punycode = last.len() > 4 && last[..4].eq_ignore_ascii_case(b"xn--");
    punycode || ((2..=24).contains(&last.len()) && last.iter().all(u8::is_ascii_alphabetic))
}

/// Dotted-quad IPv4 (RFC 791 text convention). Leading zeros are refused
/// because many parsers read them as octal, so `010.0.0.1` is ambiguous and
/// usually a version string or a date, not an address.
pub fn ipv4_valid(s: &[u8]) -> bool {
    // Every address column cell pays this. The bytes are classed as two
    // words (digits, dots, nothing else), the dots found by their lanes and
    // each octet checked once: a test and a branch a byte cost some 280
    // instructions an address.
    const L: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x80 * L;
    let n = s.len();
    if !(7..=15).contains(&n) {
        return false;
    }
    let word = |at: usize| u64::from_le_bytes(s[at..at + 8].try_into().unwrap());
    // Bytes 0-7 and 8-15, zero past the end.
    let (lo, hi) = if n >= 8 {
        // The last eight bytes moved down so that byte 8 is the first lane.
        let hi = if n == 8 {
            0
        } else {
            word(n - 8) >> (8 * (16 - n))
        };
        (word(0), hi)
    } else {
        let head = u64::from(u32::from_le_bytes(s[..4].try_into().unwrap()));
        let tail = u64::from(u32::from_le_bytes(s[3..7].try_into().unwrap()));
        (head | tail << 24, 0)
    };
    let dots = |w: u64| lanes_between(w, b'.', b'.');
    let digits = |w: u64| lanes_between(w, b'0', b'9');
    let first_lanes = |k: usize| {
        if k >= 8 {
            HIGH
        } else {
            HIGH & ((1u64 << (8 * k)) - 1)
        }
    };
    let (lo_in, hi_in) = (first_lanes(n), first_lanes(n.saturating_sub(8)));
    let (dlo, dhi) = (dots(lo) & lo_in, dots(hi) & hi_in);
    if (dlo | digits(lo)) & lo_in != lo_in || (dhi | digits(hi)) & hi_in != hi_in {
        return false;
    }
    // The first three dots (lane 16, past any value, where there are
    // fewer), and none after them. Counted this way, not with
    // `count_ones`: baseline x86-64 has no popcount instruction.
    let mut d = u128::from(dlo) | u128::from(dhi) << 64;
    let mut next = || {
        let p = d.trailing_zeros() as usize / 8;
        d &= d.wrapping_sub(1);
        p
    };
    let (p1, p2, p3) = (next(), next(), next());
    if d != 0 || p3 >= n {
        return false;
    }
    // One to three digits, no leading zero, at most 255: each octet's
    // bytes taken from the two words (zero past the value), the parts
    // combined without a branch. An octet's length varies from address to
    // address, and a match on it was mispredicted (2.6 branches an
    // address, simulated).
    let w = u128::from(lo) | u128::from(hi) << 64;
    let octet = |start: usize, end: usize| {
        let len = end.wrapping_sub(start);
        let x = (w >> (8 * start.min(15))) as u32;
        let (a, b, c) = (x & 0xff, (x >> 8) & 0xff, (x >> 16) & 0xff);
        let three = a << 16 | b << 8 | c;
        (len.wrapping_sub(1) < 3)
            & ((len == 1) | (a != u32::from(b'0')))
            & ((len != 3) | (three <= 0x32_35_35))
    };
    octet(0, p1) & octet(p1 + 1, p2) & octet(p2 + 1, p3) & octet(p3 + 1, n)
}

fn find_double_colon(s: &[u8]) -> Option<usize> {
    s.windows(2).position(|w| w == b"::")
}

/// Counts the 16-bit groups in a colon-separated run with no `::`; an
/// embedded dotted quad is allowed as the final group when `v4_last` and
/// counts as two groups (RFC 4291 section 2.2, form 3).
fn ipv6_groups(part: &[u8], v4_last: bool) -> Option<usize> {
    let mut n = 0usize;
    let mut it = part.split(|&b| b == b':').peekable();
    while let Some(g) = it.next() {
        let last = it.peek().is_none();
        if last && v4_last && g.contains(&b'.') {
            if !ipv4_valid(g) {
                return None;
            }
            n += 2;
        } else {
            if g.is_empty() || g.len() > 4 || !g.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            n += 1;
        }
        if n > 8 {
            return None;
        }
    }
    Some(n)
}

/// IPv6 text forms of RFC 4291 section 2.2: eight 1-4 digit hex groups, one
/// optional `::` standing for one or more zero groups, and an optional
/// trailing dotted quad. Zone identifiers (`%eth0`, RFC 6874) are refused:
/// they are link-local scoping, not part of the address.
pub fn ipv6_valid(s: &[u8]) -> bool {
    if s.len() < 2 || s.len() > 45 {
        return false;
    }
    match find_double_colon(s) {
        None => ipv6_groups(s, true) == Some(8),
        Some(i) => {
            let (head, tail) = (&s[..i], &s[i + 2..]);
            if find_double_colon(tail).is_some() {
                return false;
            }
            let h = if head.is_empty() {
                Some(0)
            } else {
                ipv6_groups(head, false)
            };
            let t = if tail.is_empty() {
                Some(0)
            } else {
                ipv6_groups(tail, true)
            };
            matches!((h, t), (Some(h), Some(t)) if h + t <= 7)
        }
    }
}

/// IEEE 802 MAC-48 in the two common notations: six hex pairs joined by one
/// consistent `:` or `-` (IEEE uses `-`, most OSes `:`), or Cisco's dotted
/// `aaaa.bbbb.cccc`. The all-zero and broadcast addresses identify no device
/// and are refused.
pub fn mac_valid(s: &[u8]) -> bool {
    let shape_ok = match s.len() {
        17 => {
            let sep = s[2];
            (sep == b':' || sep == b'-')
                && s.iter().enumerate().all(|(i, &b)| {
                    if i % 3 == 2 {
                        b == sep
                    } else {
                        b.is_ascii_hexdigit()
                    }
                })
        }
        14 => s.iter().enumerate().all(|(i, &b)| {
            if i == 4 || i == 9 {
                b == b'.'
            } else {
                b.is_ascii_hexdigit()
            }
        }),
        _ => false,
    };
    if !shape_ok {
        return false;
    }
    let mut hex = s.iter().filter(|b| b.is_ascii_hexdigit());
    let all_zero = hex.clone().all(|&b| b == b'0');
    let all_f = hex.all(|&b| b == b'f' || b == b'F');
    !all_zero && !all_f
}

/// CMS MBI letters: A-Z without S, L, O, I, B, Z, which CMS excludes because
/// they are easily confused with digits (5, 1, 0, 1, 8, 2).
#[inline]
fn mbi_alpha(u: u8) -> bool {
    u.is_ascii_uppercase() && !matches!(u, b'S' | b'L' | b'O' | b'I' | b'B' | b'Z')
}

/// Medicare Beneficiary Identifier, per the CMS "MBI format specifications":
/// 11 positions typed C A AN N A AN N A A N N, where C is 1-9, N is 0-9, A is
/// an MBI letter and AN is either. Letters are accepted in either case
/// because hand-keyed records often lowercase them.
pub fn mbi_valid(s: &[u8]) -> bool {
    #[derive(Clone, Copy)]
    enum P {
        C,
        A,
        An,
        N,
    }
    const LAYOUT: [P; 11] = [
        P::C,
        P::A,
        P::An,
        P::N,
        P::A,
        P::An,
        P::N,
        P::A,
        P::A,
        P::N,
        P::N,
    ];
    s.len() == 11
        && s.iter().zip(LAYOUT).all(|(&b, p)| {
            let u = b.to_ascii_uppercase();
            match p {
                P::C => (b'1'..=b'9').contains(&u),
                P::A => mbi_alpha(u),
                P::An => mbi_alpha(u) || u.is_ascii_digit(),
                P::N => u.is_ascii_digit(),
            }
        })
}

/// U.S. passport book numbers are 9 digits; Next Generation passports (2021+)
/// are one letter followed by 8 digits. Shape only: the State Department
/// publishes no check digit. All-zero digits are a placeholder and refused.
pub fn us_passport_shape(s: &[u8]) -> bool {
    let digits = match s.len() {
        9 if s[0].is_ascii_alphabetic() => &s[1..],
        9 => s,
        _ => return false,
    };
    all_digits(digits) && !digits.iter().all(|&b| b == b'0')
}

/// USCIS Alien Registration Number: an optional `A` prefix then 8 or 9
/// digits (older 8-digit numbers are zero-padded to 9 on newer forms, so
/// both occur). Shape only; USCIS publishes no check digit.
pub fn alien_number_shape(s: &[u8]) -> bool {
    let digits = match s.first() {
        Some(b'A' | b'a') => &s[1..],
        _ => s,
    };
    matches!(digits.len(), 8 | 9) && all_digits(digits)
}

/// CMS National Provider Identifier: 10 digits whose last is a Luhn check
/// digit computed as if the ISO 7812 health-industry prefix 80840 were in
/// front, which adds a constant 24 to the Luhn sum. NPPES has only ever
/// issued NPIs beginning with 1 or 2, so other first digits are refused,
/// which drops 80% of random Luhn-valid 10-digit runs.
pub fn npi_valid(digits: &[u8]) -> bool {
    digits.len() == 10
        && all_digits(digits)
        && matches!(digits[0], b'1' | b'2')
        && (luhn_sum(digits, false) + 24).is_multiple_of(10)
}

/// FDA National Drug Code: labeler-product-package in 4-4-2, 5-3-2 or
/// 5-4-1 dashed form (the 10-digit FDA forms), the HIPAA 11-digit 5-4-2
/// form dashed, or the 11-digit form undashed. The undashed 10-digit form is
/// refused because its segment split is ambiguous and it collides with phone
/// numbers. All-zero codes are placeholders.
pub fn ndc_shape(s: &[u8]) -> bool {
    if s.iter().all(|&b| b == b'0' || b == b'-') {
        return false;
    }
    if s.len() == 11 {
        return all_digits(s);
    }
    let mut lens = [0usize; 3];
    let mut n = 0;
    for seg in s.split(|&b| b == b'-') {
        if n == 3 || !all_digits(seg) {
            return false;
        }
        lens[n] = seg.len();
        n += 1;
    }
    n == 3 && matches!(lens, [4, 4, 2] | [5, 3, 2] | [5, 4, 1] | [5, 4, 2])
}

/// ICD-10-CM code structure (CMS/NCHS tabular list): a category of letter,
/// digit, alphanumeric, then up to four more alphanumeric characters
/// (etiology, site, severity, 7th-character extension), written with or
/// without the dot after the category. The 2026 list adds categories of
/// letter, letter, digit (`QA0`, neurodevelopmental disorders related to
/// genetic variants), so a letter in second place is accepted when a digit
/// follows. Whether the code exists is checked against the code list
/// elsewhere.
pub fn icd10cm_shape(s: &[u8]) -> bool {
    if s.len() < 3
        || !s[0].is_ascii_alphabetic()
        || !(s[1].is_ascii_digit() || (s[1].is_ascii_alphabetic() && s[2].is_ascii_digit()))
        || !s[2].is_ascii_alphanumeric()
    {
        return false;
    }
    let rest = &s[3..];
    let rest = match rest.first() {
        None => return true,
        Some(b'.') => &rest[1..],
        Some(_) => rest,
    };
    (1..=4).contains(&rest.len()) && rest.iter().all(u8::is_ascii_alphanumeric)
}

/// Standard geohash base-32 alphabet (no a, i, l, o).
const GEOHASH_ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";

/// A geohash's precision is its cell: each character adds 5 bits split
/// alternately between longitude and latitude, so the cell is known exactly.
/// Returns (north-south height, east-west width at the cell's centre
/// latitude) in metres, so callers can apply the same precise-geolocation
/// threshold as for decimal coordinates. Only the canonical lowercase
/// alphabet is accepted, because uppercase runs are usually other tokens.
pub fn geohash_cell_m(s: &[u8]) -> Option<(f64, f64)> {
    let (lat_lo, lat_hi, lon_lo, lon_hi) = geohash_bounds(s)?;
    let centre_lat = (lat_lo + lat_hi) / 2.0;
    let ns = (lat_hi - lat_lo) * M_PER_DEG;
    let ew = (lon_hi - lon_lo) * M_PER_DEG * centre_lat.to_radians().cos();
    Some((ns, ew))
}

/// The centre (latitude, longitude) of a geohash's cell, so a geohash can
/// be tested against geofences and U.S. territory like a coordinate pair.
pub fn geohash_center(s: &[u8]) -> Option<(f64, f64)> {
    let (lat_lo, lat_hi, lon_lo, lon_hi) = geohash_bounds(s)?;
    Some(((lat_lo + lat_hi) / 2.0, (lon_lo + lon_hi) / 2.0))
}

/// (lat_lo, lat_hi, lon_lo, lon_hi) of a geohash cell.
fn geohash_bounds(s: &[u8]) -> Option<(f64, f64, f64, f64)> {
    if !(1..=12).contains(&s.len()) {
        return None;
    }
    let (mut lat_lo, mut lat_hi) = (-90.0f64, 90.0f64);
    let (mut lon_lo, mut lon_hi) = (-180.0f64, 180.0f64);
    let mut lon_bit = true;
    for &c in s {
        let v = GEOHASH_ALPHABET.iter().position(|&g| g == c)?;
        for shift in (0..5).rev() {
            let one = (v >> shift) & 1 == 1;
            let (lo, hi) = if lon_bit {
                (&mut lon_lo, &mut lon_hi)
            } else {
                (&mut lat_lo, &mut lat_hi)
            };
            let mid = (*lo + *hi) / 2.0;
            if one {
                *lo = mid;
            } else {
                *hi = mid;
            }
            lon_bit = !lon_bit;
        }
    }
    Some((lat_lo, lat_hi, lon_lo, lon_hi))
}

/// U.S. driver's license (and state ID) numbers: the union of the state
/// formats published by the issuing states (as collected in the AAMVA DL/ID
/// card design standard's jurisdiction annexes and the widely circulated
/// state format tables). `s` holds the number without separators. No state
/// publishes a check digit, so this is shape only and always needs context:
/// 4-14 or 16 digits (AL, AK, AR, CT, DE, GA, LA, MS, NC, NY, PA, SC, TX,
/// UT, WY, ...); a letter and 3-14 or 18 digits (CA A1234567, FL/MD/MN
/// 12 digits, IL 11, NJ 14, WI 13, NY 18); two letters and 3-7 digits (AZ,
/// CO, OH, WV); ND's 3 letters and 6 digits; ME/VT 7 digits and a letter;
/// MO 8 digits and 2 letters or 9 digits and a letter, or a letter, 6
/// digits and a letter; ID 2 letters, 6 digits, a letter; IA 3 digits, 2
/// letters, 4 digits; NH 2 digits, 3 letters, 5 digits; KS letter-digit
/// alternation (A1B2C); WA `WDL` and 9 alphanumerics, or the pre-2018 WA
/// form of 7 letters or `*`, 3 digits and 2 alphanumerics. A number whose
/// digits are all the same (`A0000000`) is a placeholder.
pub fn drivers_license_shape(s: &[u8]) -> bool {
    let n = s.len();
    if !(4..=19).contains(&n) {
        return false;
    }
    let digits_placeholder = {
        let mut it = s.iter().filter(|b| b.is_ascii_digit());
        match it.next() {
            Some(&f) => it.all(|&b| b == f),
            None => true,
        }
    };
    if digits_placeholder {
        return false;
    }
    if n == 12
        && s[..7].iter().all(|b| b.is_ascii_alphabetic() || *b == b'*')
        && s[7..10].iter().all(u8::is_ascii_digit)
        && s[10..].iter().all(u8::is_ascii_alphanumeric)
        && s[..7].iter().any(u8::is_ascii_alphabetic)
    {
        return true;
    }
    if n == 12 && s[..3].eq_ignore_ascii_case(b"WDL") && s.iter().all(u8::is_ascii_alphanumeric) {
        return true;
    }
    // Runs of letters (true) and digits (false) with their lengths.
    let mut runs = [(false, 0u8); 5];
    let mut nr = 0;
    for &b in s {
        let letter = if b.is_ascii_alphabetic() {
            true
        } else if b.is_ascii_digit() {
            false
        } else {
            return false;
        };
        if nr > 0 && runs[nr - 1].0 == letter {
            runs[nr - 1].1 += 1;
        } else {
            if nr == runs.len() {
                return false;
            }
            runs[nr] = (letter, 1);
            nr += 1;
        }
    }
    match runs[..nr] {
        [(false, d)] => (4..=14).contains(&d) || d == 16,
        [(true, 1), (false, d)] => (3..=14).contains(&d) || d == 18,
        [(true, 2), (false, d)] => (3..=7).contains(&d),
        [(true, 3), (false, 6)] => true,
        [(false, 7), (true, 1)] | [(false, 8), (true, 2)] | [(false, 9), (true, 1)] => true,
        [(true, 1), (false, 6), (true, 1)] | [(true, 2), (false, 6), (true, 1)] => true,
        [(false, 3), (true, 2), (false, 4)] | [(false, 2), (true, 3), (false, 5)] => true,
        [(true, 1), (false, 1), (true, 1), (false, 1), (true, 1)] => true,
        _ => false,
    }
}

/// 10^-d as f64; exponents are capped because anything past ~324 is 0.0.
/// Every point asks this twice: the common exponents come from a table
/// (`powi` was a libm call per point), each entry the same f64 `powi`
/// gives, since 10^d is exact up to 10^22 and one division rounds it once.
#[inline]
fn pow10_neg(d: u32) -> f64 {
    const TABLE: [f64; 23] = {
        let mut t = [1.0; 23];
        let mut p = 1.0;
        let mut i = 1;
        while i < 23 {
            p *= 10.0;
            t[i] = 1.0 / p;
            i += 1;
        }
        t
    };
    match TABLE.get(d as usize) {
        Some(&x) => x,
        None => 10f64.powi(-(d.min(400) as i32)),
    }
}

/// A decimal coordinate's precision is the cell its last decimal place
/// implies: one unit of the last place north-south, and the same in
/// longitude shrunk by cos(latitude) east-west. Returns (NS m, EW m).
pub fn coord_cell_m(lat: f64, lat_decimals: u32, lon_decimals: u32) -> (f64, f64) {
    let ns = pow10_neg(lat_decimals) * M_PER_DEG;
    let ew = pow10_neg(lon_decimals) * M_PER_DEG * lat.to_radians().cos().abs();
    (ns, ew)
}

/// Precise geolocation under 28 CFR 202.242 is location within 1,000 metres,
/// so a coordinate counts when the larger side of its implied cell is at
/// most 1 km: two decimals (~1.1 km) do not, three (~111 m) do. A
/// non-finite latitude is never precise.
pub fn coord_is_precise(lat: f64, lat_decimals: u32, lon_decimals: u32) -> bool {
    if !lat.is_finite() {
        return false;
    }
    // The cosine only shrinks the east-west side (|cos| <= 1, and a product
    // with a factor <= 1 never rounds above the other factor): a side
    // within 1 km before it is within after, with no cosine per point.
    let ns = pow10_neg(lat_decimals) * M_PER_DEG;
    let ew_bound = pow10_neg(lon_decimals) * M_PER_DEG;
    if ns > PRECISE_CELL_M {
        return false;
    }
    if ew_bound <= PRECISE_CELL_M {
        return true;
    }
    let (_, ew) = coord_cell_m(lat, lat_decimals, lon_decimals);
    ew <= PRECISE_CELL_M
}

/// A parsed decimal-degree number together with its count of fractional
/// digits, which is what carries its precision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decimal {
    pub value: f64,
    pub decimals: u32,
}

/// Plain decimal degrees (`-73.9857`): optional sign, digits, optional `.`
/// and digits. Exponents, bare `.5` and `5.` are refused because coordinate
/// writers never produce them, and the decimal count would be meaningless.
pub fn parse_decimal_degree(s: &[u8]) -> Option<Decimal> {
    // Every latitude and longitude cell pays this. The usual coordinate,
    // a few whole degrees and one to eight decimals, reads its decimals
    // as one word; any other value takes the byte loop.
    let neg = s.first() == Some(&b'-');
    let start = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let (m, i) = digit_run(s, start, 0);
    let decimals = s.len().wrapping_sub(i + 1);
    if i == start || i - start > 7 || i == s.len() || s[i] != b'.' || !(1..=8).contains(&decimals) {
        return decimal_by_bytes(s);
    }
    let frac = decimal_digits(&s[i + 1..])?;
    let v = exact_quotient(m * POW10_U64[decimals] + frac, decimals);
    Some(Decimal {
        value: if neg { -v } else { v },
        decimals: decimals as u32,
    })
}

/// Powers of ten up to the eighth, as integers.
const POW10_U64: [u64; 9] = {
    let mut t = [1; 9];
    let mut k = 1;
    while k < t.len() {
        t[k] = t[k - 1] * 10;
        k += 1;
    }
    t
};

/// The ASCII digits of `s` from `i` on, appended to `m` (wrapping: a run
/// too long for a word is read again by `str::parse`), and where they end.
#[inline(always)]
fn digit_run(s: &[u8], mut i: usize, mut m: u64) -> (u64, usize) {
    while i < s.len() && s[i].is_ascii_digit() {
        m = m.wrapping_mul(10).wrapping_add(u64::from(s[i] - b'0'));
        i += 1;
    }
    (m, i)
}

/// One to eight ASCII digits as their number, read as one word (two
/// overlapping loads, so that no byte past `d` is read); None if any byte
/// is no digit.
#[inline(always)]
fn decimal_digits(d: &[u8]) -> Option<u64> {
    let n = d.len();
    debug_assert!((1..=8).contains(&n));
    let w = if n >= 4 {
        let a = u32::from_le_bytes(d[..4].try_into().unwrap());
        let b = u32::from_le_bytes(d[n - 4..].try_into().unwrap());
        u64::from(a) | u64::from(b) << (8 * (n - 4))
    } else {
        u64::from(d[0])
            | u64::from(d[n / 2]) << (8 * (n / 2))
            | u64::from(d[n - 1]) << (8 * (n - 1))
    };
    // Digits become their values, any other byte 10 or more; with the high
    // bit cleared, adding 0x76 carries into it exactly from 10 on, and
    // never into the next byte.
    let x = w ^ 0x3030_3030_3030_3030;
    let lanes = u64::MAX >> (8 * (8 - n));
    let tens = (x & 0x7f7f_7f7f_7f7f_7f7f) + 0x7676_7676_7676_7676;
    if (tens | x) & 0x8080_8080_8080_8080 & lanes != 0 {
        return None;
    }
    // Leading zeros in place of the bytes past `d`, shifted out.
    Some(digit_values8(x << (8 * (8 - n))))
}

/// `parse_decimal_degree` a byte at a time: values with no decimals, more
/// than eight, more than seven whole digits, or no number at all. (Their
/// whole digits are read again: passing on what the word path had read
/// cost that path two instructions a coordinate.)
#[cold]
#[inline(never)]
fn decimal_by_bytes(s: &[u8]) -> Option<Decimal> {
    let neg = s.first() == Some(&b'-');
    let start = usize::from(matches!(s.first(), Some(b'+' | b'-')));
    let (mut m, mut i) = digit_run(s, start, 0);
    let int_len = i - start;
    if int_len == 0 {
        return None;
    }
    let mut frac_len = 0usize;
    if i < s.len() {
        if s[i] != b'.' {
            return None;
        }
        let f = i + 1;
        (m, i) = digit_run(s, f, m);
        frac_len = i - f;
        if frac_len == 0 || i < s.len() {
            return None;
        }
    }
    let decimals = u32::try_from(frac_len).ok()?;
    let value = if int_len + frac_len <= 15 {
        let v = exact_quotient(m, frac_len);
        if neg { -v } else { v }
    } else {
        std::str::from_utf8(s).ok()?.parse().ok()?
    };
    value.is_finite().then_some(Decimal { value, decimals })
}

/// `m`, the digits of `int.frac` read as one integer, over 10^`frac_len`:
/// with at most 15 digits (the caller's check) both are exact in an f64, so
/// the quotient is rounded once, as a full parse would round it (Clinger's
/// fast path). Every coordinate has this form; `str::parse` cost a UTF-8
/// check and a general parser per cell.
fn exact_quotient(m: u64, frac_len: usize) -> f64 {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    // Through i64, exact below 2^53: one conversion instruction where a
    // u64's takes six.
    (m as i64) as f64 / POW10[frac_len]
}

const DEG_MARKS: [&[u8]; 4] = ["°".as_bytes(), "º".as_bytes(), b"d", b"D"];
const MIN_MARKS: [&[u8]; 5] = [b"'", "′".as_bytes(), "’".as_bytes(), b"m", b"M"];
const SEC_MARKS: [&[u8]; 6] = [b"''", b"\"", "″".as_bytes(), "”".as_bytes(), b"s", b"S"];

#[inline]
fn is_hemisphere(b: u8) -> bool {
    matches!(b.to_ascii_uppercase(), b'N' | b'S' | b'E' | b'W')
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && matches!(s[i], b' ' | b'\t') {
        i += 1;
    }
    i
}

/// Unsigned `digits[.digits]` at `i`: (value, integer digits, decimals, end).
fn dms_number(s: &[u8], i: usize) -> Option<(f64, usize, usize, usize)> {
    let int_end = i + s[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if int_end == i {
        return None;
    }
    let mut end = int_end;
    if s.get(end) == Some(&b'.') && s.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1 + s[end + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
    }
    let decimals = if end == int_end { 0 } else { end - int_end - 1 };
    let v: f64 = std::str::from_utf8(&s[i..end]).ok()?.parse().ok()?;
    Some((v, int_end - i, decimals, end))
}

/// One degrees-minutes-seconds coordinate as written on maps and in EXIF
/// dumps: `40°26'46"N`, `40°26'46.3"N`, `40 26 46 N`, `40d26m46sN`,
/// `N 40°26.767'` (decimal on the last unit only). A hemisphere letter
/// (N/S/E/W in either case, before or after) is required because three bare
/// numbers are not recognisably a coordinate; S and W make it negative. A
/// final `s`/`S` after the seconds number is read as the hemisphere unless a
/// hemisphere was already given, since `46s` alone would leave none.
/// Returns (signed decimal degrees, cell size in degrees implied by the
/// smallest unit written: 1, 1/60 or 1/3600, divided by 10 per decimal
/// place), so precision can be judged as for decimal degrees. Minutes or
/// seconds >= 60 and values outside +-90 (N/S) or +-180 (E/W) are refused.
pub fn parse_dms(s: &[u8]) -> Option<(f64, f64)> {
    let mut hemi = None;
    let mut i = 0;
    if let Some(&c) = s.first()
        && is_hemisphere(c)
    {
        hemi = Some(c.to_ascii_uppercase());
        i = skip_ws(s, 1);
    }
    let mut parts = [0f64; 3];
    let mut count = 0usize;
    let mut last_decimals = 0usize;
    loop {
        if count > 0 && last_decimals > 0 {
            // Only the smallest unit written may carry decimals.
            return None;
        }
        let (v, int_digits, decimals, end) = dms_number(s, i)?;
        let max_int = if count == 0 { 3 } else { 2 };
        if int_digits > max_int {
            return None;
        }
        parts[count] = v;
        last_decimals = decimals;
        count += 1;
        i = end;
        let marks: &[&[u8]] = match count {
            1 => &DEG_MARKS,
            2 => &MIN_MARKS,
            _ => &SEC_MARKS,
        };
        let mut mark_len = marks
            .iter()
            .find(|m| s[i..].starts_with(m))
            .map_or(0, |m| m.len());
        // A trailing `S`/`s` after seconds is the hemisphere, not the unit,
        // unless a hemisphere was already given or more text follows.
        if count == 3
            && hemi.is_none()
            && s.get(i).is_some_and(|b| b.eq_ignore_ascii_case(&b's'))
            && skip_ws(s, i + 1) == s.len()
        {
            mark_len = 0;
        }
        let after = skip_ws(s, i + mark_len);
        let separated = mark_len > 0 || after > i;
        i = after;
        if count == 3 || !separated || !s.get(i).is_some_and(u8::is_ascii_digit) {
            break;
        }
    }
    if hemi.is_none() && i < s.len() && is_hemisphere(s[i]) {
        hemi = Some(s[i].to_ascii_uppercase());
        i += 1;
    }
    let hemi = hemi?;
    if i != s.len() || parts[1] >= 60.0 || parts[2] >= 60.0 {
        return None;
    }
    let magnitude = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
    let (value, in_range) = match hemi {
        b'N' => (magnitude, lat_valid(magnitude)),
        b'S' => (-magnitude, lat_valid(magnitude)),
        b'E' => (magnitude, lon_valid(magnitude)),
        _ => (-magnitude, lon_valid(magnitude)),
    };
    if !in_range {
        return None;
    }
    let unit = [1.0, 1.0 / 60.0, 1.0 / 3600.0][count - 1];
    let decimals = u32::try_from(last_decimals).unwrap_or(u32::MAX);
    Some((value, unit * pow10_neg(decimals)))
}

/// WGS 84 latitude range; anything outside (or NaN) is not a location.
pub fn lat_valid(v: f64) -> bool {
    (-90.0..=90.0).contains(&v)
}

/// WGS 84 longitude range; anything outside (or NaN) is not a location.
pub fn lon_valid(v: f64) -> bool {
    (-180.0..=180.0).contains(&v)
}

/// USPS codes accepted by [`is_us_state_code`]: 50 states, DC, 5 territories,
/// 3 military.
const US_STATE_CODES: [[u8; 2]; 59] = [
    *b"AL", *b"AK", *b"AZ", *b"AR", *b"CA", *b"CO", *b"CT", *b"DE", *b"FL", *b"GA", *b"HI", *b"ID",
    *b"IL", *b"IN", *b"IA", *b"KS", *b"KY", *b"LA", *b"ME", *b"MD", *b"MA", *b"MI", *b"MN", *b"MS",
    *b"MO", *b"MT", *b"NE", *b"NV", *b"NH", *b"NJ", *b"NM", *b"NY", *b"NC", *b"ND", *b"OH", *b"OK",
    *b"OR", *b"PA", *b"RI", *b"SC", *b"SD", *b"TN", *b"TX", *b"UT", *b"VT", *b"VA", *b"WA", *b"WV",
    *b"WI", *b"WY", *b"DC", *b"PR", *b"GU", *b"VI", *b"AS", *b"MP", *b"AA", *b"AE", *b"AP",
];

/// USPS two-letter codes for the 50 states, DC, the inhabited territories
/// (PR, GU, VI, AS, MP) and the military "states" AA/AE/AP, i.e. the places
/// whose residents' data is U.S. persons' data by address. The Freely
/// Associated States (FM, MH, PW) are foreign countries and excluded.
pub fn is_us_state_code(s: &[u8]) -> bool {
    let [a, b] = s else {
        return false;
    };
    let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    US_STATE_CODES.contains(&code)
}

/// USPS ZIP Code shapes: ZIP (5 digits) or ZIP+4 (`12345-6789`). 00000 is
/// never assigned and is the usual placeholder, so it is refused.
pub fn zip_shape(s: &[u8]) -> bool {
    let base_ok = |z: &[u8]| all_digits(z) && z != b"00000";
    match s.len() {
        5 => base_ok(s),
        10 => base_ok(&s[..5]) && s[5] == b'-' && all_digits(&s[6..]),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    /// DNS hostname label (RFC 1035/1123): 1-63 letters, digits, hyphens, not
    /// starting or ending with a hyphen.
    #[inline]
    fn dns_label_ok(l: &[u8]) -> bool {
        (1..=63).contains(&l.len())
            && l.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
            && l[0] != b'-'
            && l[l.len() - 1] != b'-'
    }

    /// Each byte of a ten-byte value, set to every byte value in turn:
    /// `date10_digits` answers as testing the forms' digit places one by
    /// one.
    #[test]
    fn date10_digits_is_a_test_per_place() {
        let per_place =
            |v: &[u8; 10], places: [usize; 8]| places.iter().all(|&k| v[k].is_ascii_digit());
        let mut seen = [false; 4];
        for base in [*b"1980-03-12", *b"03/12/1980", *b"0123456789"] {
            for k in 0..10 {
                for b in 0..=255u8 {
                    let mut v = base;
                    v[k] = b;
                    let want = (
                        per_place(&v, [0, 1, 2, 3, 5, 6, 8, 9]),
                        per_place(&v, [0, 1, 3, 4, 6, 7, 8, 9]),
                    );
                    assert_eq!(date10_digits(&v), want, "{:?}", String::from_utf8_lossy(&v));
                    seen[usize::from(want.0) * 2 + usize::from(want.1)] = true;
                }
            }
        }
        assert_eq!(seen, [true; 4]);
    }

    /// The mailbox byte table holds exactly RFC 5322 atext, the DNS label
    /// bytes, and the bytes the lexer spans an address over.
    #[test]
    fn mail_class_table_is_the_grammar() {
        for b in 0..=255u8 {
            let atext = b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
            let ldh = b.is_ascii_alphanumeric() || b == b'-';
            let local = b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-');
            let domain = b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-');
            assert_eq!(MAIL_CLASS[b as usize] & ATEXT != 0, atext, "{b}");
            assert_eq!(MAIL_CLASS[b as usize] & LDH != 0, ldh, "{b}");
            assert_eq!(MAIL_CLASS[b as usize] & MAIL_LOCAL_SPAN != 0, local, "{b}");
            assert_eq!(
                MAIL_CLASS[b as usize] & MAIL_DOMAIN_SPAN != 0,
                domain,
                "{b}"
            );
        }
    }

    /// The part-by-part e-mail check the one-pass one replaced.
    fn email_valid_reference(s: &[u8]) -> bool {
        if s.len() > 254 {
            return false;
        }
        let Some(at) = s.iter().position(|&b| b == b'@') else {
            return false;
        };
        let (local, domain) = (&s[..at], &s[at + 1..]);
        if !(1..=64).contains(&local.len())
            || local[0] == b'.'
            || local[local.len() - 1] == b'.'
            || local.windows(2).any(|w| w == b"..")
            || !local.iter().all(|&b| {
                b == b'.' || b.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&b)
            })
        {
            return false;
        }
        let mut labels = 0usize;
        let mut last: &[u8] = &[];
        for label in domain.split(|&b| b == b'.') {
            if !dns_label_ok(label) {
                return false;
            }
            labels += 1;
            last = label;
        }
        if labels < 2 {
            return false;
        }
        let punycode = last.len() > 4 && last[..4].eq_ignore_ascii_case(b"xn--");
        punycode || ((2..=24).contains(&last.len()) && last.iter().all(u8::is_ascii_alphabetic))
    }

    /// Domain labels at and around the 63-byte limit, in every position.
    #[test]
    fn long_domain_labels_match_reference() {
        for n in 60..=66 {
            let l = "a".repeat(n);
            for addr in [
                format!("x@{l}.com"),
                format!("x@mail.{l}.org"),
                format!("x@mail.{l}"),
                format!("x@-{l}.com"),
                format!("x@{l}-.com"),
            ] {
                let a = addr.as_bytes();
                assert_eq!(email_valid(a), email_valid_reference(a), "{addr}");
            }
        }
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    // ---------------------------------------------------------------- Luhn

    /// The branch-free SSN rule is the plain one: every area, the group
    /// and serial bounds, the sample numbers and their neighbours.
    #[test]
    fn ssn_rule_matches_plain_statement() {
        let plain = |s: &[u8]| {
            s.len() == 9
                && s.iter().all(u8::is_ascii_digit)
                && !matches!(digits_value(&s[0..3]), 0 | 666 | 900..)
                && digits_value(&s[3..5]) != 0
                && digits_value(&s[5..9]) != 0
                && !matches!(s, b"078051120" | b"219099999" | b"457555462" | b"123456789")
        };
        let mut values = vec![];
        for area in 0..1000 {
            for group in [0, 1, 5, 9, 10, 55, 99] {
                for serial in [0, 1, 1120, 9999, 5462, 6789] {
                    values.push(format!("{area:03}{group:02}{serial:04}"));
                }
            }
        }
        for s in ["078051120", "219099999", "457555462", "123456789"] {
            for k in 0..9 {
                for b in [b'0', b'9', b'a', b'/', b':'] {
                    let mut v = s.as_bytes().to_vec();
                    v[k] = b;
                    values.push(String::from_utf8(v).unwrap());
                }
            }
        }
        values.extend(["", "12345678", "1234567890", "078-05-1120"].map(String::from));
        for v in &values {
            assert_eq!(ssn_valid(v.as_bytes()), plain(v.as_bytes()), "{v}");
        }
    }

    /// The branch-free NANP rule is the plain one over every area code,
    /// the exchange and line bounds and the fictional 555 block.
    #[test]
    fn nanp_rule_matches_plain_statement() {
        let plain = |d: &[u8]| {
            d.len() == 10
                && d.iter().all(u8::is_ascii_digit)
                && d[0] >= b'2'
                && !(d[1] == b'1' && d[2] == b'1')
                && d[1] != b'9'
                && !(d[0] == b'3' && d[1] == b'7')
                && !(d[0] == b'9' && d[1] == b'6')
                && d[3] >= b'2'
                && !(d[4] == b'1' && d[5] == b'1')
                && !(&d[3..6] == b"555" && (100..=199).contains(&digits_value(&d[6..10])))
        };
        for area in 0..1000 {
            for exch in [0, 1, 100, 111, 199, 200, 211, 311, 554, 555, 556, 911, 999] {
                for line in [0, 99, 100, 101, 150, 199, 200, 1000, 1100, 1199, 9999] {
                    let v = format!("{area:03}{exch:03}{line:04}");
                    assert_eq!(nanp_valid(v.as_bytes()), plain(v.as_bytes()), "{v}");
                }
            }
        }
        for v in ["", "212555012", "21255501234", "212-555-0123", "2125550a23"] {
            assert_eq!(nanp_valid(v.as_bytes()), plain(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn lanes_between_every_byte_in_every_lane() {
        for (lo, hi) in [
            (b'0', b'9'),
            (b'a', b'z'),
            (b'A', b'Z'),
            (b'.', b'.'),
            (1, 0x7f),
        ] {
            for b in 0..=255u8 {
                for lane in 0..8 {
                    // The other lanes hold the range's neighbours.
                    let mut w = [lo - 1; 8];
                    w[(lane + 1) % 8] = hi.wrapping_add(1);
                    w[lane] = b;
                    let got = lanes_between(u64::from_le_bytes(w), lo, hi);
                    for (k, &x) in w.iter().enumerate() {
                        let want = (lo..=hi).contains(&x);
                        assert_eq!(got >> (8 * k) & 0xff == 0x80, want, "{lo} {hi} {x} {k}");
                    }
                    assert_eq!(got & !(0x80 * 0x0101_0101_0101_0101), 0);
                }
            }
        }
    }

    #[test]
    fn all_digits_every_byte_everywhere() {
        for len in 1..=20 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut v = vec![b'7'; len];
                    v[at] = b;
                    assert_eq!(all_digits(&v), b.is_ascii_digit(), "{len} {at} {b:#x}");
                }
            }
        }
        assert!(!all_digits(b""));
    }

    #[test]
    fn luhn_table() {
        for ok in [
            "0",
            "18",
            "79927398713",
            "4111111111111111",
            "0000000000000000",
        ] {
            assert!(luhn_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "1",
            "79927398710",
            "4111111111111112",
            "4111-1111",
            "41111a11",
        ] {
            assert!(!luhn_valid(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn luhn_check_digit_table() {
        assert_eq!(luhn_check_digit(b"7992739871"), b'3');
        assert_eq!(luhn_check_digit(b"411111111111111"), b'1');
        assert_eq!(luhn_check_digit(b"4111 1111 1111 111"), b'1');
        assert_eq!(luhn_check_digit(b""), b'0');
        assert_eq!(luhn_check_digit(b"80840123456789"), b'3');
    }

    // --------------------------------------------------------------- cards

    #[test]
    fn card_positives_every_brand_and_length() {
        use CardBrand::*;
        let cases: &[(&str, CardBrand)] = &[
            // Visa 13 / 16 / 19 (4222222222222 and 4917610000000000003 are
            // processor test PANs).
            ("4222222222222", Visa),
            ("4000000000006", Visa),
            ("4111111111111111", Visa),
            ("4012888888881881", Visa),
            ("4242424242424242", Visa),
            ("4000056655665556", Visa),
            ("4917610000000000003", Visa),
            ("4000000000000000006", Visa),
            // Mastercard 51-55 and the 2-series 2221-2720.
            ("5555555555554444", Mastercard),
            ("5105105105105100", Mastercard),
            ("5200828282828210", Mastercard),
            ("5100000000000008", Mastercard),
            ("5500000000000004", Mastercard),
            ("2221000000000009", Mastercard),
            ("2223003122003222", Mastercard),
            ("2222400070000005", Mastercard),
            ("2720992720992729", Mastercard),
            ("2720000000000005", Mastercard),
            // Amex 15.
            ("378282246310005", Amex),
            ("371449635398431", Amex),
            ("378734493671000", Amex),
            // Diners 14 and 16+.
            ("30569309025904", DinersClub),
            ("38520000023237", DinersClub),
            ("36227206271667", DinersClub),
            ("36006666333344", DinersClub),
            ("3056930009020004", DinersClub),
            ("30950000000000", DinersClub),
            ("30950000000000007", DinersClub),
            // Discover 16-19.
            ("6011111111111117", Discover),
            ("6011000990139424", Discover),
            ("6011981111111113", Discover),
            ("6011601160116611", Discover),
            ("64412345678901239", Discover),
            ("6011000000000000001", Discover),
            // JCB 3528-3589, 16-19.
            ("3530111333300000", Jcb),
            ("3566002020360505", Jcb),
            ("3566111111111113", Jcb),
            ("3569990010095841", Jcb),
            ("3528000000000007", Jcb),
            ("3589000000000003", Jcb),
            ("352800000000000007", Jcb),
            // UnionPay 16-19.
            ("6200000000000005", UnionPay),
            ("6200000000000047", UnionPay),
            ("6243030000000001", UnionPay),
            ("621234567890123457", UnionPay),
            ("6205500000000000004", UnionPay),
            ("6212345678901234569", UnionPay),
            // Maestro 12-19.
            ("501800000009", Maestro),
            ("676770000005", Maestro),
            ("5020000000003", Maestro),
            ("6304000000000000", Maestro),
            ("6759649826438453", Maestro),
            ("5893000000000009", Maestro),
            ("50380000000000005", Maestro),
            ("67630000000000007", Maestro),
            ("6767740000000000003", Maestro),
            // Mir 16-19.
            ("2201382000000013", Mir),
            ("2200000000000000004", Mir),
            // RuPay 16.
            ("6521500000000006", RuPay),
            ("6070000000000002", RuPay),
            ("5085000000000007", RuPay),
            ("8100000000000002", RuPay),
            ("8200000000000001", RuPay),
            // Verve 16/18/19.
            ("5060990000000008", Verve),
            ("506099000000000008", Verve),
            ("507865000000000008", Verve),
            ("650027000000000001", Verve),
            ("5060990580000217499", Verve),
            // Troy 16.
            ("9792030394440796", Troy),
            ("9792000000000003", Troy),
        ];
        for &(pan, brand) in cases {
            assert_eq!(card_brand(pan.as_bytes()), Some(brand), "{pan}");
            assert!(card_valid(pan.as_bytes()), "{pan}");
        }
    }

    #[test]
    fn card_negatives() {
        for bad in [
            "4111111111111112",     // check digit off by one
            "4111111111111110",     // check digit off by one
            "411111111111111",      // Visa has no 15-digit PANs
            "41111111111111111",    // nor 17
            "5555555555554445",     // bad Luhn
            "2220990000000007",     // just below the 2-series
            "2721000000000004",     // just above the 2-series
            "555555555555444",      // Mastercard is 16 only
            "37828224631000",       // Amex 14
            "3782822463100005",     // Amex 16
            "3527000000000008",     // below JCB range
            "3590000000000002",     // above JCB range
            "50180000009",          // 11 digits
            "41111111111111111111", // 20 digits
            "1234567812345670",     // no scheme at 1
            "7000000000000003",     // no scheme at 7
            "0000000000000000",     // Luhn-valid placeholder
            "4444444444444448",     // repeated body
            "5555555555555557",     // repeated body
            "",
            "4111 1111 1111 1111",
        ] {
            assert!(!card_valid(bad.as_bytes()), "{bad}");
        }
        assert_eq!(card_brand(b"4111111111111112"), Some(CardBrand::Visa));
        assert_eq!(card_brand(b"411111111111111"), None);
    }

    #[test]
    fn pow10_table_equals_powi() {
        for d in 0..=450u32 {
            assert_eq!(
                pow10_neg(d).to_bits(),
                10f64.powi(-(d.min(400) as i32)).to_bits(),
                "{d}"
            );
        }
    }

    /// The brand as the table reads plainly: the first row whose prefix of
    /// its own width and whose lengths match.
    fn brand_by_row_prefixes(d: &[u8]) -> Option<CardBrand> {
        IIN_TABLE
            .iter()
            .find(|r| {
                let w = usize::from(r.width);
                (r.lo..=r.hi).contains(&digits_value(&d[..w])) && r.lengths & (1 << d.len()) != 0
            })
            .map(|r| r.brand)
    }

    /// At each row's edges (its first and last prefix, and the prefixes
    /// just outside), padded with zeros and with nines to every PAN length,
    /// the brand is the first row whose prefix of its own width and whose
    /// lengths match: the widened ranges lose no edge.
    #[test]
    fn card_brand_at_every_rows_edges() {
        let mut tried = 0;
        for r in IIN_TABLE {
            let w = usize::from(r.width);
            for p in [r.lo.checked_sub(1), Some(r.lo), Some(r.hi), Some(r.hi + 1)]
                .into_iter()
                .flatten()
            {
                let head = format!("{p:0w$}");
                if head.len() != w {
                    continue;
                }
                for len in 12..=19 {
                    for fill in ['0', '9'] {
                        let pan: String = head
                            .chars()
                            .chain(std::iter::repeat(fill))
                            .take(len)
                            .collect();
                        assert_eq!(
                            card_brand(pan.as_bytes()),
                            brand_by_row_prefixes(pan.as_bytes()),
                            "{pan}"
                        );
                        tried += 1;
                    }
                }
            }
        }
        assert!(tried > 500, "{tried}");
    }

    #[test]
    fn card_brand_names_are_distinct() {
        use CardBrand::*;
        let all = [
            Visa, Mastercard, Amex, Discover, Jcb, DinersClub, UnionPay, Maestro, Mir, RuPay,
            Verve, Troy,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(!a.name().is_empty());
            for b in &all[i + 1..] {
                assert_ne!(a.name(), b.name());
            }
        }
        assert_eq!(Amex.name(), "American Express");
    }

    // ----------------------------------------------------------- SSN/ITIN

    #[test]
    fn ssn_table() {
        for ok in [
            "001010001",
            "123456788",
            "665999999",
            "667010001",
            "899999999",
            "772101234",
        ] {
            assert!(ssn_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "000123456", // area 000
            "666123456", // area 666
            "900123456", // 9xx
            "999999999",
            "912701234", // ITIN space
            "987654321", // advertising block
            "987654329",
            "123001234", // group 00
            "123450000", // serial 0000
            "078051120", // Woolworth
            "219099999", // SSA pamphlet
            "457555462", // LifeLock
            "123456789", // sample
            "12345678",
            "1234567890",
            "12345678a",
            "",
        ] {
            assert!(!ssn_valid(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn itin_table() {
        for ok in [
            "912501234",
            "900650000",
            "970701234",
            "999881234",
            "912901234",
            "912921234",
        ] {
            assert!(itin_valid(ok.as_bytes()), "{ok}");
        }
        for ok in ["912941234", "912991234"] {
            assert!(itin_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "912491234",
            "912661234",
            "912691234",
            "912891234",
            "912931234",
            "987654320",
            "987654329",
            "999999999",
            "812701234",
            "91270123",
            "9127012345",
            "91270123x",
        ] {
            assert!(!itin_valid(bad.as_bytes()), "{bad}");
        }
    }

    // ----------------------------------------------------------------- ABA

    #[test]
    fn aba_table() {
        for ok in [
            "011000015", // Federal Reserve Bank of Boston
            "021000021", // JPMorgan Chase NY
            "026009593", // Bank of America NY
            "111000025", // Federal Reserve Bank of Dallas
            "322271627", // Chase CA (thrift range)
        ] {
            assert!(aba_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "021000022", // check digit off by one
            "000000000", // placeholder
            "130000006", // prefix 13 not assigned (sum ok)
            "400000008", // prefix 40 not assigned (sum ok)
            "02100002",
            "0210000210",
            "02100002a",
        ] {
            assert!(!aba_valid(bad.as_bytes()), "{bad}");
        }
    }

    // ----------------------------------------------------- IMEI / ICCID

    #[test]
    fn imei_table() {
        for ok in ["490154203237518", "356938035643809", "352099001761481"] {
            assert!(imei_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "490154203237519",
            "49015420323751",
            "000000000000000",
            "4901542032375180",
        ] {
            assert!(!imei_valid(bad.as_bytes()), "{bad}");
        }
        assert!(imeisv_shape(b"4901542032375101"));
        assert!(!imeisv_shape(b"490154203237510"));
        assert!(!imeisv_shape(b"49015420323751x1"));
    }

    #[test]
    fn iccid_table() {
        for ok in ["8944500102198304826", "89014103211118510720"] {
            assert!(iccid_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "8944500102198304827",   // bad check
            "89014103211118510721",  // bad check
            "7944500102198304826",   // not 89
            "894450010219830482",    // 18 digits
            "894450010219830482600", // 21 digits
        ] {
            assert!(!iccid_valid(bad.as_bytes()), "{bad}");
        }
    }

    // ---------------------------------------------------------------- IBAN

    const REGISTRY_EXAMPLES: &[&str] = &[
        "AD1200012030200359100100",
        "AE070331234567890123456",
        "AL47212110090000000235698741",
        "AT611904300234573201",
        "BE68539007547034",
        "BR1800360305000010009795493C1",
        "CH9300762011623852957",
        "DE89370400440532013000",
        "DK5000400440116243",
        "ES9121000418450200051332",
        "FI2112345600000785",
        "FR1420041010050500013M02606",
        "GB29NWBK60161331926819",
        "GR1601101250000000012300695",
        "IE29AIBK93115212345678",
        "IT60X0542811101000000123456",
        "KW81CBKU0000000000001234560101",
        "LC55HEMM000100010012001200023015",
        "MT84MALT011000012345MTLCAST001S",
        "NL91ABNA0417164300",
        "NO9386011117947",
        "PL61109010140000071219812874",
        "QA58DOHB00001234567890ABCDEFG",
        "RU0304452522540817810538091310419",
        "SA0380000000608010167519",
        "SC18SSCB11010000000000001497USD",
        "UA213223130000026007233566001",
        "XK051212012345678906",
    ];

    #[test]
    fn iban_registry_examples() {
        for iban in REGISTRY_EXAMPLES {
            assert!(iban_valid(iban.as_bytes()), "{iban}");
        }
    }

    #[test]
    fn iban_negatives() {
        for bad in [
            "DE89370400440532013001",   // check broken
            "DE88370400440532013000",   // check digits off by one
            "DE8937040044053201300",    // too short for DE
            "DE893704004405320130000",  // too long for DE
            "GB29NWBK6016133192681",    // too short for GB
            "US12345678901234567890",   // no IBAN in the US
            "XX89370400440532013000",   // unknown country
            "de89370400440532013000",   // lowercase
            "GB29 NWBK 6016 1331 9268", // spaces
            "DEAB370400440532013000",   // letters in check digits
            "GB29nwbk60161331926819",   // lowercase BBAN
            "",
            "DE",
        ] {
            assert!(!iban_valid(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn iban_forbidden_check_digits() {
        // 00/01/99 are congruent to 97/98/02 mod 97 but outside ISO 13616's
        // 02..=98, so they must be refused even though the remainder is 1.
        let mut found = 0;
        for n in 0u32..10_000 {
            let mut bban = *b"370400440532010000";
            let mut x = n;
            for slot in bban[14..].iter_mut().rev() {
                *slot = b'0' + (x % 10) as u8;
                x /= 10;
            }
            let cd = iban_check_digits(b"DE", &bban).unwrap();
            let alt = match &cd {
                b"97" => *b"00",
                b"98" => *b"01",
                b"02" => *b"99",
                _ => continue,
            };
            let mut iban = [0u8; 22];
            iban[..2].copy_from_slice(b"DE");
            iban[2..4].copy_from_slice(&cd);
            iban[4..].copy_from_slice(&bban);
            assert!(iban_valid(&iban));
            iban[2..4].copy_from_slice(&alt);
            assert!(!iban_valid(&iban));
            found += 1;
        }
        assert!(found > 100);
    }

    #[test]
    fn iban_check_digits_table() {
        assert_eq!(
            iban_check_digits(b"DE", b"370400440532013000"),
            Some(*b"89")
        );
        assert_eq!(
            iban_check_digits(b"GB", b"NWBK60161331926819"),
            Some(*b"29")
        );
        assert_eq!(iban_check_digits(b"NL", b"ABNA0417164300"), Some(*b"91"));
        assert_eq!(iban_check_digits(b"de", b"370400440532013000"), None);
        assert_eq!(iban_check_digits(b"DE", b""), None);
        assert_eq!(iban_check_digits(b"DE", b"3704 0044"), None);
        assert_eq!(iban_length(b"DE"), Some(22));
        assert_eq!(iban_length(b"US"), None);
    }

    // ---------------------------------------------------------------- NANP

    #[test]
    fn nanp_table() {
        for ok in [
            "2025551234",
            "2125550200",
            "8005551212",
            "4155550099",
            "6175552368",
            "3105550300",
            "9494561234",
            "2342345678",
        ] {
            assert!(nanp_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "1025551234",  // area starts with 1
            "0125551234",  // area starts with 0
            "9115551234",  // N11 area
            "4115551234",  // N11 area
            "2925551234",  // N9X expansion
            "3725551234",  // 37X reserved
            "9645551234",  // 96X reserved
            "2021234567",  // exchange starts with 1
            "2020234567",  // exchange starts with 0
            "2024111234",  // N11 exchange
            "2125550100",  // fictional 555-01XX
            "2125550199",  // fictional 555-01XX
            "12025551234", // leading 1 not stripped
            "202555123",
            "202555123x",
        ] {
            assert!(!nanp_valid(bad.as_bytes()), "{bad}");
        }
    }

    // --------------------------------------------------------------- email

    #[test]
    fn email_table() {
        let long_tld_ok = format!("a@b.{}", "a".repeat(24));
        let long_local_ok = format!("{}@example.com", "a".repeat(64));
        for ok in [
            "john.doe@example.com",
            "a@b.co",
            "user+tag@sub.example.co.uk",
            "o'brien@example.ie",
            "x_y-z!#$%&*/=?^`{|}~@example.org",
            "first.last@xn--80ak6aa92e.xn--p1ai",
            "me@my-host.example",
            "ME@EXAMPLE.COM",
            long_tld_ok.as_str(),
            long_local_ok.as_str(),
        ] {
            assert!(email_valid(ok.as_bytes()), "{ok}");
        }
        let long_local = format!("{}@example.com", "a".repeat(65));
        let long_label = format!("a@{}.com", "b".repeat(64));
        let long_total = format!(
            "a@{}.com",
            std::iter::repeat_n("c".repeat(60), 5)
                .collect::<Vec<_>>()
                .join(".")
        );
        let long_tld = format!("a@b.{}", "a".repeat(25));
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            ".a@example.com",
            "a.@example.com",
            "a..b@example.com",
            "a@b",
            "a@b.c",
            "a@b.c0m",
            "a@-b.com",
            "a@b-.com",
            "a@b..com",
            "a@.b.com",
            "a@b.com.",
            "a@@b.com",
            "a@b@c.com",
            "a b@c.com",
            "a@b_c.com",
            "\"a\"@b.com",
            "a@[1.2.3.4]",
            "a@1.2",
            "a@b.xn--",
            long_local.as_str(),
            long_label.as_str(),
            long_total.as_str(),
            long_tld.as_str(),
        ] {
            assert!(!email_valid(bad.as_bytes()), "{bad}");
        }
    }

    // ------------------------------------------------------------------ IP

    /// The dotted quad one byte at a time, as first written: `ipv4_valid`
    /// must answer as it does.
    fn ipv4_valid_plain(s: &[u8]) -> bool {
        let octet_ok = |len: u32, value: u32, first: u8| {
            (1..=3).contains(&len) && value <= 255 && !(len > 1 && first == b'0')
        };
        let (mut dots, mut len, mut value, mut first) = (0u32, 0u32, 0u32, 0u8);
        for &b in s {
            if b == b'.' {
                if dots == 3 || !octet_ok(len, value, first) {
                    return false;
                }
                dots += 1;
                (len, value) = (0, 0);
            } else if b.is_ascii_digit() {
                if len == 0 {
                    first = b;
                }
                len += 1;
                if len > 3 {
                    return false;
                }
                value = value * 10 + u32::from(b - b'0');
            } else {
                return false;
            }
        }
        dots == 3 && octet_ok(len, value, first)
    }

    #[test]
    fn ipv4_table() {
        for ok in [
            "0.0.0.0",
            "1.2.3.4",
            "255.255.255.255",
            "192.168.0.1",
            "10.0.0.10",
        ] {
            assert!(ipv4_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.04",
            "01.2.3.4",
            "1..3.4",
            "1.2.3.",
            ".1.2.3",
            "1.2.3.4 ",
            "a.b.c.d",
            "1234.1.1.1",
            "-1.2.3.4",
        ] {
            assert!(!ipv4_valid(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn ipv6_table() {
        for ok in [
            "::",
            "::1",
            "1::",
            "2001:db8::1",
            "2001:0db8:0000:0000:0000:ff00:0042:8329",
            "2001:DB8:0:0:8:800:200C:417A",
            "fe80::1:2:3:4",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "::ffff:192.0.2.128",
            "::192.0.2.128",
            "64:ff9b::192.0.2.33",
            "1::2:3:4:5:6:7",
        ] {
            assert!(ipv6_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            ":",
            ":::",
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":1::",
            "::1:",
            "1:2:3:4:5:6:7:8::",
            "1:2:3:4:5:6:7::8",
            "12345::",
            "g::1",
            "fe80::1%eth0",
            "::1.2.3",
            "::1.2.3.04",
            "1.2.3.4::",
            "1:2:3:4:5:6:7:1.2.3.4",
            "::1.2.3.4:1",
            "1:2:3:4:5:1.2.3.4",
            "[::1]",
        ] {
            assert!(!ipv6_valid(bad.as_bytes()), "{bad}");
        }
    }

    // ----------------------------------------------------------------- MAC

    #[test]
    fn mac_table() {
        for ok in [
            "00:1A:2b:3C:4d:5E",
            "00-1a-2b-3c-4d-5e",
            "001a.2b3c.4d5e",
            "FF:FF:FF:FF:FF:FE",
        ] {
            assert!(mac_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "00:00:00:00:00:00",
            "ff:ff:ff:ff:ff:ff",
            "FF-FF-FF-FF-FF-FF",
            "0000.0000.0000",
            "ffff.FFFF.ffff",
            "00:1a-2b:3c:4d:5e",
            "00:1a:2b:3c:4d",
            "00:1a:2b:3c:4d:5g",
            "001a2b3c4d5e",
            "001a:2b3c:4d5e",
            "00.1a.2b.3c.4d.5e",
        ] {
            assert!(!mac_valid(bad.as_bytes()), "{bad}");
        }
    }

    // ------------------------------------------------------- MBI / ids

    #[test]
    fn mbi_table() {
        for ok in ["1EG4TE5MK73", "1eg4te5mk73", "9AA0AA0AA00", "1A00A00AA99"] {
            assert!(mbi_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "0EG4TE5MK73",  // position 1 must be 1-9
            "1SG4TE5MK73",  // S excluded
            "1EL4TE5MK73",  // L excluded
            "1EG4OE5MK73",  // O excluded
            "1EG4TE5IK73",  // I excluded
            "1EG4TE5MB73",  // B excluded
            "1EG4TZ5MK73",  // Z excluded
            "1E94TE5MK7A",  // position 11 numeric
            "1EGATE5MK73",  // position 4 numeric
            "1EG4TE5MK7",   // short
            "1EG4TE5MK733", // long
            "1EG4-TE5-MK73",
        ] {
            assert!(!mbi_valid(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn passport_alien_table() {
        for ok in ["123456789", "A12345678", "z98765432"] {
            assert!(us_passport_shape(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "12345678",
            "1234567890",
            "AB1234567",
            "A1234567",
            "000000000",
            "A00000000",
        ] {
            assert!(!us_passport_shape(bad.as_bytes()), "{bad}");
        }
        for ok in [
            "A12345678",
            "A123456789",
            "12345678",
            "123456789",
            "a123456789",
        ] {
            assert!(alien_number_shape(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "A1234567",
            "A1234567890",
            "B12345678",
            "AA12345678",
            "A",
            "",
        ] {
            assert!(!alien_number_shape(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn npi_table() {
        for ok in ["1234567893", "1245319599", "1003000126"] {
            assert!(npi_valid(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "1234567890",
            "1234567894",
            "3234567899", // prefix-Luhn valid but NPIs start with 1 or 2
            "9234567896", // likewise
            "123456789",
            "12345678931",
        ] {
            assert!(!npi_valid(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn ndc_table() {
        for ok in [
            "0002-7510-01",
            "50090-347-02",
            "00006-0277-1",
            "00006-0277-01",
            "00006027701",
        ] {
            assert!(ndc_shape(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "0002751001",     // 10 digits undashed: ambiguous
            "000-7510-01",    // 3-4-2
            "00006-02771-01", // 5-5-2
            "00006-0277",     // two segments
            "0000-0000-00",   // placeholder
            "00000000000",
            "00006-0277-01-1",
            "0002-751a-01",
            "",
        ] {
            assert!(!ndc_shape(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn icd10_table() {
        for ok in [
            "E11", "E11.9", "E119", "S72.001A", "S72001A", "U07.1", "Z3A.01", "j45.909",
            "QA0.0159", "QA0",
        ] {
            assert!(icd10cm_shape(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "E1",
            "11.9",
            "EEE.9",
            "QAA",
            "E11.",
            "E11.12345",
            "E1112345",
            "E11-9",
            "E11..9",
        ] {
            assert!(!icd10cm_shape(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn drivers_license_table() {
        for ok in [
            "A1234567",            // CA
            "D12345678901",        // FL
            "S12345678901",        // IL 1+11
            "123456789",           // many states
            "12345678",            // PA
            "AB12345",             // OH
            "ABC123456",           // ND
            "1234567A",            // ME/VT
            "12345678AB",          // MO
            "A123456R",            // MO
            "AB123456C",           // ID
            "123AB4567",           // IA
            "12ABC34567",          // NH
            "K1L2M",               // KS
            "WDLAB12CD345",        // WA 2018+
            "SMITHJ*123AB",        // WA before 2018
            "A123456789012345678", // NY 1+18
        ] {
            assert!(drivers_license_shape(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "",
            "123",
            "A0000000",
            "00000000",
            "ABCDEFGH",
            "AB",
            "ABCD123",
            "A1B2C3D4E5",
            "1234567890123456789",
            "A12-34567",
            "12345678901234567",
        ] {
            assert!(!drivers_license_shape(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn geohash_centres() {
        let (lat, lon) = geohash_center(b"dr5regw").unwrap();
        assert!(
            (lat - 40.7128).abs() < 0.01 && (lon + 74.006).abs() < 0.01,
            "{lat},{lon}"
        );
        assert!(geohash_center(b"dr5rega").is_none());
    }

    // ------------------------------------------------------------- location

    #[test]
    fn geohash_cells() {
        // 5 chars = 25 bits: 13 lon, 12 lat -> 0.0439 deg each side.
        let (ns, ew) = geohash_cell_m(b"u4pru").unwrap();
        assert!(close(ns, 180.0 / 4096.0 * M_PER_DEG, 1e-6), "{ns}");
        let centre = 57.63f64;
        assert!(close(
            ew,
            360.0 / 8192.0 * M_PER_DEG * centre.to_radians().cos(),
            30.0
        ));
        let (ns1, ew1) = geohash_cell_m(b"s").unwrap();
        assert!(close(ns1, 45.0 * M_PER_DEG, 1e-6));
        // "s" covers lat 0..45, centre 22.5; lon 0..45.
        assert!(close(
            ew1,
            45.0 * M_PER_DEG * 22.5f64.to_radians().cos(),
            1e-3
        ));
        let (ns12, ew12) = geohash_cell_m(b"u4pruydqqvjw").unwrap();
        assert!(ns12 < 0.2 && ew12 < 0.4);
        for bad in [
            &b""[..],
            b"u4pruydqqvjwx",
            b"u4pra",
            b"U4PRU",
            b"u4 pr",
            b"i",
            b"l",
            b"o",
        ] {
            assert!(geohash_cell_m(bad).is_none(), "{bad:?}");
        }
        // 6 chars (~1.2 km x 0.6 km) is not precise, 7 (~153 m) is.
        let (ns6, _) = geohash_cell_m(b"dr5reg").unwrap();
        assert!(ns6 > 500.0 && ns6 < 700.0);
    }

    #[test]
    fn coord_cells_and_precision() {
        let (ns, ew) = coord_cell_m(0.0, 2, 2);
        assert!(close(ns, 1113.2, 1e-6) && close(ew, 1113.2, 1e-6));
        assert!(!coord_is_precise(0.0, 2, 2));
        assert!(coord_is_precise(0.0, 3, 3));
        assert!(!coord_is_precise(40.0, 2, 3)); // NS side is 1.1 km
        assert_eq!(
            coord_is_precise(40.0, 3, 2),
            1113.2 * 40f64.to_radians().cos() <= 1000.0
        );
        assert!(coord_is_precise(60.0, 3, 2)); // 2-decimal lon at 60 deg is 557 m
        assert!(!coord_is_precise(0.0, 0, 6));
        assert!(coord_is_precise(89.9, 6, 0)); // EW cell collapses near the pole
        assert!(!coord_is_precise(f64::NAN, 6, 6));
        let (ns_big, _) = coord_cell_m(0.0, u32::MAX, 0);
        assert_eq!(ns_big, 0.0);
        let (_, ew_south) = coord_cell_m(-45.0, 3, 3);
        assert!(close(ew_south, 111.32 * 45f64.to_radians().cos(), 1e-9));
    }

    #[test]
    fn decimal_degree_table() {
        let d = parse_decimal_degree(b"-73.98570").unwrap();
        assert_eq!(d.decimals, 5);
        assert!(close(d.value, -73.9857, 1e-12));
        assert_eq!(parse_decimal_degree(b"+40.7").map(|d| d.decimals), Some(1));
        assert_eq!(
            parse_decimal_degree(b"40"),
            Some(Decimal {
                value: 40.0,
                decimals: 0
            })
        );
        for bad in [
            "", "-", "+", ".5", "5.", "-.5", "1e5", "1.5e3", "1.2.3", "--1", "+-1", " 1", "1 ",
            "inf", "NaN", "0x10", "1,5",
        ] {
            assert!(parse_decimal_degree(bad.as_bytes()).is_none(), "{bad}");
        }
        // Sixteen digits, past 2^53: the word path (at most fifteen) must
        // leave it to a full parse, whose rounding one division misses.
        let d = parse_decimal_degree(b"90782541.79105733").unwrap();
        assert_eq!(d.value, "90782541.79105733".parse::<f64>().unwrap());
        let huge = "9".repeat(400);
        assert!(parse_decimal_degree(huge.as_bytes()).is_none());
    }

    #[test]
    fn dms_table() {
        let v = 40.0 + 26.0 / 60.0 + 46.0 / 3600.0;
        let sec = 1.0 / 3600.0;
        let cases: &[(&str, f64, f64)] = &[
            ("40°26'46\"N", v, sec),
            (
                "40°26'46.3\"N",
                40.0 + 26.0 / 60.0 + 46.3 / 3600.0,
                sec / 10.0,
            ),
            (
                "40°26'46.35\"N",
                40.0 + 26.0 / 60.0 + 46.35 / 3600.0,
                sec / 100.0,
            ),
            ("40 26 46 N", v, sec),
            ("40 26 46N", v, sec),
            ("40d26m46sN", v, sec),
            ("40D26M46SN", v, sec),
            ("40° 26′ 46″ S", -v, sec),
            ("40º26’46”S", -v, sec),
            ("40°26'46''W", -v, sec),
            ("79°58'56\"W", -(79.0 + 58.0 / 60.0 + 56.0 / 3600.0), sec),
            ("N 40°26'46\"", v, sec),
            ("S40 26 46", -v, sec),
            ("40 26 46 S", -v, sec),
            ("N40°26'46S", v, sec),
            ("40°26'N", 40.0 + 26.0 / 60.0, 1.0 / 60.0),
            ("40°26.767'N", 40.0 + 26.767 / 60.0, 1.0 / 60.0 / 1000.0),
            ("40°N", 40.0, 1.0),
            ("40.5°N", 40.5, 0.1),
            ("179°59'59\"E", 179.0 + 59.0 / 60.0 + 59.0 / 3600.0, sec),
            ("90°N", 90.0, 1.0),
            ("180°W", -180.0, 1.0),
            ("0°0'0\"E", 0.0, sec),
            ("40°26'46\"n", v, sec),
            ("40°26'46\"s", -v, sec),
            ("40 26 46s", -v, sec),
            ("40d26m46sn", v, sec),
            ("40d26m46ss", -v, sec),
            ("w 79°58'56\"", -(79.0 + 58.0 / 60.0 + 56.0 / 3600.0), sec),
        ];
        for &(s, want, cell) in cases {
            let (got, got_cell) = parse_dms(s.as_bytes()).unwrap_or_else(|| panic!("{s}"));
            assert!(close(got, want, 1e-9), "{s}: {got} vs {want}");
            assert!(
                close(got_cell, cell, 1e-12),
                "{s}: cell {got_cell} vs {cell}"
            );
        }
        for bad in [
            "",
            "N",
            "40°26'46\"",      // no hemisphere
            "40 26 46",        // no hemisphere
            "40°60'00\"N",     // minutes >= 60
            "40°26'60\"N",     // seconds >= 60
            "91°00'00\"N",     // latitude > 90
            "90°00'01\"N",     // latitude > 90
            "181°00'00\"E",    // longitude > 180
            "40°26.5'46\"N",   // decimals before the last unit
            "40'26°46\"N",     // markers out of order
            "40°26'46\"NN",    // two hemispheres
            "N40°26'46\"S",    // two hemispheres
            "40°26'46\"X",     // bad hemisphere
            "40°26'46\"q",     // not a hemisphere
            "40°26'46\"sN",    // seconds mark after a seconds mark
            "4000°26'46\"N",   // too many degree digits
            "40°260'46\"N",    // too many minute digits
            "40°26'46\"12N",   // fourth number
            "-40°26'46\"N",    // sign plus hemisphere
            "40°26'46\"N ext", // trailing junk
            "40.°N",
            "°26'46\"N",
            "40 26 46 1 N",
        ] {
            assert!(parse_dms(bad.as_bytes()).is_none(), "{bad}");
        }
    }

    #[test]
    fn lat_lon_ranges() {
        assert!(lat_valid(90.0) && lat_valid(-90.0) && lat_valid(0.0));
        assert!(!lat_valid(90.000001) && !lat_valid(f64::NAN) && !lat_valid(f64::INFINITY));
        assert!(lon_valid(180.0) && lon_valid(-180.0));
        assert!(!lon_valid(-180.1) && !lon_valid(f64::NAN));
    }

    #[test]
    fn state_and_zip() {
        for ok in [
            "CA", "ny", "Dc", "PR", "GU", "VI", "AS", "MP", "AA", "AE", "AP", "WY", "AK",
        ] {
            assert!(is_us_state_code(ok.as_bytes()), "{ok}");
        }
        for bad in ["", "C", "CAL", "XX", "FM", "MH", "PW", "UK", "ZZ", "C1"] {
            assert!(!is_us_state_code(bad.as_bytes()), "{bad}");
        }
        for ok in ["02134", "90210", "20500-0003", "00501"] {
            assert!(zip_shape(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "00000",
            "00000-1234",
            "1234",
            "123456",
            "12345-678",
            "123456789",
            "12345 6789",
        ] {
            assert!(!zip_shape(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn state_code_count_is_59() {
        let mut n = 0;
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                n += usize::from(is_us_state_code(&[a, b]));
            }
        }
        assert_eq!(n, 50 + 1 + 5 + 3);
    }

    #[test]
    fn iban_registry_has_89_countries() {
        let mut n = 0;
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                if let Some(len) = iban_length(&[a, b]) {
                    assert!((15..=34).contains(&len));
                    n += 1;
                }
            }
        }
        assert_eq!(n, 89);
    }

    // ------------------------------------------------------------ proptest

    fn digit_vec(min: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
        proptest::collection::vec(b'0'..=b'9', min..=max)
    }

    /// Uppercase-alphanumeric BBAN of the registry length for a random
    /// registry country.
    fn registry_iban() -> impl Strategy<Value = Vec<u8>> {
        let countries: Vec<[u8; 2]> = (b'A'..=b'Z')
            .flat_map(|a| (b'A'..=b'Z').map(move |b| [a, b]))
            .filter(|c| iban_length(c).is_some())
            .collect();
        proptest::sample::select(countries).prop_flat_map(|c| {
            let n = iban_length(&c).unwrap() - 4;
            let chars = proptest::sample::select(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".to_vec());
            proptest::collection::vec(chars, n).prop_map(move |bban| {
                let cd = iban_check_digits(&c, &bban).unwrap();
                let mut v = c.to_vec();
                v.extend_from_slice(&cd);
                v.extend_from_slice(&bban);
                v
            })
        })
    }

    /// The IIN scan reads prefixes of at most eight digits.
    #[test]
    fn iin_widths_fit_the_prefix_table() {
        assert!(IIN_TABLE.iter().all(|r| (1..=8).contains(&r.width)));
    }

    /// MOD 97-10 one byte at a time, as the standard states it.
    fn mod97_plain(parts: &[&[u8]]) -> Option<u32> {
        let mut rem = 0u32;
        for part in parts {
            for &b in *part {
                rem = match b {
                    b'0'..=b'9' => (rem * 10 + u32::from(b - b'0')) % 97,
                    b'A'..=b'Z' => (rem * 100 + u32::from(b - b'A') + 10) % 97,
                    _ => return None,
                };
            }
        }
        Some(rem)
    }

    /// What `parse_decimal_degree` must answer for `v`, from `str`: for
    /// `[+-]?digits[.digits]`, a full parse's bits (when finite) and the
    /// decimals written; for anything else, nothing.
    fn plain_decimal(v: &str) -> Option<(u64, u32)> {
        let body = v.strip_prefix(['+', '-']).unwrap_or(v);
        let (int, frac) = body
            .split_once('.')
            .map_or((body, None), |(i, f)| (i, Some(f)));
        let plain = !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
        let value: f64 = v.parse().ok().filter(|_| plain)?;
        value
            .is_finite()
            .then(|| (value.to_bits(), frac.map_or(0, str::len) as u32))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// The folded remainder is the byte-at-a-time one, over any split
        /// into parts and any bytes (digits, capitals, a letter's worst case
        /// `Z` in long runs, bytes no IBAN holds, and the bytes beside the
        /// digits that a word's digit test must refuse).
        #[test]
        fn mod97_folds_as_the_plain_remainder(
            a in "[0-9A-Z]{0,40}|[9Z]{0,40}|[0-9A-Za-z -]{0,40}|[0-9]{0,12}[/:;?@0-9]{0,3}[0-9]{0,12}",
            b in "[0-9A-Z]{0,6}",
        ) {
            let parts = [a.as_bytes(), b.as_bytes()];
            prop_assert_eq!(mod97(parts), mod97_plain(&parts));
        }

        /// Eight digits as one number, as the digit-by-digit sum.
        #[test]
        fn eight_digits_is_the_digit_sum(d in "[0-9]{8}") {
            let want = d.bytes().fold(0u32, |a, b| a * 10 + u32::from(b - b'0'));
            prop_assert_eq!(eight_digits(d.as_bytes().try_into().unwrap()), want);
        }

        /// Brands as the plain per-row computation finds them, for numbers
        /// starting with every scheme's leading digits.
        #[test]
        fn card_brand_matches_per_row_prefixes(
            lead in prop_oneof![Just(""), Just("4"), Just("5"), Just("2"), Just("3"), Just("6"), Just("9"), Just("50"), Just("62"), Just("65")],
            rest in "[0-9]{12,19}",
        ) {
            let n: String = format!("{lead}{rest}").chars().take(19).collect();
            let d = n.as_bytes();
            prop_assert_eq!(card_brand(d), brand_by_row_prefixes(d));
        }

        /// The one-division fast path gives the bits a full parse gives.
        #[test]
        fn decimal_degrees_parse_like_str_parse(v in "[+-]?[0-9]{1,12}(\\.[0-9]{1,14})?") {
            let d = parse_decimal_degree(v.as_bytes()).unwrap();
            let want: f64 = v.parse().unwrap();
            prop_assert_eq!(d.value.to_bits(), want.to_bits(), "{}", v);
        }

        /// Any string (signs, dots, letters, long runs): accepted exactly
        /// when it is `[+-]?digits[.digits]`, with the bits of a full parse
        /// and the decimals written.
        #[test]
        fn decimal_degrees_accept_only_plain_decimals(v in "[+-]?[0-9.a+-]{0,24}") {
            prop_assert_eq!(
                parse_decimal_degree(v.as_bytes()).map(|d| (d.value.to_bits(), d.decimals)),
                plain_decimal(&v),
                "{}", v
            );
        }

        /// The word read of a coordinate's decimals, at every length it
        /// takes and around it, with the bytes next to the digits (`/`,
        /// `:`) and runs too long for a word: accepted exactly when the
        /// value is a plain decimal, with a full parse's bits.
        #[test]
        fn decimal_digits_as_a_word_parse_like_str_parse(
            v in "[+-]?[0-9]{1,7}\\.[0-9]{0,8}[:/]?[0-9]{0,3}|[1-9][0-9]{5,9}\\.[0-9]{6,8}|[+-]?[0-9]{0,22}[.]?[0-9.+a/:-]{0,10}"
        ) {
            prop_assert_eq!(
                parse_decimal_degree(v.as_bytes()).map(|d| (d.value.to_bits(), d.decimals)),
                plain_decimal(&v),
                "{}", v
            );
        }

        /// The one-pass e-mail check agrees with the part-by-part one.
        #[test]
        fn email_valid_matches_reference(v in "[a-z0-9.@_+-]{0,20}(@[a-z0-9.-]{0,12}(\\.[a-z]{0,5})?)?|[ -~]{0,40}") {
            prop_assert_eq!(email_valid(v.as_bytes()), email_valid_reference(v.as_bytes()), "{}", v);
        }

        /// Eight bytes at a time, a run of one byte (with at most one other
        /// byte anywhere in it) is what a byte loop says it is.
        #[test]
        fn all_same_matches_byte_loop(
            b in proptest::num::u8::ANY,
            len in 0usize..40,
            other in proptest::option::of((0usize..40, proptest::num::u8::ANY)),
        ) {
            let mut v = vec![b; len];
            if let Some((at, o)) = other && len > 0 {
                v[at % len] = o;
            }
            prop_assert_eq!(all_same(&v), !v.is_empty() && v.iter().all(|&x| x == v[0]));
        }

        /// Eight bytes at a time, digits are what a byte loop says they are.
        #[test]
        fn all_digits_matches_byte_loop(
            v in proptest::collection::vec(
                proptest::prop_oneof![b'0'..=b'9', b'0'..=b'9', proptest::num::u8::ANY],
                0..40,
            )
        ) {
            prop_assert_eq!(all_digits(&v), !v.is_empty() && v.iter().all(u8::is_ascii_digit));
        }

        /// Numbers of the lengths read as words (9 to 24 digits), with a
        /// byte changed anywhere to any value: the plain weighted sum.
        #[test]
        fn luhn_words_match_weighted_sum(
            n in digit_vec(9, 24),
            change in proptest::option::of((0usize..24, proptest::num::u8::ANY)),
        ) {
            let mut n = n;
            if let Some((at, b)) = change {
                let at = at % n.len();
                n[at] = b;
            }
            let want = all_digits(&n) && luhn_sum(&n, false).is_multiple_of(10);
            prop_assert_eq!(luhn_valid(&n), want, "{:?}", String::from_utf8_lossy(&n));
        }

        /// The pairwise table Luhn agrees with the plain weighted sum.
        #[test]
        fn luhn_valid_matches_weighted_sum(n in "[0-9]{0,24}|[0-9 a-]{0,24}") {
            let b = n.as_bytes();
            let want = all_digits(b) && luhn_sum(b, false).is_multiple_of(10);
            prop_assert_eq!(luhn_valid(b), want, "{}", n);
        }

        #[test]
        fn luhn_appended_check_digit_validates(body in digit_vec(0, 30)) {
            let mut n = body.clone();
            n.push(luhn_check_digit(&body));
            prop_assert!(luhn_valid(&n));
        }

        #[test]
        fn luhn_detects_every_single_digit_change(
            body in digit_vec(1, 25),
            pos in any::<prop::sample::Index>(),
            delta in 1u8..=9,
        ) {
            let mut n = body.clone();
            n.push(luhn_check_digit(&body));
            let i = pos.index(n.len());
            n[i] = b'0' + (n[i] - b'0' + delta) % 10;
            prop_assert!(!luhn_valid(&n));
        }

        #[test]
        fn luhn_check_digit_ignores_separators(body in digit_vec(0, 20), at in any::<prop::sample::Index>()) {
            let mut spaced = body.clone();
            spaced.insert(at.index(body.len() + 1), b' ');
            prop_assert_eq!(luhn_check_digit(&spaced), luhn_check_digit(&body));
        }

        #[test]
        fn card_valid_implies_brand_and_luhn(n in digit_vec(12, 19)) {
            if card_valid(&n) {
                prop_assert!(card_brand(&n).is_some());
                prop_assert!(luhn_valid(&n));
            }
        }

        #[test]
        fn visa_with_check_digit_is_valid(body in digit_vec(14, 14)) {
            let mut n = vec![b'4'];
            n.extend_from_slice(&body);
            if all_same(&n) {
                return Ok(());
            }
            n.push(luhn_check_digit(&n));
            prop_assert_eq!(card_brand(&n), Some(CardBrand::Visa));
            prop_assert!(card_valid(&n));
        }

        #[test]
        fn ssn_never_accepts_reserved_areas(
            area in prop_oneof![Just(0u32), Just(666u32), 900u32..=999],
            group in 0u32..=99,
            serial in 0u32..=9999,
        ) {
            let s = format!("{area:03}{group:02}{serial:04}");
            prop_assert!(!ssn_valid(s.as_bytes()));
        }

        #[test]
        fn ssn_never_accepts_zero_group_or_serial(area in 0u32..=999, group in 0u32..=99, serial in 0u32..=9999) {
            let g0 = format!("{area:03}00{serial:04}");
            let s0 = format!("{area:03}{group:02}0000");
            prop_assert!(!ssn_valid(g0.as_bytes()));
            prop_assert!(!ssn_valid(s0.as_bytes()));
        }

        #[test]
        fn ssn_and_itin_are_disjoint(n in digit_vec(9, 9)) {
            prop_assert!(!(ssn_valid(&n) && itin_valid(&n)));
        }

        #[test]
        fn iban_computed_check_digits_validate(iban in registry_iban()) {
            prop_assert!(iban_valid(&iban), "{}", String::from_utf8_lossy(&iban));
        }

        #[test]
        fn iban_single_substitution_fails(
            iban in registry_iban(),
            pos in any::<prop::sample::Index>(),
            delta in 1u8..=25,
        ) {
            let mut bad = iban.clone();
            let i = pos.index(bad.len());
            // Same-class substitution: a digit for another digit, a letter
            // for another letter, so the change is a nonzero multiple
            // (< 97) of a power of 10, which mod 97 always detects.
            bad[i] = if bad[i].is_ascii_digit() {
                b'0' + (bad[i] - b'0' + delta % 9 + 1) % 10
            } else {
                b'A' + (bad[i] - b'A' + delta) % 26
            };
            prop_assert_ne!(&bad, &iban);
            prop_assert!(!iban_valid(&bad), "{}", String::from_utf8_lossy(&bad));
        }

        #[test]
        fn npi_with_prefix_check_digit_validates(first in b'1'..=b'2', rest in digit_vec(8, 8)) {
            let mut prefixed = b"80840".to_vec();
            prefixed.push(first);
            prefixed.extend_from_slice(&rest);
            let cd = luhn_check_digit(&prefixed);
            let mut npi = vec![first];
            npi.extend_from_slice(&rest);
            npi.push(cd);
            prop_assert!(npi_valid(&npi));
            npi[9] = b'0' + (cd - b'0' + 1) % 10;
            prop_assert!(!npi_valid(&npi));
        }

        #[test]
        fn imei_with_check_digit_validates(body in digit_vec(14, 14)) {
            let mut n = body.clone();
            n.push(luhn_check_digit(&body));
            prop_assert_eq!(imei_valid(&n), !all_same(&n));
        }

        #[test]
        fn ipv4_matches_std(a: u8, b: u8, c: u8, d: u8) {
            let s = Ipv4Addr::new(a, b, c, d).to_string();
            prop_assert!(ipv4_valid(s.as_bytes()));
        }

        /// The word-wise check answers as the byte loop, on dotted quads
        /// and near misses (octets past 255, leading zeros, an empty or a
        /// long octet, a byte of any value in any place) of every length.
        #[test]
        fn ipv4_answers_as_the_byte_loop(
            s in "[0-9]{0,4}(\\.[0-9]{0,4}){0,4}",
            change in proptest::option::of((0usize..20, proptest::num::u8::ANY)),
        ) {
            let mut s = s.into_bytes();
            if let Some((at, b)) = change && !s.is_empty() {
                let at = at % s.len();
                s[at] = b;
            }
            prop_assert_eq!(ipv4_valid(&s), ipv4_valid_plain(&s), "{:?}", String::from_utf8_lossy(&s));
        }

        #[test]
        fn ipv4_agrees_with_std_on_noise(s in "[0-9.]{0,17}|[0-9.a +:-]{0,17}") {
            prop_assert_eq!(ipv4_valid(s.as_bytes()), s.parse::<Ipv4Addr>().is_ok(), "{}", s);
        }

        #[test]
        fn ipv6_accepts_std_display(segs: [u16; 8]) {
            let addr = Ipv6Addr::from(segs);
            let s = addr.to_string();
            prop_assert!(ipv6_valid(s.as_bytes()), "{}", s);
            let full = format!(
                "{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}:{:x}",
                segs[0], segs[1], segs[2], segs[3], segs[4], segs[5], segs[6], segs[7]
            );
            prop_assert!(ipv6_valid(full.as_bytes()));
        }

        #[test]
        fn ipv6_agrees_with_std_on_noise(s in "[0-9a-fA-F:.]{0,45}") {
            prop_assert_eq!(ipv6_valid(s.as_bytes()), s.parse::<Ipv6Addr>().is_ok(), "{}", s);
        }

        #[test]
        fn ipv6_agrees_with_std_on_structured(
            groups in proptest::collection::vec("[0-9a-f]{1,4}", 0..9),
            gap in any::<prop::sample::Index>(),
            use_gap: bool,
            v4 in proptest::option::of(any::<[u8; 4]>()),
        ) {
            let mut parts: Vec<String> = groups;
            if let Some(o) = v4 {
                parts.push(Ipv4Addr::from(o).to_string());
            }
            let s = if use_gap {
                let g = gap.index(parts.len() + 1);
                format!("{}::{}", parts[..g].join(":"), parts[g..].join(":"))
            } else {
                parts.join(":")
            };
            prop_assert_eq!(ipv6_valid(s.as_bytes()), s.parse::<Ipv6Addr>().is_ok(), "{}", s);
        }

        #[test]
        fn geohash_cells_shrink_with_length(s in "[0-9b-hjkmnp-z]{1,12}") {
            let (ns, ew) = geohash_cell_m(s.as_bytes()).unwrap();
            prop_assert!(ns > 0.0 && ew >= 0.0);
            if s.len() > 1 {
                let (pns, pew) = geohash_cell_m(&s.as_bytes()[..s.len() - 1]).unwrap();
                prop_assert!(ns < pns);
                prop_assert!(ew < pew);
            }
        }

        #[test]
        fn decimal_degree_roundtrip(int in 0u32..=180, frac in digit_vec(0, 10), neg: bool) {
            let mut s = String::new();
            if neg { s.push('-'); }
            s.push_str(&int.to_string());
            if !frac.is_empty() {
                s.push('.');
                s.push_str(std::str::from_utf8(&frac).unwrap());
            }
            let d = parse_decimal_degree(s.as_bytes()).unwrap();
            prop_assert_eq!(d.decimals as usize, frac.len());
            prop_assert!(close(d.value.abs(), s.trim_start_matches('-').parse::<f64>().unwrap(), 0.0));
        }

        #[test]
        fn dms_roundtrip(d in 0u32..=89, m in 0u32..=59, sec in 0u32..=59, south: bool) {
            let s = format!("{d}°{m:02}'{sec:02}\"{}", if south { 'S' } else { 'N' });
            let (v, cell) = parse_dms(s.as_bytes()).unwrap();
            let want = f64::from(d) + f64::from(m) / 60.0 + f64::from(sec) / 3600.0;
            let signed = if south { -want } else { want };
            prop_assert!(close(v, signed, 1e-9));
            prop_assert!(close(cell, 1.0 / 3600.0, 1e-15));
        }

        #[test]
        fn dms_rejects_minutes_or_seconds_over_59(d in 0u32..=89, m in 0u32..=99, sec in 0u32..=99) {
            prop_assume!(m >= 60 || sec >= 60);
            let s = format!("{d} {m} {sec} N");
            prop_assert!(parse_dms(s.as_bytes()).is_none());
        }

        #[test]
        fn precise_iff_max_cell_side_within_1km(lat in -90.0f64..=90.0, ld in 0u32..8, od in 0u32..8) {
            let (ns, ew) = coord_cell_m(lat, ld, od);
            prop_assert_eq!(coord_is_precise(lat, ld, od), ns <= 1000.0 && ew <= 1000.0);
            if ld <= 2 {
                prop_assert!(!coord_is_precise(lat, ld, od));
            }
            if ld >= 3 && od >= 3 {
                prop_assert!(coord_is_precise(lat, ld, od));
            }
        }

        #[test]
        fn no_function_panics_on_arbitrary_bytes(s in proptest::collection::vec(any::<u8>(), 0..64)) {
            exercise_all(&s);
        }

        #[test]
        fn no_function_panics_on_near_miss_text(s in "[0-9A-Za-z .:@'\"°º′″’”+-]{0,48}") {
            exercise_all(s.as_bytes());
        }

        #[test]
        fn coord_functions_never_panic(lat: f64, ld: u32, od: u32, v: f64) {
            let _ = coord_cell_m(lat, ld, od);
            let _ = coord_is_precise(lat, ld, od);
            let _ = lat_valid(v);
            let _ = lon_valid(v);
        }
    }

    fn exercise_all(s: &[u8]) {
        let _ = luhn_valid(s);
        let _ = luhn_check_digit(s);
        if let Some(b) = card_brand(s) {
            let _ = b.name();
        }
        let _ = card_valid(s);
        let _ = ssn_valid(s);
        let _ = itin_valid(s);
        let _ = aba_valid(s);
        let _ = imei_valid(s);
        let _ = imeisv_shape(s);
        let _ = iccid_valid(s);
        let _ = iban_valid(s);
        let _ = iban_length(s);
        if s.len() >= 2 {
            let _ = iban_check_digits(&[s[0], s[1]], &s[2..]);
        }
        let _ = nanp_valid(s);
        let _ = email_valid(s);
        let _ = ipv4_valid(s);
        let _ = ipv6_valid(s);
        let _ = mac_valid(s);
        let _ = mbi_valid(s);
        let _ = us_passport_shape(s);
        let _ = alien_number_shape(s);
        let _ = npi_valid(s);
        let _ = ndc_shape(s);
        let _ = icd10cm_shape(s);
        let _ = geohash_cell_m(s);
        let _ = parse_decimal_degree(s);
        let _ = parse_dms(s);
        let _ = is_us_state_code(s);
        let _ = zip_shape(s);
    }
}
