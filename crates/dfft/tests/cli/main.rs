//! Black-box tests of the `dfft` binary: every test runs the built executable with real
//! arguments, stdin and files, and checks its stdout, stderr, exit code and written files.
//!
//! Layout: `support` (running the binary, temporary rulebook copies, JSON access), then one module
//! per area: `check` (readable, JSON, file/stdin, batch, bad input), `rulebook` (validate,
//! list/show, matrix, uncertain, the `--rulebook` override), `governance` (releases, endorsements,
//! standing, comments, diff, impact), `robustness` (`--help`, conflicts, closed stdout).

mod check;
mod governance;
mod robustness;
mod rulebook;
mod support;
