//! Flags of the trust commands: `dfft vc …` and `dfft identity …`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum VcCommand {
    /// As an issuer (the node in DIR): sign a credential about a holder, with revocation and
    /// suspension entries in this node's status lists.
    Issue(VcIssueArgs),
    /// Verify a credential: signature, accredited issuer (the release's trust list), validity
    /// dates, type, and revocation/suspension (fetched from the issuer's status list).
    Verify(VcVerifyArgs),
    /// As an issuer: revoke (final), suspend or reinstate a credential this node issued.
    Revoke(VcRevokeArgs),
    /// As a holder: keep a credential about this node in its wallet; the node presents it to providers.
    Add {
        /// The holder's node directory.
        dir: PathBuf,
        /// The credential (JSON).
        file: PathBuf,
    },
    /// The credentials a node holds, and those it issued with their status.
    List {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct VcIssueArgs {
    /// The issuer's node directory (its key signs; its status lists are served by `dfft serve`).
    pub dir: PathBuf,
    /// The holder's DID (what `dfft identity show` prints), e.g. did:key:z6Mk…
    #[arg(long)]
    pub subject: String,
    /// A certification: apec-cbpr, global-cbpr, apec-prp, global-prp, dpf, dpf-uk, dpf-swiss, iso-27001 or iso-27701.
    #[arg(long, conflicts_with_all = ["member_of", "legal_name"])]
    pub certification: Option<String>,
    /// A data-space membership: the data space's id.
    #[arg(long, conflicts_with = "legal_name")]
    pub member_of: Option<String>,
    /// A legal-entity credential: the registered name (with --established-in).
    #[arg(long, requires = "established_in")]
    pub legal_name: Option<String>,
    /// Where the legal entity is established (ISO 3166-1 alpha-2).
    #[arg(long, requires = "legal_name")]
    pub established_in: Option<String>,
    /// Valid from (RFC 3339 or YYYY-MM-DD); default now.
    #[arg(long)]
    pub valid_from: Option<String>,
    /// Valid until (RFC 3339 or YYYY-MM-DD); default one year after valid-from.
    #[arg(long)]
    pub valid_until: Option<String>,
    /// Name the issuer by its did:web (resolved through the DID document the node serves) instead of its did:key.
    #[arg(long)]
    pub did_web: bool,
    /// Write the credential here (default: stdout).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VcVerifyArgs {
    /// The credential (JSON).
    pub file: PathBuf,
    /// Also require the credential to be about this DID.
    #[arg(long)]
    pub holder: Option<String>,
    /// Verify as of this instant (RFC 3339 or YYYY-MM-DD); default now.
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VcRevokeArgs {
    /// The issuer's node directory.
    pub dir: PathBuf,
    /// The credential's id (or its unique ending).
    #[arg(long)]
    pub id: String,
    /// Suspend instead (can be undone with --reinstate).
    #[arg(long, conflicts_with = "reinstate")]
    pub suspend: bool,
    /// Lift a suspension.
    #[arg(long)]
    pub reinstate: bool,
}

#[derive(Debug, Subcommand)]
pub enum IdentityCommand {
    /// A node's identifiers and keys: did:key, did:web, verification method, note verifier key.
    Show {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Create a key file for a stakeholder who signs endorsements or comments (prints its DID).
    New {
        /// The key file to create (kept secret; mode 600).
        file: PathBuf,
    },
}
