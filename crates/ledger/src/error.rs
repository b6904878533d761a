//! Why a tree hash, a proof or the stored hashes of a leaf could not be produced.

use std::convert::Infallible;
use std::fmt;

use crate::MAX_TREE_SIZE;

/// Why a tree hash, a proof or the stored hashes of a leaf could not be produced. `E` is the
/// [`HashReader`](crate::HashReader)'s error; computations on leaves in memory cannot fail to
/// read and use the default, [`Infallible`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TreeError<E = Infallible> {
    /// No leaf `index` in a tree of `size` leaves (`index >= size`).
    IndexOutOfRange { index: u64, size: u64 },
    /// No consistency proof exists from `old_size` to `new_size`: it needs `0 < old_size <= new_size`.
    InvalidSizes { old_size: u64, new_size: u64 },
    /// The tree would have more than [`MAX_TREE_SIZE`] leaves.
    TooLarge { size: u64 },
    /// A reader, or a caller restoring a [`Frontier`](crate::Frontier), supplied `got` hashes
    /// where `want` were needed.
    WrongHashCount { want: usize, got: usize },
    /// The reader failed.
    Read(E),
}

impl<E: fmt::Display> fmt::Display for TreeError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TreeError::IndexOutOfRange { index, size } => {
                write!(f, "leaf index {index} is out of range for a tree of size {size}")
            }
            TreeError::InvalidSizes { old_size, new_size } => write!(
                f,
                "no consistency proof from size {old_size} to size {new_size}: the sizes must satisfy 0 < old <= new"
            ),
            TreeError::TooLarge { size } => {
                write!(f, "tree size {size} exceeds the maximum of {MAX_TREE_SIZE} leaves")
            }
            TreeError::WrongHashCount { want, got } => write!(f, "expected {want} hashes, got {got}"),
            TreeError::Read(e) => write!(f, "reading stored hashes: {e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for TreeError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TreeError::Read(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stored::MissingHash;

    #[test]
    fn messages_quote_the_input() {
        let cases: [(TreeError<MissingHash>, &str); 5] = [
            (TreeError::IndexOutOfRange { index: 7, size: 7 }, "leaf index 7 is out of range for a tree of size 7"),
            (
                TreeError::InvalidSizes { old_size: 0, new_size: 3 },
                "no consistency proof from size 0 to size 3: the sizes must satisfy 0 < old <= new",
            ),
            (
                TreeError::TooLarge { size: u64::MAX },
                "tree size 18446744073709551615 exceeds the maximum of 9223372036854775808 leaves",
            ),
            (TreeError::WrongHashCount { want: 3, got: 2 }, "expected 3 hashes, got 2"),
            (
                TreeError::Read(MissingHash { index: 4, stored: 2 }),
                "reading stored hashes: stored hash 4 is missing: only 2 hashes are stored",
            ),
        ];
        for (error, message) in cases {
            assert_eq!(error.to_string(), message);
            let has_source = std::error::Error::source(&error).is_some();
            assert_eq!(has_source, matches!(error, TreeError::Read(_)));
        }
    }
}
