//! Small files the node and the CLI share (wallet, issuer state): written whole or not at all,
//! and changed under a lock so two `dfft` processes cannot lose each other's update.

use std::fs;
use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// Writes `bytes` to `path` through a temporary file, synced, then renamed over `path`, then
/// the directory synced: a crash leaves the old file or the new one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = std::path::PathBuf::from(temp);
    let mut file = fs::File::create(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
    file.write_all(bytes).with_context(|| format!("cannot write {}", temp.display()))?;
    file.sync_all().with_context(|| format!("cannot sync {}", temp.display()))?;
    fs::rename(&temp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    if let Ok(dir) = fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Runs `change` while holding an exclusive lock on `lock_path` (created if needed).
pub fn locked<T>(lock_path: &Path, change: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path)
        .with_context(|| format!("cannot open {}", lock_path.display()))?;
    file.lock().with_context(|| format!("cannot lock {}", lock_path.display()))?;
    let result = change();
    let _ = file.unlock();
    result
}
