//! C2SP tiled logs (`c2sp.org/tlog-tiles`): tile coordinates and paths, which tile holds which
//! stored hash, entry bundles, and a [`HashReader`] over tiles that authenticates every tile it
//! uses against a trusted tree size and root.
//!
//! A tile at level `L` holds up to 256 consecutive hashes of stored-hash level `8L`; the hashes of
//! levels `8L + 1 ..= 8L + 7` are recomputed from them. Tile `N` of level `L` is served at
//! `tile/L/N` when full (256 hashes, 8192 bytes) and at `tile/L/N.p/W` while it has `W < 256`
//! hashes; `N` is written as 3-digit path elements, all but the last prefixed with `x`
//! (`1234067` is `x001/x234/067`). Entry bundle `N` (`tile/entries/N[.p/W]`) holds the entries
//! whose leaf hashes make up level-0 tile `N`, each as a big-endian `u16` length and the bytes.
//!
//! Paths here are relative to the log's prefix. Parsing accepts only the one canonical path of a
//! tile (no leading zeros, no `x000` first element, `.p/W` only for `1 <= W <= 255`).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::fmt;

use crate::hash::{node_hash, Hash, EMPTY_ROOT, HASH_SIZE};
use crate::math::{fold_right, Range};
use crate::stored::{split_stored_hash_index, stored_hash_count, stored_hash_index, HashReader};
use crate::MAX_TREE_SIZE;

/// Tile height: a tile spans 8 levels of the tree.
pub const TILE_HEIGHT: u8 = 8;
/// Hashes in a full tile, and entries in a full bundle.
pub const TILE_WIDTH: u16 = 256;
/// The highest tile level a path may name.
pub const MAX_TILE_LEVEL: u8 = 63;
/// The largest entry a bundle can hold (its length is a `u16`).
pub const MAX_ENTRY_SIZE: usize = u16::MAX as usize;

/// Reads tiles and entry bundles by path (`tile/0/x001/234.p/7`, `tile/entries/000`): the one
/// thing a storage layer or HTTP client must provide to read a tiled log.
pub trait TileReader {
    /// Why a read failed.
    type Error;

    /// The bytes at `path`, relative to the log's prefix.
    fn read_tile(&self, path: &str) -> Result<Vec<u8>, Self::Error>;
}

impl<T: TileReader + ?Sized> TileReader for &T {
    type Error = T::Error;

    fn read_tile(&self, path: &str) -> Result<Vec<u8>, Self::Error> {
        (**self).read_tile(path)
    }
}

/// A tile of hashes: its level, its number within the level and how many hashes it has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tile {
    level: u8,
    index: u64,
    width: u16,
}

impl Tile {
    /// Tile `index` of `level` with `width` hashes: `level <= 63`, `1 <= width <= 256`.
    pub fn new(level: u8, index: u64, width: u16) -> Result<Self, TileError> {
        if level > MAX_TILE_LEVEL {
            return Err(TileError::InvalidTile("the level must be at most 63"));
        }
        if width == 0 || width > TILE_WIDTH {
            return Err(TileError::InvalidTile("the width must be between 1 and 256"));
        }
        Ok(Tile { level, index, width })
    }

    /// The tile level (stored-hash level `8 * level`).
    pub fn level(&self) -> u8 {
        self.level
    }

    /// The tile's number within its level.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// How many hashes it has (256 when full).
    pub fn width(&self) -> u16 {
        self.width
    }

    /// Whether it has all 256 hashes.
    pub fn is_full(&self) -> bool {
        self.width == TILE_WIDTH
    }

    /// Its size in bytes: 32 per hash.
    pub fn byte_len(&self) -> usize {
        usize::from(self.width) * HASH_SIZE
    }

    /// Its path: `tile/<L>/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!("tile/{}/{}", self.level, coordinates_path(self.index, self.width))
    }

    /// Parses a tile path (not an entry bundle's).
    pub fn parse_path(path: &str) -> Result<Self, TileError> {
        let bad = || TileError::BadPath(crate::note::quote(path));
        let rest = path.strip_prefix("tile/").ok_or_else(bad)?;
        let (level, rest) = rest.split_once('/').ok_or_else(bad)?;
        let level = crate::note::parse_decimal(level).filter(|&l| l <= u64::from(MAX_TILE_LEVEL)).ok_or_else(bad)?;
        let (index, width) = parse_coordinates(rest).ok_or_else(bad)?;
        Ok(Tile { level: level as u8, index, width })
    }

    /// The tile of least width holding stored hash `index` ([`stored_hash_index`]): the tile
    /// whose hashes it is computed from. Total.
    pub fn for_stored_hash(index: u64) -> Tile {
        locate(index).0
    }

    /// Tile `index` of `level` as a tree of `size` leaves has it: full, partial, or `None` when
    /// the tree has no hash in it yet.
    pub fn in_tree(level: u8, index: u64, size: u64) -> Option<Tile> {
        if level > MAX_TILE_LEVEL {
            return None;
        }
        // Hashes of stored level 8L in the tree: one per complete run of 256^L leaves.
        let hashes = size.checked_shr(u32::from(level) * u32::from(TILE_HEIGHT)).unwrap_or(0);
        let start = index.checked_mul(u64::from(TILE_WIDTH))?;
        let width = hashes.checked_sub(start).filter(|&w| w > 0)?.min(u64::from(TILE_WIDTH));
        Some(Tile { level, index, width: width as u16 })
    }

    /// Stored hash `index` from `data`, this tile's bytes. The tile must be
    /// [`Tile::for_stored_hash`]`(index)` or a wider version of it, and `data` exactly
    /// [`Tile::byte_len`] bytes long.
    pub fn hash(&self, data: &[u8], index: u64) -> Result<Hash, TileError> {
        if data.len() != self.byte_len() {
            return Err(TileError::WrongSize { path: self.path(), want: self.byte_len(), got: data.len() });
        }
        let (tile, start, end) = locate(index);
        if (tile.level, tile.index) != (self.level, self.index) || tile.width > self.width {
            return Err(TileError::NotInTile { stored_index: index, path: self.path() });
        }
        Ok(subtree_hash(&data[start * HASH_SIZE..end * HASH_SIZE]))
    }

    /// The tile `k` levels up that holds this tile's subtree hashes, as the tree of `size` leaves
    /// has it (`k = 0`: this tile at its width in that tree).
    fn parent(&self, k: u8, size: u64) -> Option<Tile> {
        let level = self.level.checked_add(k)?;
        let index = self.index.checked_shr(u32::from(k) * u32::from(TILE_HEIGHT)).unwrap_or(0);
        Tile::in_tree(level, index, size)
    }
}

/// The tile of least width holding stored hash `index`, and the range of hashes in it
/// (`start..end`, a power of two long) that the stored hash is the subtree hash of.
fn locate(index: u64) -> (Tile, usize, usize) {
    let (level, n) = split_stored_hash_index(index);
    let height = u32::from(TILE_HEIGHT);
    let (tile_level, within_level) = (u32::from(level) / height, u32::from(level) % height);
    // The node covers tile hashes `n << within_level ..= ((n + 1) << within_level) - 1` of its
    // tile level; a tile has 2^8 of them.
    let shift = height - within_level;
    let tile_index = n >> shift;
    let first = (n & ((1 << shift) - 1)) as usize;
    let (start, end) = (first << within_level, (first + 1) << within_level);
    (Tile { level: tile_level as u8, index: tile_index, width: end as u16 }, start, end)
}

/// The hash of the perfect subtree over the hashes in `data` (a power of two of them).
fn subtree_hash(data: &[u8]) -> Hash {
    let mut hashes: Vec<Hash> = data
        .chunks_exact(HASH_SIZE)
        .map(|chunk| {
            let mut hash = Hash::default();
            hash.0.copy_from_slice(chunk);
            hash
        })
        .collect();
    while hashes.len() > 1 {
        hashes = hashes.chunks_exact(2).map(|pair| node_hash(&pair[0], &pair[1])).collect();
    }
    hashes.first().copied().unwrap_or(EMPTY_ROOT)
}

/// `<N>[.p/<W>]`.
fn coordinates_path(index: u64, width: u16) -> String {
    let mut path = format!("{:03}", index % 1000);
    let mut rest = index / 1000;
    while rest > 0 {
        path = format!("x{:03}/{path}", rest % 1000);
        rest /= 1000;
    }
    if width != TILE_WIDTH {
        path.push_str(&format!(".p/{width}"));
    }
    path
}

/// Parses `<N>[.p/<W>]`, canonical only.
fn parse_coordinates(path: &str) -> Option<(u64, u16)> {
    let (elements, width) = match path.split_once(".p/") {
        Some((elements, width)) => {
            let width = crate::note::parse_decimal(width).filter(|w| (1..u64::from(TILE_WIDTH)).contains(w))?;
            (elements, width as u16)
        }
        None => (path, TILE_WIDTH),
    };
    let mut parts = elements.split('/').peekable();
    let mut index: u64 = 0;
    let mut first = true;
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let digits = if last { part } else { part.strip_prefix('x')? };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) || (first && !last && digits == "000") {
            return None;
        }
        index = index.checked_mul(1000)?.checked_add(digits.parse::<u64>().ok()?)?;
        first = false;
    }
    Some((index, width))
}

/// An entry bundle: the entries whose leaf hashes make up level-0 tile `index`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryBundle {
    index: u64,
    width: u16,
}

impl EntryBundle {
    /// Bundle `index` with `width` entries (`1 <= width <= 256`).
    pub fn new(index: u64, width: u16) -> Result<Self, TileError> {
        Tile::new(0, index, width).map(|tile| EntryBundle { index: tile.index, width: tile.width })
    }

    /// The bundle holding entry `entry` in a tree of `size` leaves (`None` if `entry >= size`).
    pub fn for_entry(entry: u64, size: u64) -> Option<Self> {
        if entry >= size {
            return None;
        }
        let tile = Tile::in_tree(0, entry / u64::from(TILE_WIDTH), size)?;
        Some(EntryBundle { index: tile.index, width: tile.width })
    }

    /// The bundle's number.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// How many entries it has (256 when full).
    pub fn width(&self) -> u16 {
        self.width
    }

    /// The index in the log of its first entry.
    pub fn first_entry(&self) -> u64 {
        self.index.saturating_mul(u64::from(TILE_WIDTH))
    }

    /// The level-0 tile of its entries' leaf hashes.
    pub fn tile(&self) -> Tile {
        Tile { level: 0, index: self.index, width: self.width }
    }

    /// Its path: `tile/entries/<N>[.p/<W>]`.
    pub fn path(&self) -> String {
        format!("tile/entries/{}", coordinates_path(self.index, self.width))
    }

    /// Parses an entry bundle path.
    pub fn parse_path(path: &str) -> Result<Self, TileError> {
        let rest = path.strip_prefix("tile/entries/");
        let (index, width) =
            rest.and_then(parse_coordinates).ok_or_else(|| TileError::BadPath(crate::note::quote(path)))?;
        Ok(EntryBundle { index, width })
    }

    /// Decodes this bundle's bytes: exactly [`EntryBundle::width`] entries.
    pub fn decode<'a>(&self, data: &'a [u8]) -> Result<Vec<&'a [u8]>, BundleError> {
        let entries = decode_bundle(data)?;
        if entries.len() != usize::from(self.width) {
            return Err(BundleError::WrongCount { want: usize::from(self.width), got: entries.len() });
        }
        Ok(entries)
    }
}

/// Decodes an entry bundle: a sequence of big-endian `u16` lengths each followed by that many
/// bytes, with nothing left over, at most 256 entries.
pub fn decode_bundle(data: &[u8]) -> Result<Vec<&[u8]>, BundleError> {
    let mut entries = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let offset = data.len() - rest.len();
        if entries.len() == usize::from(TILE_WIDTH) {
            return Err(BundleError::TooManyEntries);
        }
        let Some((length, tail)) = rest.split_first_chunk::<2>() else {
            return Err(BundleError::Truncated { offset });
        };
        let length = usize::from(u16::from_be_bytes(*length));
        if tail.len() < length {
            return Err(BundleError::Truncated { offset });
        }
        let (entry, tail) = tail.split_at(length);
        entries.push(entry);
        rest = tail;
    }
    Ok(entries)
}

/// Encodes entries as a bundle: at most 256 entries of at most [`MAX_ENTRY_SIZE`] bytes.
pub fn encode_bundle(entries: &[&[u8]]) -> Result<Vec<u8>, BundleError> {
    if entries.len() > usize::from(TILE_WIDTH) {
        return Err(BundleError::TooManyEntries);
    }
    let mut data = Vec::with_capacity(entries.iter().map(|e| e.len() + 2).sum());
    for (index, entry) in entries.iter().enumerate() {
        let length = u16::try_from(entry.len()).map_err(|_| BundleError::EntryTooLarge { index, len: entry.len() })?;
        data.extend_from_slice(&length.to_be_bytes());
        data.extend_from_slice(entry);
    }
    Ok(data)
}

/// Why an entry bundle could not be decoded or encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BundleError {
    /// An entry starting at byte `offset` runs past the end.
    Truncated { offset: usize },
    /// More than 256 entries.
    TooManyEntries,
    /// Entry `index` has more than [`MAX_ENTRY_SIZE`] bytes.
    EntryTooLarge { index: usize, len: usize },
    /// The bundle has `got` entries where its width says `want`.
    WrongCount { want: usize, got: usize },
}

impl fmt::Display for BundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BundleError::Truncated { offset } => write!(f, "the entry at byte {offset} of the bundle is truncated"),
            BundleError::TooManyEntries => write!(f, "a bundle holds at most {TILE_WIDTH} entries"),
            BundleError::EntryTooLarge { index, len } => {
                write!(f, "entry {index} has {len} bytes, more than the {MAX_ENTRY_SIZE} a bundle can hold")
            }
            BundleError::WrongCount { want, got } => write!(f, "the bundle holds {got} entries, expected {want}"),
        }
    }
}

impl std::error::Error for BundleError {}

/// The root of the tree of `size` leaves from its tiles: one read of each partial tile (at most
/// one per tile level). Nothing is authenticated: compare the result with a trusted root.
pub fn tree_hash<R: TileReader + ?Sized>(size: u64, reader: &R) -> Result<Hash, TileError<R::Error>> {
    if size > MAX_TREE_SIZE {
        return Err(TileError::TooLarge { size });
    }
    let mut plan = Plan::default();
    let border = plan.add_border(size);
    let data = plan.fetch(reader)?;
    Ok(plan.border_root(&border, &data)?.unwrap_or(EMPTY_ROOT))
}

/// A [`HashReader`] over a tiled log, for the tree of `size` leaves with root `root` (from a
/// verified checkpoint). Each read fetches the partial tiles of the tree and the full tiles on the
/// path to the requested hashes, and checks them before using any hash: the partial tiles must
/// give `root`, and each full tile must hash to the entry for it in its (checked) parent tile.
/// So proofs read through it are the log's, or an error. It keeps no cache: give it a caching
/// [`TileReader`] to avoid fetching the same tiles again.
#[derive(Debug)]
pub struct TileHashReader<'a, R: ?Sized> {
    size: u64,
    root: Hash,
    reader: &'a R,
}

impl<'a, R: TileReader + ?Sized> TileHashReader<'a, R> {
    /// The reader for the tree of `size` leaves (at most [`MAX_TREE_SIZE`]) with root `root`.
    pub fn new(size: u64, root: Hash, reader: &'a R) -> Result<Self, TileError<R::Error>> {
        if size > MAX_TREE_SIZE {
            return Err(TileError::TooLarge { size });
        }
        Ok(TileHashReader { size, root, reader })
    }
}

impl<R: TileReader + ?Sized> HashReader for TileHashReader<'_, R> {
    type Error = TileError<R::Error>;

    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error> {
        if indexes.is_empty() {
            return Ok(Vec::new());
        }
        let stored = stored_hash_count(self.size);
        if let Some(&index) = indexes.iter().find(|&&index| index >= stored) {
            return Err(TileError::IndexNotInTree { index, size: self.size });
        }
        let mut plan = Plan::default();
        let border = plan.add_border(self.size);
        let border_tiles = plan.tiles.len();
        let positions = indexes.iter().map(|&index| plan.add_path(index, self.size)).collect::<Result<Vec<_>, _>>()?;
        let data = plan.fetch(self.reader)?;

        // The partial tiles are authenticated by the root, then each full tile by its parent,
        // which the plan puts before it.
        if plan.border_root(&border, &data)? != Some(self.root) {
            return Err(TileError::RootMismatch { size: self.size });
        }
        for (tile, bytes) in plan.tiles.iter().zip(&data).skip(border_tiles) {
            let parent = tile.parent(1, self.size).ok_or(TileError::Unplanned { index: tile.index })?;
            let at = plan.position(&parent).ok_or(TileError::Unplanned { index: tile.index })?;
            let level = (tile.level + 1) * TILE_HEIGHT;
            let want = parent.hash(&data[at], stored_hash_index(level, tile.index)).map_err(TileError::retype)?;
            if subtree_hash(bytes) != want {
                return Err(TileError::InconsistentTile { path: tile.path() });
            }
        }
        indexes
            .iter()
            .zip(positions)
            .map(|(&index, at)| plan.tiles[at].hash(&data[at], index).map_err(TileError::retype))
            .collect()
    }
}

/// The tiles one read needs, parents before children.
#[derive(Default)]
struct Plan {
    tiles: Vec<Tile>,
    positions: BTreeMap<(u8, u64), usize>,
}

impl Plan {
    fn position(&self, tile: &Tile) -> Option<usize> {
        self.positions.get(&(tile.level, tile.index)).copied()
    }

    fn push(&mut self, tile: Tile) -> usize {
        if let Some(at) = self.position(&tile) {
            return at;
        }
        self.positions.insert((tile.level, tile.index), self.tiles.len());
        self.tiles.push(tile);
        self.tiles.len() - 1
    }

    /// Plans the tiles of the tree's border (its perfect subtrees, all in partial tiles); returns
    /// each subtree's stored index and tile position.
    fn add_border(&mut self, size: u64) -> Vec<(u64, usize)> {
        Range { start: 0, end: size }
            .subtrees()
            .map(|s| {
                let index = stored_hash_index(s.level, s.index);
                let tile = locate(index).0;
                // The tree has the subtree, so it has the tile.
                let tile = tile.parent(0, size).unwrap_or(tile);
                (index, self.push(tile))
            })
            .collect()
    }

    /// Plans the tile of stored hash `index` and the full tiles between it and a planned parent;
    /// returns the position of the tile to read the hash from.
    fn add_path<E>(&mut self, index: u64, size: u64) -> Result<usize, TileError<E>> {
        let tile = locate(index).0;
        let unplanned = || TileError::Unplanned { index };
        for k in 0..=MAX_TILE_LEVEL {
            let parent = tile.parent(k, size).ok_or_else(unplanned)?;
            if self.position(&parent).is_none() {
                continue;
            }
            for k in (0..k).rev() {
                let child = tile.parent(k, size).filter(Tile::is_full).ok_or_else(unplanned)?;
                self.push(child);
            }
            return tile.parent(0, size).and_then(|t| self.position(&t)).ok_or_else(unplanned);
        }
        Err(unplanned())
    }

    fn fetch<R: TileReader + ?Sized>(&self, reader: &R) -> Result<Vec<Vec<u8>>, TileError<R::Error>> {
        self.tiles
            .iter()
            .map(|tile| {
                let path = tile.path();
                let data = reader.read_tile(&path).map_err(|error| TileError::Read { path: path.clone(), error })?;
                if data.len() != tile.byte_len() {
                    return Err(TileError::WrongSize { path, want: tile.byte_len(), got: data.len() });
                }
                Ok(data)
            })
            .collect()
    }

    /// The root from the border's subtree hashes (`None` for the empty tree).
    fn border_root<E>(&self, border: &[(u64, usize)], data: &[Vec<u8>]) -> Result<Option<Hash>, TileError<E>> {
        let hashes = border
            .iter()
            .map(|&(index, at)| self.tiles[at].hash(&data[at], index).map_err(TileError::retype))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(fold_right(&hashes))
    }
}

/// Why a tile path, a tile or a read through tiles failed. `E` is the [`TileReader`]'s error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TileError<E = Infallible> {
    /// Not a canonical tile or entry bundle path.
    BadPath(String),
    /// Tile coordinates out of range.
    InvalidTile(&'static str),
    /// Stored hash `stored_index` is not in the tile at `path`.
    NotInTile { stored_index: u64, path: String },
    /// The tile at `path` has `got` bytes where its width says `want`.
    WrongSize { path: String, want: usize, got: usize },
    /// Stored hash `index` is not part of the tree of `size` leaves.
    IndexNotInTree { index: u64, size: u64 },
    /// The tree would have more than [`MAX_TREE_SIZE`] leaves.
    TooLarge { size: u64 },
    /// The partial tiles do not give the trusted root of the tree of `size` leaves.
    RootMismatch { size: u64 },
    /// The full tile at `path` does not hash to its parent tile's entry.
    InconsistentTile { path: String },
    /// No tile plan reaches stored hash `index` (not expected for indexes inside the tree).
    Unplanned { index: u64 },
    /// Reading `path` failed.
    Read { path: String, error: E },
}

impl TileError {
    /// The same error under a reader error type (it has none).
    fn retype<E>(self) -> TileError<E> {
        match self {
            TileError::BadPath(path) => TileError::BadPath(path),
            TileError::InvalidTile(reason) => TileError::InvalidTile(reason),
            TileError::NotInTile { stored_index, path } => TileError::NotInTile { stored_index, path },
            TileError::WrongSize { path, want, got } => TileError::WrongSize { path, want, got },
            TileError::IndexNotInTree { index, size } => TileError::IndexNotInTree { index, size },
            TileError::TooLarge { size } => TileError::TooLarge { size },
            TileError::RootMismatch { size } => TileError::RootMismatch { size },
            TileError::InconsistentTile { path } => TileError::InconsistentTile { path },
            TileError::Unplanned { index } => TileError::Unplanned { index },
            TileError::Read { error, .. } => match error {},
        }
    }
}

impl<E: fmt::Display> fmt::Display for TileError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TileError::BadPath(path) => write!(f, "{path:?} is not a tile path: expected tile/<L>/<N>[.p/<W>]"),
            TileError::InvalidTile(reason) => write!(f, "invalid tile: {reason}"),
            TileError::NotInTile { stored_index, path } => {
                write!(f, "stored hash {stored_index} is not in tile {path}")
            }
            TileError::WrongSize { path, want, got } => write!(f, "tile {path} has {got} bytes, expected {want}"),
            TileError::IndexNotInTree { index, size } => {
                write!(f, "stored hash {index} is not part of the tree of size {size}")
            }
            TileError::TooLarge { size } => write!(f, "tree size {size} exceeds the maximum of {MAX_TREE_SIZE} leaves"),
            TileError::RootMismatch { size } => {
                write!(f, "the tiles of the tree of size {size} do not give its trusted root")
            }
            TileError::InconsistentTile { path } => {
                write!(f, "tile {path} does not match the hash its parent tile holds")
            }
            TileError::Unplanned { index } => write!(f, "no tiles reach stored hash {index}"),
            TileError::Read { path, error } => write!(f, "reading {path}: {error}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for TileError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TileError::Read { error, .. } => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
