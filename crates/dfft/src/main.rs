//! `dfft`: the command line. Parses arguments, loads the rulebook, calls the libraries and maps
//! the outcome to an exit code. All decisions are made in the `rules` crate.

mod args;
mod check;
mod demo;
mod demo_compute;
mod demo_trust;
mod node_cmd;
mod release_args;
mod release_cmd;
mod rulebook_cmd;
mod transfer_cmd;
mod trust_args;
mod vc_cmd;

use std::process::ExitCode;

/// mimalloc: the node allocates many small, short-lived values (JSON messages, records) across
/// threads, where it is markedly faster than the system allocator (BENCHMARKS.md, connector).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc reads its options when the process starts, before `main`. A long-running node wants
/// memory committed only when used and handed back at once (otherwise an idle node keeps ~10 MiB
/// more resident), so `serve` and `demo` start themselves again once with those options set.
fn restart_with_allocator_options() {
    const MARK: &str = "MIMALLOC_PURGE_DELAY";
    let serving = std::env::args().nth(1).is_some_and(|a| a == "serve" || a == "demo");
    if !serving || std::env::var_os(MARK).is_some() {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            let error = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env(MARK, "0")
                .env("MIMALLOC_ARENA_EAGER_COMMIT", "0")
                .exec();
            // Only reached when exec failed: carry on with the defaults.
            eprintln!("dfft: note: could not apply allocator options ({error}); continuing");
        }
    }
}

/// Returns memory the allocator holds but no longer uses to the system (after start-up, whose
/// rulebook compilation frees some 15 MiB that an idle node would otherwise keep resident).
pub fn release_free_memory() {
    // SAFETY: mi_collect only walks the allocator's own free lists; it takes no pointers.
    #[allow(unsafe_code)]
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

use clap::Parser;

use args::{Cli, Command, DatasetCommand, RulebookCommand};

/// Exit codes, documented in `dfft --help`.
pub mod exit {
    /// Success: the command ran (for `check`, a decision was made, whatever the verdict).
    pub const OK: u8 = 0;
    /// The rulebook is invalid, or the command failed.
    pub const FAILURE: u8 = 1;
    /// Bad input: an unknown flag, name or field, or an unreadable file.
    pub const BAD_INPUT: u8 = 2;
}

/// An error with the exit code it maps to.
pub struct Failure {
    pub code: u8,
    pub error: anyhow::Error,
}

impl Failure {
    pub fn input(error: impl Into<anyhow::Error>) -> Failure {
        Failure { code: exit::BAD_INPUT, error: error.into() }
    }
    pub fn failed(error: impl Into<anyhow::Error>) -> Failure {
        Failure { code: exit::FAILURE, error: error.into() }
    }
}

/// Writes to stdout. A reader that went away (`dfft ... | head`) is not an error: the output
/// was not wanted any more.
pub fn out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(Failure::failed(anyhow::anyhow!("writing stdout: {e}")))
        }
        _ => Ok(()),
    }
}

fn main() -> ExitCode {
    restart_with_allocator_options();
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Check(c) => check::run(&cli, c),
        Command::Rulebook { command } => match command {
            RulebookCommand::Validate { dir } => rulebook_cmd::validate(&cli, dir.as_deref()),
            RulebookCommand::List { json } => rulebook_cmd::list(&cli, *json),
            RulebookCommand::Show { id, json } => rulebook_cmd::show(&cli, id, *json),
            RulebookCommand::Uncertain { json } => rulebook_cmd::uncertain(&cli, *json),
            RulebookCommand::Matrix(m) => rulebook_cmd::matrix(&cli, m),
            RulebookCommand::Release(a) => release_cmd::release(a),
            RulebookCommand::Endorse(a) => release_cmd::endorse(a),
            RulebookCommand::Verify(a) => release_cmd::verify(a),
            RulebookCommand::Comment(a) => release_cmd::comment(a),
            RulebookCommand::Diff(a) => release_cmd::diff(a),
            RulebookCommand::Impact(a) => release_cmd::impact(a),
        },
        Command::Init(a) => node_cmd::init(&cli, a),
        Command::Serve(a) => node_cmd::serve(&cli, a),
        Command::Dataset { command } => match command {
            DatasetCommand::Add(a) => node_cmd::dataset_add(&cli, a),
            DatasetCommand::List { dir, json } => node_cmd::dataset_list(dir, *json),
        },
        Command::Token(a) => node_cmd::token(a),
        Command::Catalog(a) => node_cmd::catalog(a),
        Command::Negotiate(a) => node_cmd::negotiate(a),
        Command::Transfer(a) => transfer_cmd::run(a),
        Command::Query(a) => node_cmd::query(a),
        Command::Demo(a) => demo::run(&cli, a),
        Command::Vc { command } => vc_cmd::run(&cli, command),
        Command::Identity { command } => vc_cmd::identity(command),
    };
    match result {
        Ok(()) => ExitCode::from(exit::OK),
        Err(f) => {
            eprintln!("dfft: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}
