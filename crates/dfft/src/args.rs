//! Command-line flags. Parsed first; nothing here touches files or the rulebook.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

const EXIT_CODES: &str = "Exit codes:
  0  success (for `check`: a decision was made, whatever the verdict)
  1  the rulebook is invalid, or the command failed
  2  bad input: unknown flag, jurisdiction, category, purpose, certification or safeguard; unreadable file";

#[derive(Debug, Parser)]
#[command(name = "dfft", version, about = "Data Free Flow with Trust: may this data cross this border, and how?", after_help = EXIT_CODES)]
pub struct Cli {
    /// Use the rulebook in DIR instead of the one built into dfft.
    #[arg(long, global = true, value_name = "DIR")]
    pub rulebook: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decide whether a flow of data from one jurisdiction to another is lawful, and how.
    #[command(after_help = EXIT_CODES)]
    Check(CheckArgs),
    /// Validate, list, show and map the rulebook.
    Rulebook {
        #[command(subcommand)]
        command: RulebookCommand,
    },
    /// Create a node's data directory: configuration, key pair and identity, database, admin token.
    Init(InitArgs),
    /// Serve a node: the Dataspace Protocol, the management API and the data endpoint on one port.
    Serve(ServeArgs),
    /// Register and list the datasets a node offers.
    Dataset {
        #[command(subcommand)]
        command: DatasetCommand,
    },
    /// Print an `Authorization` header value for a request to AUDIENCE as this node's identity.
    Token(TokenArgs),
    /// Show a provider's catalog as this node sees it (with what the law says for each dataset).
    Catalog(CatalogArgs),
    /// As consumer: negotiate a contract for a dataset; waits for FINALIZED or the reason it ended.
    Negotiate(NegotiateArgs),
    /// As consumer: transfer the data of an agreement into a file.
    Transfer(TransferArgs),
    /// As consumer: ask an aggregate question of a provider's compute-only dataset; prints the
    /// differentially private answer, the ε it spent and the ε left.
    Query(QueryArgs),
    /// Start three nodes on loopback (Kigali, Tokyo, Berlin) and show allowed, conditional and denied flows.
    Demo(DemoArgs),
    /// Verifiable credentials: issue, verify, revoke, hold.
    Vc {
        #[command(subcommand)]
        command: crate::trust_args::VcCommand,
    },
    /// A node's or a stakeholder's identity.
    Identity {
        #[command(subcommand)]
        command: crate::trust_args::IdentityCommand,
    },
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The node's data directory (created).
    pub dir: PathBuf,
    /// The organisation's name.
    #[arg(long)]
    pub name: String,
    /// Where the organisation is established (ISO 3166-1 alpha-2, e.g. RW).
    #[arg(long)]
    pub jurisdiction: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    pub dir: PathBuf,
    /// Address to listen on (default: the configuration's `listen`, 127.0.0.1:8181).
    #[arg(long)]
    pub listen: Option<String>,
    /// Test-only: seed the DSP compatibility kit's datasets and agreements, follow its scripts,
    /// serve its trigger endpoints and accept reusable tokens. Never on a real node.
    #[arg(long)]
    pub tck: bool,
    /// Log level: error, warn, info, debug or trace.
    #[arg(long, default_value = "info")]
    pub log: String,
}

#[derive(Debug, Subcommand)]
pub enum DatasetCommand {
    /// Register a dataset (a CSV or NDJSON file) with its data categories and number of subjects.
    Add(DatasetAddArgs),
    /// List the datasets.
    List {
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct DatasetAddArgs {
    pub dir: PathBuf,
    #[arg(long)]
    pub id: String,
    /// The data: a .csv, .ndjson or .jsonl file.
    #[arg(long)]
    pub file: PathBuf,
    /// Data categories from the rulebook, comma-separated or repeated (e.g. health).
    #[arg(long = "category", value_delimiter = ',', required = true)]
    pub categories: Vec<String>,
    /// Number of people the data is about.
    #[arg(long)]
    pub subjects: u64,
    #[arg(long)]
    pub title: Option<String>,
    /// An ODRL offer (JSON file); default: use permitted, onward distribution prohibited.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// Compute-only: the rows never leave this node; consumers ask aggregate queries (`dfft query`)
    /// answered with differential privacy.
    #[arg(long)]
    pub compute_only: bool,
    /// The compute schema (JSON: columns with kind, bounds, groupable, domain); default: kinds
    /// inferred from the data, no bounds or domains (then only COUNT with WHERE is possible).
    #[arg(long, requires = "compute_only")]
    pub schema: Option<PathBuf>,
    /// The ε each consumer may spend on this dataset in all.
    #[arg(long, requires = "compute_only", default_value_t = 1.0)]
    pub budget: f64,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    pub dir: PathBuf,
    /// The URL the request goes to: the provider's DSP URL (…/dsp/2025-1) or base URL.
    #[arg(long)]
    pub audience: String,
    /// Seconds the token is valid (at most 300).
    #[arg(long, default_value_t = 300)]
    pub lifetime: i64,
    /// Mark the token reusable for its lifetime (for clients that send one header on every
    /// request, like the DSP TCK); accepted only by nodes configured to.
    #[arg(long)]
    pub reusable: bool,
}

#[derive(Debug, Args)]
pub struct CatalogArgs {
    pub dir: PathBuf,
    /// The provider's base or DSP URL.
    #[arg(long)]
    pub provider: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NegotiateArgs {
    pub dir: PathBuf,
    #[arg(long)]
    pub provider: String,
    #[arg(long)]
    pub dataset: String,
    /// The purpose, from the rulebook's vocabulary (e.g. research).
    #[arg(long)]
    pub purpose: String,
    /// Safeguards this node will put in place (rulebook mechanisms, e.g. scc,tia), comma-separated or repeated.
    #[arg(long = "safeguard", value_delimiter = ',')]
    pub safeguards: Vec<String>,
    /// Seconds to wait for the end of the negotiation.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    pub dir: PathBuf,
    /// The provider's base URL (or its DSP URL).
    #[arg(long)]
    pub provider: String,
    #[arg(long)]
    pub dataset: String,
    /// Aggregate SQL over the table `data`, e.g. "SELECT region, COUNT(*) FROM data GROUP BY region".
    #[arg(long)]
    pub sql: String,
    /// The ε to spend on this answer (default 0.1).
    #[arg(long)]
    pub epsilon: Option<f64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TransferArgs {
    pub dir: PathBuf,
    #[arg(long)]
    pub agreement: String,
    /// Where to write the data (written atomically: complete or not at all).
    #[arg(long)]
    pub out: PathBuf,
    /// Seconds to wait for the provider to start the transfer.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print the table and exit instead of serving until Ctrl-C.
    #[arg(long)]
    pub once: bool,
    /// Keep the three nodes' directories here (default: a new temporary directory).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// The flags that describe a flow; a flow read from a file or stdin carries these itself.
const FLOW_FLAGS: [&str; 9] = ["from", "to", "data", "subjects", "purpose", "certs", "safeguards", "roles", "as_of"];

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Exporting country (ISO 3166-1 alpha-2, e.g. DE).
    #[arg(long, required_unless_present_any = ["flow", "batch"])]
    pub from: Option<String>,
    /// Destination country (ISO 3166-1 alpha-2, e.g. JP).
    #[arg(long, required_unless_present_any = ["flow", "batch"])]
    pub to: Option<String>,
    /// Data categories, comma-separated or repeated (e.g. personal,health).
    #[arg(long, value_delimiter = ',', required_unless_present_any = ["flow", "batch"])]
    pub data: Vec<String>,
    /// People whose data this exporter sends abroad in the calendar year.
    #[arg(long, default_value_t = 1)]
    pub subjects: u64,
    /// Purpose, from the rulebook's purpose vocabulary (e.g. research).
    #[arg(long)]
    pub purpose: Option<String>,
    /// A certification the importer holds (repeatable; e.g. dpf, apec-cbpr).
    #[arg(long = "cert", value_delimiter = ',')]
    pub certs: Vec<String>,
    /// A safeguard already in place (repeatable; e.g. scc, tia, consent).
    #[arg(long = "safeguard", value_delimiter = ',')]
    pub safeguards: Vec<String>,
    /// A party's role as PARTY:ROLE (repeatable; e.g. importer:processor, exporter:ciio).
    #[arg(long = "role", value_delimiter = ',')]
    pub roles: Vec<String>,
    /// Decide as of this date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
    /// Print the decision as JSON.
    #[arg(long)]
    pub json: bool,
    /// Read one JSON flow from FILE (`-` for stdin).
    #[arg(long, value_name = "FILE", conflicts_with_all = FLOW_FLAGS, conflicts_with = "batch")]
    pub flow: Option<PathBuf>,
    /// NDJSON flows on stdin → NDJSON decisions on stdout, one line per input line, in order.
    #[arg(long, conflicts_with_all = FLOW_FLAGS)]
    pub batch: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulebookCommand {
    /// Check schema, names, dates, citations and cross-references; report every problem with file and line.
    Validate {
        /// The rulebook directory (default: the --rulebook directory, else the built-in rulebook).
        dir: Option<PathBuf>,
    },
    /// List the jurisdictions with their rule and citation counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// List the rules and sets whose facts are not verified against a primary source, with why.
    Uncertain {
        #[arg(long)]
        json: bool,
    },
    /// Show one jurisdiction's law, sets and rules.
    Show {
        /// Jurisdiction id, e.g. JP.
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// The verdict for every pair of jurisdictions, as a table and optionally an SVG heatmap.
    Matrix(MatrixArgs),
    /// Make the rulebook in DIR a release: write DIR/release.json (every file's SHA-256, version,
    /// effective date) and print the release's digest.
    Release(crate::release_args::ReleaseArgs),
    /// As a governance member: endorse the release in DIR, in your role (writes DIR/endorsements/).
    Endorse(crate::release_args::EndorseArgs),
    /// Whether the release in DIR is in force under a governance file: who endorsed, what is
    /// missing, refused endorsements, comments. Exit 0 in force, 1 not.
    Verify(crate::release_args::VerifyArgs),
    /// Sign a public comment on the release in DIR (writes DIR/comments/).
    Comment(crate::release_args::CommentArgs),
    /// The rules and sets added, removed and changed from OLD to NEW, with their citations.
    Diff(crate::release_args::DiffArgs),
    /// The flows whose verdict or legal basis changes from OLD to NEW, and why.
    Impact(crate::release_args::ImpactArgs),
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Data categories, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "personal")]
    pub data: Vec<String>,
    /// Decide as of this date (YYYY-MM-DD); default today.
    #[arg(long)]
    pub as_of: Option<String>,
    #[arg(long, default_value_t = 1000)]
    pub subjects: u64,
    #[arg(long, default_value = "service-provision")]
    pub purpose: String,
    /// Also write an SVG heatmap to FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}
