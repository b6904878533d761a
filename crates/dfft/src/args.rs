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
