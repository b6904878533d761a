//! Flags of the release commands: `dfft rulebook release | endorse | verify | comment | diff | impact`.

use std::path::PathBuf;

use clap::Args;

#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The rulebook directory to release (release.json is written into it).
    pub dir: PathBuf,
    /// The release's version: must be rulebook.toml's `version`, which decisions report.
    #[arg(long)]
    pub version: String,
    /// First day the release applies (YYYY-MM-DD).
    #[arg(long)]
    pub effective: String,
    /// The release's name (default: rulebook.toml's `name`).
    #[arg(long)]
    pub name: Option<String>,
    /// Replace an existing release.json that describes another release (its endorsements stop counting).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct EndorseArgs {
    /// The release directory (with release.json).
    pub dir: PathBuf,
    /// The endorser's private key: a key file (as `dfft identity new` writes) or a node directory (its node.key).
    #[arg(long)]
    pub key: PathBuf,
    /// The role the endorser holds in the governance: secretariat, government or advisory.
    #[arg(long)]
    pub role: String,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The release directory (with release.json, endorsements/ and comments/).
    pub dir: PathBuf,
    /// The governance file (members, roles, threshold) whose endorsements count.
    #[arg(long)]
    pub governance: PathBuf,
    /// Judge the standing as of this date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CommentArgs {
    /// The release directory (with release.json).
    pub dir: PathBuf,
    /// The author's private key: a key file or a node directory (its node.key).
    #[arg(long)]
    pub key: PathBuf,
    /// The comment.
    #[arg(long)]
    pub text: String,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The rulebook directory in force now.
    pub old: PathBuf,
    /// The proposed rulebook directory.
    pub new: PathBuf,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// The rulebook directory in force now.
    pub old: PathBuf,
    /// The proposed rulebook directory.
    pub new: PathBuf,
    /// The flows: a JSON array of flows (as `dfft check --flow` reads), or NDJSON; `-` for stdin.
    #[arg(long, value_name = "FILE")]
    pub flows: PathBuf,
    /// Decide flows without `as_of` as of this date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long)]
    pub json: bool,
}
