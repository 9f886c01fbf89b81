//! Field ends in delimited text, found 64 bytes at a time.
//!
//! A dense CSV row is twenty short fields: searching for each field's end
//! with `memchr2` set up a vector search per field and paid it back over a
//! dozen bytes. Instead one SIMD pass classifies a 64-byte block into a
//! bit mask of delimiter and newline positions, and the fields of that
//! block are read off the mask with a trailing-zero count each.
//!
//! AVX2 is used when the CPU has it (checked once at run time), SSE2
//! otherwise on x86-64, and a portable loop elsewhere. All three are checked
//! against the plain loop in the tests below.

/// Finds the next delimiter or newline at or after a position, reusing
/// the mask of the 64-byte block it last classified.
#[derive(Clone)]
pub(crate) struct FieldEnds<'a> {
    data: &'a [u8],
    delim: u8,
    /// Start of the block `mask` describes (`usize::MAX`: none yet).
    base: usize,
    mask: u64,
    kernel: Kernel,
}

#[derive(Clone, Copy)]
enum Kernel {
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Sse2,
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    Portable,
}

fn kernel() -> Kernel {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            return Kernel::Avx2;
        }
        // Every x86-64 CPU has SSE2.
        return Kernel::Sse2;
    }
    #[allow(unreachable_code)]
    Kernel::Portable
}

impl<'a> FieldEnds<'a> {
    pub(crate) fn new(data: &'a [u8], delim: u8) -> Self {
        Self::with_kernel(data, delim, kernel())
    }

    /// A field finder for each kernel this CPU can run, for tests of
    /// callers whose paths differ by kernel.
    #[cfg(test)]
    pub(crate) fn every_kernel(data: &'a [u8], delim: u8) -> Vec<Self> {
        tests::kernels()
            .into_iter()
            .map(|k| Self::with_kernel(data, delim, k))
            .collect()
    }

    fn with_kernel(data: &'a [u8], delim: u8, kernel: Kernel) -> Self {
        FieldEnds {
            data,
            delim,
            base: usize::MAX,
            mask: 0,
            kernel,
        }
    }

    /// The first delimiter or `\n` at or after `p`, or the data's length.
    // Always inlined: it runs once per field, and as a call its prologue
    // cost as much as the mask lookup.
    #[inline(always)]
    pub(crate) fn next(&mut self, p: usize) -> usize {
        // The common case, the next field's end in the block already
        // classified: one subtraction, shift and bit count. (Bits past the
        // data's end are clear, and `mask` is empty until a block is
        // loaded, so anything else goes the slow way.)
        let off = p.wrapping_sub(self.base);
        if off < 64 {
            let m = self.mask >> off;
            if m != 0 {
                return p + m.trailing_zeros() as usize;
            }
        }
        self.next_slow(p)
    }

    /// `next` past the block classified last: the blocks from `p`'s on,
    /// until one has a delimiter or newline at or after `p`.
    #[inline(always)]
    fn next_slow(&mut self, p: usize) -> usize {
        let n = self.data.len();
        if p >= n {
            return n;
        }
        let mut base = p & !63;
        // In the block classified last, `next` saw nothing at or after `p`.
        let mut m = 0;
        if base != self.base {
            self.load(base);
            m = self.mask & (!0u64 << (p - base));
        }
        loop {
            if m != 0 {
                return base + m.trailing_zeros() as usize;
            }
            base += 64;
            if base >= n {
                return n;
            }
            self.load(base);
            m = self.mask;
        }
    }

    #[inline(never)]
    fn load(&mut self, base: usize) {
        self.base = base;
        self.mask = self.block_mask(base);
    }

    /// Whether `block_mask` uses AVX2: a caller compiled for AVX2 may
    /// then classify whole blocks inline (`mask_avx2_at`).
    pub(crate) fn avx2(&self) -> bool {
        #[cfg(target_arch = "x86_64")]
        if matches!(self.kernel, Kernel::Avx2) {
            return true;
        }
        false
    }

    /// Bit i set where `data[base + i]` is the delimiter or `\n`; bits
    /// past the data's end clear. For a loop that keeps its own block and
    /// mask in registers (`csv::plain_rows`).
    #[inline(never)]
    pub(crate) fn block_mask(&self, base: usize) -> u64 {
        let block = &self.data[base..self.data.len().min(base + 64)];
        if block.len() == 64 {
            match self.kernel {
                #[cfg(target_arch = "x86_64")]
                Kernel::Avx2 => {
                    // SAFETY: the kernel is chosen only when the CPU has
                    // AVX2.
                    unsafe { x86::mask_avx2(block, self.delim) }
                }
                #[cfg(target_arch = "x86_64")]
                Kernel::Sse2 => x86::mask_sse2(block, self.delim),
                Kernel::Portable => portable(block, self.delim),
            }
        } else {
            portable(block, self.delim)
        }
    }
}

/// The mask `FieldEnds::block_mask` gives for a whole block of 64 bytes,
/// inline in a caller compiled for AVX2 (which holds the data and the
/// delimiter itself: `FieldEnds`'s copies cost it registers).
///
/// # Safety
/// The CPU must support AVX2.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
pub(crate) unsafe fn mask_avx2_block(block: &[u8; 64], delim: u8) -> u64 {
    // SAFETY: the caller's.
    unsafe { x86::mask_avx2(block, delim) }
}

fn portable(block: &[u8], delim: u8) -> u64 {
    let mut m = 0u64;
    for (i, &b) in block.iter().enumerate() {
        m |= ((b == delim || b == b'\n') as u64) << i;
    }
    m
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// Bit i set where `block[i]` is `delim` or `\n`.
    ///
    /// # Safety
    /// The CPU must support AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn mask_avx2(block: &[u8], delim: u8) -> u64 {
        assert!(block.len() >= 64);
        let p = block.as_ptr();
        // SAFETY: 64 readable bytes (caller), unaligned loads.
        unsafe {
            let d = _mm256_set1_epi8(delim as i8);
            let nl = _mm256_set1_epi8(b'\n' as i8);
            let lo = _mm256_loadu_si256(p as *const __m256i);
            let hi = _mm256_loadu_si256(p.add(32) as *const __m256i);
            let mlo = _mm256_or_si256(_mm256_cmpeq_epi8(lo, d), _mm256_cmpeq_epi8(lo, nl));
            let mhi = _mm256_or_si256(_mm256_cmpeq_epi8(hi, d), _mm256_cmpeq_epi8(hi, nl));
            let a = _mm256_movemask_epi8(mlo) as u32 as u64;
            let b = _mm256_movemask_epi8(mhi) as u32 as u64;
            a | (b << 32)
        }
    }

    /// As [`mask_avx2`], 16 bytes at a time (SSE2 is part of x86-64).
    pub(super) fn mask_sse2(block: &[u8], delim: u8) -> u64 {
        assert!(block.len() >= 64);
        let p = block.as_ptr();
        let mut m = 0u64;
        // SAFETY: SSE2 is baseline on x86-64; 64 readable bytes (asserted),
        // unaligned loads.
        unsafe {
            let d = _mm_set1_epi8(delim as i8);
            let nl = _mm_set1_epi8(b'\n' as i8);
            for k in 0..4 {
                let x = _mm_loadu_si128(p.add(16 * k) as *const __m128i);
                let eq = _mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, nl));
                m |= (_mm_movemask_epi8(eq) as u16 as u64) << (16 * k);
            }
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(data: &[u8], delim: u8, p: usize) -> usize {
        data[p.min(data.len())..]
            .iter()
            .position(|&b| b == delim || b == b'\n')
            .map_or(data.len(), |k| p + k)
    }

    pub(super) fn kernels() -> Vec<Kernel> {
        let mut k = vec![Kernel::Portable];
        #[cfg(target_arch = "x86_64")]
        k.push(Kernel::Sse2);
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            k.push(Kernel::Avx2);
        }
        k
    }

    #[test]
    fn every_position_of_a_table_of_inputs() {
        let cases: &[&[u8]] = &[
            b"",
            b",",
            b"\n",
            b"abc",
            b"a,b\nc",
            &[b'x'; 200],
            &[b','; 130],
        ];
        for &data in cases {
            for k in kernels() {
                let mut f = FieldEnds::with_kernel(data, b',', k);
                for p in 0..=data.len() + 1 {
                    assert_eq!(f.next(p), reference(data, b',', p), "{data:?} at {p}");
                }
            }
        }
    }

    proptest! {
        /// Any data, any delimiter, positions visited forward and backward.
        #[test]
        fn agrees_with_a_plain_loop(
            data in proptest::collection::vec(prop_oneof![
                Just(b','), Just(b'\n'), Just(b'\t'), Just(b'a'), Just(0xffu8), any::<u8>()
            ], 0..400),
            delim in prop_oneof![Just(b','), Just(b'\t'), Just(b'|'), Just(b';')],
            probes in proptest::collection::vec(0usize..420, 1..40),
        ) {
            for k in kernels() {
                let mut f = FieldEnds::with_kernel(&data, delim, k);
                for &p in &probes {
                    prop_assert_eq!(f.next(p), reference(&data, delim, p));
                }
                // A forward walk field by field, as the parser does.
                let mut p = 0;
                while p < data.len() {
                    let e = f.next(p);
                    prop_assert_eq!(e, reference(&data, delim, p));
                    p = e + 1;
                }
            }
        }
    }
}
