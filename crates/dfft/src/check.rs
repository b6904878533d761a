//! `dfft check`: one flow from flags or a file, or NDJSON batches on stdin.

use std::io::{BufRead, BufWriter, Read, Write};

use anyhow::{anyhow, Context};
use rules::{Day, FlowInput, Rulebook};

use crate::args::{CheckArgs, Cli};
use crate::rulebook_cmd::load;
use crate::{out, Failure};

pub fn run(cli: &Cli, args: &CheckArgs) -> Result<(), Failure> {
    let rulebook = load(cli)?;
    let today = Day::today();
    if args.batch {
        return batch(&rulebook, today).map_err(Failure::failed);
    }
    let input = match &args.flow {
        Some(path) => {
            let text = if path.as_os_str() == "-" {
                let mut s = String::new();
                std::io::stdin()
                    .read_to_string(&mut s)
                    .context("reading the flow from stdin")
                    .map_err(Failure::input)?;
                s
            } else {
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))
                    .map_err(Failure::input)?
            };
            FlowInput::from_json(&text).map_err(Failure::input)?
        }
        None => from_flags(args).map_err(Failure::input)?,
    };
    let flow = rulebook.resolve(&input, today).map_err(Failure::input)?;
    let decision = rulebook.decide(&flow).map_err(|e| Failure::input(anyhow!(no_jurisdiction(&rulebook, &e))))?;
    let report = rulebook.report(&flow, &decision);
    if args.json {
        let json = serde_json::to_string_pretty(&report).map_err(Failure::failed)?;
        out(&format!("{json}\n"))
    } else {
        out(&report.to_text())
    }
}

fn from_flags(args: &CheckArgs) -> anyhow::Result<FlowInput> {
    let mut input = FlowInput {
        from: args.from.clone().unwrap_or_default(),
        to: args.to.clone().unwrap_or_default(),
        data: args.data.clone(),
        subjects: args.subjects,
        purpose: args.purpose.clone(),
        safeguards: args.safeguards.clone(),
        as_of: args.as_of.clone(),
        ..FlowInput::default()
    };
    input.importer.certifications = args.certs.clone();
    for role in &args.roles {
        match role.split_once(':') {
            Some(("exporter", r)) => input.exporter.roles.push(r.to_owned()),
            Some(("importer", r)) => input.importer.roles.push(r.to_owned()),
            _ => {
                return Err(anyhow!(
                    "--role '{role}': expected exporter:ROLE or importer:ROLE (e.g. importer:processor)"
                ))
            }
        }
    }
    Ok(input)
}

fn no_jurisdiction(rulebook: &Rulebook, e: &rules::DecideError) -> String {
    match e {
        rules::DecideError::NoJurisdiction { country, day } => {
            let covered: Vec<String> = rulebook
                .jurisdictions
                .iter()
                .filter(|j| j.members.iter().any(|m| m.0 == *country))
                .map(|j| format!("{} from {}", j.id, j.covers_from))
                .collect();
            format!(
                "no jurisdiction in the rulebook governs exports from {} on {day} (the rulebook models: {})",
                rulebook.country_code(*country),
                covered.join(", ")
            )
        }
    }
}

/// Decides one NDJSON line; errors become a JSON object on the same line.
fn decide_line(rulebook: &Rulebook, today: Day, line: &str, n: usize, out: &mut Vec<u8>) {
    let result = FlowInput::from_json(line)
        .map_err(|e| e.to_string())
        .and_then(|input| rulebook.resolve(&input, today).map_err(|e| e.to_string()))
        .and_then(|flow| {
            let d = rulebook.decide(&flow).map_err(|e| no_jurisdiction(rulebook, &e))?;
            Ok(rulebook.report(&flow, &d))
        });
    match result {
        Ok(report) => {
            if serde_json::to_writer(&mut *out, &report).is_err() {
                out.extend_from_slice(br#"{"error":"could not encode the decision"}"#);
            }
            out.push(b'\n');
        }
        Err(message) => error_line(n, &message, out),
    }
}

/// `{"line":N,"error":"..."}` and a newline.
fn error_line(n: usize, message: &str, out: &mut Vec<u8>) {
    let _ = serde_json::to_writer(&mut *out, &serde_json::json!({ "line": n, "error": message }));
    out.push(b'\n');
}

/// Reads stdin in chunks of lines and decides each chunk on all cores, writing in input order.
fn batch(rulebook: &Rulebook, today: Day) -> anyhow::Result<()> {
    const CHUNK: usize = 4096;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut stdin = std::io::stdin().lock();
    let mut out = BufWriter::with_capacity(1 << 20, std::io::stdout().lock());
    let mut n = 0usize;
    let mut eof = false;
    while !eof {
        // One chunk of raw lines per thread per round; a line that is not UTF-8 is answered in place.
        let mut round: Vec<Vec<Result<String, String>>> = Vec::with_capacity(threads);
        while round.len() < threads && !eof {
            let mut chunk = Vec::with_capacity(CHUNK);
            while chunk.len() < CHUNK {
                let mut raw = Vec::new();
                if stdin.read_until(b'\n', &mut raw).context("reading stdin")? == 0 {
                    eof = true;
                    break;
                }
                if raw.last() == Some(&b'\n') {
                    raw.pop();
                }
                chunk.push(String::from_utf8(raw).map_err(|_| "the line is not valid UTF-8".to_owned()));
            }
            if !chunk.is_empty() {
                round.push(chunk);
            }
        }
        let starts: Vec<usize> = round
            .iter()
            .scan(n, |acc, c| {
                let s = *acc;
                *acc += c.len();
                Some(s)
            })
            .collect();
        n += round.iter().map(Vec::len).sum::<usize>();
        let outputs: Vec<Vec<u8>> = std::thread::scope(|s| {
            let handles: Vec<_> = round
                .iter()
                .zip(&starts)
                .map(|(chunk, start)| {
                    s.spawn(move || {
                        let mut buf = Vec::with_capacity(chunk.len() * 1024);
                        for (i, line) in chunk.iter().enumerate() {
                            match line {
                                Ok(line) => decide_line(rulebook, today, line, start + i + 1, &mut buf),
                                Err(message) => error_line(start + i + 1, message, &mut buf),
                            }
                        }
                        buf
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|_| b"{\"error\":\"internal error\"}\n".to_vec()))
                .collect()
        });
        for o in outputs {
            match out.write_all(&o) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                r => r.context("writing stdout")?,
            }
        }
    }
    match out.flush() {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.context("writing stdout"),
    }
}
