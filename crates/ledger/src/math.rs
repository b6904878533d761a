//! The shape of RFC 9162 trees: where they split, which perfect subtrees make up a range, which
//! ranges a proof is made of and how many hashes a proof has. No hashing happens here.

use crate::hash::{node_hash, Hash};

/// The RFC's split point of a tree of `n >= 2` leaves: the largest power of two smaller than `n`.
pub(crate) fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// Leaves `start..end` of a tree, as the RFC's recursion cuts them. **Invariant** (relied on by
/// [`Range::subtrees`]): `start` is a multiple of the smallest power of two `>= end - start`. It holds
/// for `0..size` and is kept by every split: the left part `start..start+k` has length `k` and the
/// right part starts at `start + k`, a multiple of `k`, with length at most `k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Range {
    pub start: u64,
    pub end: u64,
}

/// A perfect subtree: the `2^level` leaves starting at `index << level`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Subtree {
    pub level: u8,
    pub index: u64,
}

impl Range {
    /// The perfect subtrees that make up the range, left to right, largest first. Its hash is
    /// theirs folded from the right (`fold_right`): the RFC splits off the largest power of two,
    /// which is the first subtree, and recurses into the rest.
    pub fn subtrees(self) -> impl Iterator<Item = Subtree> {
        let Range { mut start, end } = self;
        std::iter::from_fn(move || {
            if start >= end {
                return None;
            }
            let level = 63 - (end - start).leading_zeros();
            let subtree = Subtree { level: level as u8, index: start >> level };
            start += 1 << level;
            Some(subtree)
        })
    }
}

/// `h0` for one hash, `node(h0, node(h1, ... node(hn-1, hn)))` for more; `None` for none.
pub(crate) fn fold_right(hashes: &[Hash]) -> Option<Hash> {
    let (last, rest) = hashes.split_last()?;
    Some(rest.iter().rev().fold(*last, |right, left| node_hash(left, &right)))
}

/// The ranges whose hashes form the inclusion proof of leaf `index` in a tree of `size` leaves,
/// in proof order (the leaf's sibling first, the root's other child last). Needs `index < size`.
///
/// RFC 9162 §2.1.3.1: `PATH(m, D[n])` recurses into the half holding `m` and appends the hash of
/// the other half; walking down from the root and reversing gives the same order.
pub(crate) fn inclusion_ranges(index: u64, size: u64) -> Vec<Range> {
    let (mut start, mut end) = (0, size);
    let mut ranges = Vec::with_capacity(64);
    while end - start > 1 {
        let mid = start + split(end - start);
        if index < mid {
            ranges.push(Range { start: mid, end });
            end = mid;
        } else {
            ranges.push(Range { start, end: mid });
            start = mid;
        }
    }
    ranges.reverse();
    ranges
}

/// The ranges whose hashes form the consistency proof from `old` leaves to `new` leaves, in proof
/// order. Needs `0 < old <= new`; `old == new` gives no ranges.
///
/// RFC 9162 §2.1.4.1: `SUBPROOF(m, D[n], b)`. `whole` is the RFC's `b`: the old tree is still a
/// whole left part of the current range, so the verifier knows its hash and it is left out.
/// `old > start` holds throughout, so the loop ends at `old == end` at the latest when one leaf
/// remains, and `split` always sees at least two leaves.
pub(crate) fn consistency_ranges(old: u64, new: u64) -> Vec<Range> {
    let (mut start, mut end) = (0, new);
    let mut whole = true;
    let mut ranges = Vec::with_capacity(64);
    loop {
        if old == end {
            if !whole {
                ranges.push(Range { start, end });
            }
            break;
        }
        let mid = start + split(end - start);
        if old <= mid {
            ranges.push(Range { start: mid, end });
            end = mid;
        } else {
            ranges.push(Range { start, end: mid });
            start = mid;
            whole = false;
        }
    }
    ranges.reverse();
    ranges
}

/// Number of bits needed to write `x` (0 for 0).
fn bit_len(x: u64) -> u32 {
    64 - x.leading_zeros()
}

/// The length of every inclusion proof of leaf `index` in a tree of `size` leaves (`index < size`).
///
/// Below the level where the paths to `index` and to the last leaf part, every level contributes a
/// sibling; above it the leaf is on the tree's right border, where a level contributes a sibling
/// exactly when `index` has a 1 bit there (a complete left subtree).
pub(crate) fn inclusion_proof_len(index: u64, size: u64) -> usize {
    let inner = bit_len(index ^ (size - 1));
    let border = index.checked_shr(inner).unwrap_or(0).count_ones();
    (inner + border) as usize
}

/// The length of every consistency proof from `old` to `new` leaves (`0 < old < new`): the inclusion
/// proof of the old tree's last leaf in the new tree, less the levels inside the old tree's
/// rightmost perfect subtree (`trailing_zeros(old)` of them), plus that subtree's own hash unless
/// it is the whole old tree (the verifier has it then: `old` is a power of two).
pub(crate) fn consistency_proof_len(old: u64, new: u64) -> usize {
    let last = old - 1;
    let inner = bit_len(last ^ (new - 1));
    let border = last.checked_shr(inner).unwrap_or(0).count_ones();
    // `inner > trailing_zeros(old)` when old < new; saturating keeps hostile input harmless anyway.
    let inner = inner.saturating_sub(old.trailing_zeros());
    (inner + border + u32::from(!old.is_power_of_two())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_the_largest_power_of_two_below() {
        for (n, k) in [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (u64::MAX, 1 << 63), ((1 << 63) + 1, 1 << 63)] {
            assert_eq!(split(n), k, "split({n})");
        }
    }

    /// How many hashes RFC 9162 §2.1.3.2 consumes before `sn` reaches 0: the trajectory of `fn` and
    /// `sn` depends on the index and size only, so counting it gives the one acceptable length.
    fn rfc_inclusion_steps(index: u64, size: u64) -> usize {
        let (mut f, mut s, mut steps) = (index, size - 1, 0);
        while s != 0 {
            if f & 1 == 0 && f == s {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
            f >>= 1;
            s >>= 1;
            steps += 1;
        }
        steps
    }

    /// The same for §2.1.4.2, plus the leading hash of the old tree's rightmost perfect subtree.
    fn rfc_consistency_steps(old: u64, new: u64) -> usize {
        let (mut f, mut s) = (old - 1, new - 1);
        while f & 1 == 1 {
            f >>= 1;
            s >>= 1;
        }
        let mut steps = usize::from(!old.is_power_of_two());
        while s != 0 {
            if f & 1 == 1 || f == s {
                while f & 1 == 0 && f != 0 {
                    f >>= 1;
                    s >>= 1;
                }
            }
            f >>= 1;
            s >>= 1;
            steps += 1;
        }
        steps
    }

    #[test]
    fn proof_lengths_match_the_rfc_algorithms_everywhere() {
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            // xorshift64*: plenty for spreading sizes over every bit length.
            rng ^= rng >> 12;
            rng ^= rng << 25;
            rng ^= rng >> 27;
            rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        let mut sizes: Vec<u64> = (1..=64).collect();
        sizes.extend([u64::MAX, u64::MAX - 1, 1 << 63, (1 << 63) - 1, (1 << 63) + 1, 1 << 32, (1 << 32) + 1]);
        for _ in 0..20_000 {
            sizes.push(next() >> (next() % 64));
        }
        for &size in sizes.iter().filter(|&&s| s > 0) {
            for index in [0, 1, size / 2, size - 2, size - 1, next() % size] {
                if index < size {
                    assert_eq!(inclusion_proof_len(index, size), rfc_inclusion_steps(index, size), "{index} of {size}");
                }
            }
            for old in [1, 2, size / 2, size - 1, next() % size, (next() % size) | 1] {
                if 0 < old && old < size {
                    assert_eq!(consistency_proof_len(old, size), rfc_consistency_steps(old, size), "{old} to {size}");
                }
            }
        }
        assert_eq!(inclusion_proof_len(0, u64::MAX), 64);
        assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), 63);
    }

    #[test]
    fn subtrees_of_a_range() {
        let got: Vec<_> = Range { start: 0, end: 13 }.subtrees().map(|s| (s.level, s.index)).collect();
        assert_eq!(got, [(3, 0), (2, 2), (0, 12)]);
        let got: Vec<_> = Range { start: 8, end: 11 }.subtrees().map(|s| (s.level, s.index)).collect();
        assert_eq!(got, [(1, 4), (0, 10)]);
        assert_eq!(Range { start: 4, end: 4 }.subtrees().count(), 0);
    }

    #[test]
    fn ranges_of_small_proofs() {
        let r = |s, e| Range { start: s, end: e };
        // RFC 9162 §2.1.5's example tree of seven leaves d0..d6, in its names: leaves a, b, c, d (d0..d3),
        // e, f (d4, d5); g = a+b, h = c+d, i = e+f, j = d6, k = g+h, l = i+j.
        // The inclusion proof of d3 is [c, g, l], of d4 [f, j, k], of d6 [i, k]...
        assert_eq!(inclusion_ranges(3, 7), [r(2, 3), r(0, 2), r(4, 7)]);
        assert_eq!(inclusion_ranges(4, 7), [r(5, 6), r(6, 7), r(0, 4)]);
        assert_eq!(inclusion_ranges(6, 7), [r(4, 6), r(0, 4)]);
        // ... and the consistency proofs from sizes 3, 4 and 6 are [c, d, g, l], [l] and [i, j, k].
        assert_eq!(consistency_ranges(3, 7), [r(2, 3), r(3, 4), r(0, 2), r(4, 7)]);
        assert_eq!(consistency_ranges(4, 7), [r(4, 7)]);
        assert_eq!(consistency_ranges(6, 7), [r(4, 6), r(6, 7), r(0, 4)]);
        assert!(consistency_ranges(5, 5).is_empty());
        assert!(inclusion_ranges(0, 1).is_empty());
    }
}
