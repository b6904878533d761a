//! `dfft vc …` and `dfft identity …`: issuing, verifying, revoking and holding credentials, and
//! showing who a node is. Thin: the work is in the `trust` and `node` crates.

use std::path::Path;

use anyhow::anyhow;
use node::issuer::{self, DidForm, IssueRequest, StatusChange};
use node::NodeDir;
use serde_json::{json, Value};
use time::OffsetDateTime;
use trust::{Claim, KeyPair};

use crate::args::Cli;
use crate::node_cmd::runtime;
use crate::trust_args::{IdentityCommand, VcCommand, VcIssueArgs, VcRevokeArgs, VcVerifyArgs};
use crate::{out, Failure};

pub fn run(cli: &Cli, command: &VcCommand) -> Result<(), Failure> {
    match command {
        VcCommand::Issue(a) => issue(a),
        VcCommand::Verify(a) => verify(cli, a),
        VcCommand::Revoke(a) => revoke(a),
        VcCommand::Add { dir, file } => add(dir, file),
        VcCommand::List { dir, json } => list(dir, *json),
    }
}

/// An instant given as RFC 3339 or as a date (midnight UTC).
fn instant(flag: &str, text: &str) -> Result<OffsetDateTime, Failure> {
    let full = if text.len() == 10 { format!("{text}T00:00:00Z") } else { text.to_owned() };
    trust::datetime::parse(&full).ok_or_else(|| {
        Failure::input(anyhow!("{flag} '{text}': expected YYYY-MM-DD or RFC 3339 (2026-12-01T00:00:00Z)"))
    })
}

/// Where an issuer node is reached: its configured public URL, else the address it is serving at.
fn base_url(dir: &NodeDir) -> Result<String, Failure> {
    if let Some(url) = &dir.config.public_url {
        return Ok(url.trim_end_matches('/').to_owned());
    }
    node::run::served_url(&dir.path).map_err(|_| {
        Failure::input(anyhow!(
            "the status lists of {} are published by its node: start it first (`dfft serve {}`) or set public_url in its dfft.toml",
            dir.path.display(),
            dir.path.display()
        ))
    })
}

fn claim(a: &VcIssueArgs) -> Result<Claim, Failure> {
    if let Some(scheme) = &a.certification {
        if !trust::trust_list::CERTIFICATION_SCHEMES.contains(&scheme.as_str()) {
            return Err(Failure::input(anyhow!(
                "--certification '{scheme}': expected one of {}",
                trust::trust_list::CERTIFICATION_SCHEMES.join(", ")
            )));
        }
        return Ok(Claim::Certification { scheme: scheme.clone() });
    }
    if let Some(dataspace) = &a.member_of {
        return Ok(Claim::Membership { dataspace: dataspace.clone() });
    }
    if let (Some(name), Some(cc)) = (&a.legal_name, &a.established_in) {
        let cc = cc.to_ascii_uppercase();
        if cc.len() != 2 || !cc.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Failure::input(anyhow!(
                "--established-in '{cc}': expected an ISO 3166-1 alpha-2 code, e.g. US"
            )));
        }
        return Ok(Claim::LegalEntity { legal_name: name.clone(), jurisdiction: cc });
    }
    Err(Failure::input(anyhow!(
        "say what the credential attests: --certification, --member-of or --legal-name with --established-in"
    )))
}

fn issue(a: &VcIssueArgs) -> Result<(), Failure> {
    let dir = NodeDir::open(&a.dir).map_err(Failure::input)?;
    let claim = claim(a)?;
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or(OffsetDateTime::now_utc());
    let valid_from = a.valid_from.as_deref().map(|t| instant("--valid-from", t)).transpose()?.unwrap_or(now);
    let valid_until = match &a.valid_until {
        Some(t) => instant("--valid-until", t)?,
        None => valid_from + time::Duration::days(365),
    };
    if valid_until <= valid_from {
        return Err(Failure::input(anyhow!("--valid-until must be after --valid-from")));
    }
    let base = base_url(&dir)?;
    let form = if a.did_web { DidForm::Web } else { DidForm::Key };
    let request = IssueRequest { subject: a.subject.clone(), claim, valid_from, valid_until: Some(valid_until), form };
    let credential = issuer::issue(&dir.path, &dir.key, &base, &request, now).map_err(Failure::input)?;
    let text = serde_json::to_string_pretty(&credential).map_err(Failure::failed)? + "\n";
    match &a.out {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| Failure::failed(anyhow!("{}: {e}", path.display())))?;
            out(&format!(
                "issued {} to {}\n  id      {}\n  file    {}\n",
                request.claim.describe(),
                request.subject,
                credential.get("id").and_then(Value::as_str).unwrap_or("?"),
                path.display()
            ))
        }
        None => out(&text),
    }
}

fn read_json(path: &Path) -> Result<Value, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::input(anyhow!("{}: {e}", path.display())))?;
    trust::jcs::parse_slice(&bytes)
        .map_err(|e| Failure::input(anyhow!("{}: not a JSON credential: {e}", path.display())))
}

fn verify(cli: &Cli, a: &VcVerifyArgs) -> Result<(), Failure> {
    let credential = read_json(&a.file)?;
    let trust_list = crate::rulebook_cmd::trust_list(cli)?;
    let now = match &a.at {
        Some(t) => instant("--at", t)?,
        None => OffsetDateTime::now_utc(),
    };
    let verifier = node::credentials::Verifier::new(&node::config::TrustConfig::default());
    let http = reqwest::Client::builder().build().map_err(|e| Failure::failed(anyhow!("{e}")))?;
    let checking = node::credentials::Checking { verifier: &verifier, http: &http, trust_list: &trust_list, now };
    let result = runtime()?
        .block_on(async { node::credentials::check_credential(&checking, &credential, a.holder.as_deref()).await });
    let (valid, text, report) = match &result {
        Ok(v) => (
            true,
            format!(
                "valid: {} of {}\n  issuer       {}{}\n  valid until  {}\n  status       not revoked, not suspended\n",
                v.claim.describe(),
                v.subject,
                v.issuer,
                trust_list.issuer(&v.issuer).map(|i| format!(" ({}, accredited)", i.name)).unwrap_or_default(),
                v.valid_until.and_then(trust::datetime::format).unwrap_or_else(|| "no end".into()),
            ),
            json!({"valid": true, "kind": v.claim.kind(), "subject": v.subject, "issuer": v.issuer}),
        ),
        Err(e) => {
            (false, format!("invalid: {e}\n"), json!({"valid": false, "code": e.code(), "reason": e.to_string()}))
        }
    };
    if a.json {
        out(&format!("{report}\n"))?;
    } else {
        out(&text)?;
    }
    if valid {
        Ok(())
    } else {
        // The verdict is printed; the exit code says it too.
        Err(Failure { code: crate::exit::FAILURE, error: anyhow!("the credential is not valid") })
    }
}

fn revoke(a: &VcRevokeArgs) -> Result<(), Failure> {
    let dir = NodeDir::open(&a.dir).map_err(Failure::input)?;
    let change = if a.suspend {
        StatusChange::Suspend
    } else if a.reinstate {
        StatusChange::Reinstate
    } else {
        StatusChange::Revoke
    };
    let record = issuer::set_status(&dir.path, &a.id, change).map_err(Failure::input)?;
    let word = match change {
        StatusChange::Revoke => "revoked",
        StatusChange::Suspend => "suspended",
        StatusChange::Reinstate => "reinstated",
    };
    out(&format!(
        "{word} {} ({} of {}); verifiers see it when they next fetch the status list (their cache lasts at most {} s)\n",
        record.id,
        record.kind,
        record.subject,
        issuer::STATUS_LIST_VALIDITY_S
    ))
}

fn add(dir: &Path, file: &Path) -> Result<(), Failure> {
    let node_dir = NodeDir::open(dir).map_err(Failure::input)?;
    let credential = read_json(file)?;
    let stored = node::wallet::add(dir, &node_dir.did(), &credential).map_err(Failure::input)?;
    out(&format!("kept {} in {}; the node presents it to providers from now on\n", file.display(), stored.display()))
}

fn list(dir: &Path, json: bool) -> Result<(), Failure> {
    let node_dir = NodeDir::open(dir).map_err(Failure::input)?;
    let held = node::wallet::held(&node_dir.path);
    let issued = issuer::issued(&node_dir.path).map_err(Failure::failed)?;
    if json {
        let body = json!({"held": held, "issued": issued});
        return out(&format!("{}\n", serde_json::to_string_pretty(&body).unwrap_or_default()));
    }
    let mut text = format!("held ({}):\n", held.len());
    for c in &held {
        let subject = c.get("credentialSubject");
        let what = ["certification", "memberOf", "legalName"]
            .iter()
            .find_map(|k| subject.and_then(|s| s.get(*k)).and_then(Value::as_str).map(|v| format!("{k} {v}")))
            .unwrap_or_else(|| "?".into());
        let issuer = c.get("issuer").and_then(Value::as_str).unwrap_or("?");
        let until = c.get("validUntil").and_then(Value::as_str).unwrap_or("no end");
        text.push_str(&format!("  {what:<32} from {issuer}  until {until}\n"));
    }
    text.push_str(&format!("issued ({}):\n", issued.len()));
    for i in &issued {
        let state = if i.revoked {
            "revoked"
        } else if i.suspended {
            "suspended"
        } else {
            "valid"
        };
        text.push_str(&format!("  {:<46} {:<28} {:<9} to {}\n", i.id, i.kind, state, i.subject));
    }
    out(&text)
}

pub fn identity(command: &IdentityCommand) -> Result<(), Failure> {
    match command {
        IdentityCommand::Show { dir, json } => show(dir, *json),
        IdentityCommand::New { file } => new_key(file),
    }
}

fn show(dir: &Path, json: bool) -> Result<(), Failure> {
    let node_dir = NodeDir::open(dir).map_err(Failure::input)?;
    let key = node_dir.key.public_key();
    let base = node_dir.config.public_url.clone().or_else(|| node::run::served_url(dir).ok());
    let did_web = base.as_deref().and_then(|b| trust::did_web::did_for_url(b).ok());
    let log_key = node_dir.note_verifier_key().map_err(Failure::failed)?;
    let body = json!({
        "name": node_dir.config.name,
        "jurisdiction": node_dir.config.jurisdiction,
        "did": node_dir.did(),
        "did_web": did_web,
        "verification_method": key.to_verification_method(),
        "public_key_multibase": key.to_multibase(),
        "note_verifier_key": log_key,
    });
    if json {
        return out(&format!("{}\n", serde_json::to_string_pretty(&body).unwrap_or_default()));
    }
    out(&format!(
        "{} ({})\n  did:key              {}\n  did:web              {}\n  verification method  {}\n  note verifier key    {}\n",
        node_dir.config.name,
        node_dir.config.jurisdiction,
        node_dir.did(),
        did_web.unwrap_or_else(|| "(known once the node serves, or set public_url)".into()),
        key.to_verification_method(),
        log_key,
    ))
}

fn new_key(file: &Path) -> Result<(), Failure> {
    if file.exists() {
        return Err(Failure::input(anyhow!("{} exists; a key file is never overwritten", file.display())));
    }
    let key = KeyPair::from_seed(&node::random::bytes32());
    node::config::write_secret(file, &key.to_private_multibase()).map_err(Failure::failed)?;
    out(&format!("{}\n", key.public_key().to_did_key()))
}
