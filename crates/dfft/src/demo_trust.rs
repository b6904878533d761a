//! The demo's trust chapter: the rulebook runs only once its governance bodies endorse it, and a
//! US company obtains Japanese personal data only while it holds an APEC CBPR certification —
//! a Verifiable Credential from an accredited accountability agent — and loses access when the
//! agent revokes it.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

use anyhow::anyhow;
use governance::{Manifest, Role};
use node::issuer::{self, DidForm, IssueRequest, StatusChange};
use node::{NodeDir, Running};
use rules::Sources;
use trust::{Claim, KeyPair};

use crate::args::Cli;
use crate::demo::{one_flow, transfer_row, Flow, Row, AGENT, BOSTON, DENVER, ORGS, TOKYO};
use crate::release_cmd::{ENDORSEMENTS_DIR, RELEASE_FILE};
use crate::rulebook_cmd::GOVERNANCE_FILE;
use crate::Failure;

/// The law every demo node runs under, and what happened on the way to it.
pub struct Governed {
    pub law: node::Law,
    pub story: String,
}

/// The demo's governance bodies: (name, role, jurisdiction).
const BODIES: [(&str, Role, &str); 4] = [
    ("DFFT secretariat (demo)", Role::Secretariat, ""),
    ("Japan, data protection authority (demo)", Role::Government, "JP"),
    ("Germany, data protection authority (demo)", Role::Government, "DE"),
    ("Multistakeholder advisory body (demo)", Role::Advisory, ""),
];

/// Writes the rulebook (from `--rulebook` or built in) to `base/release` with a trust list that
/// accredits the demo's accountability agent, makes a release of it, and has the governance
/// bodies endorse it: first two of them (a node refuses the release, and says what is missing),
/// then all four (in force).
pub fn endorsed_release(cli: &Cli, base: &Path) -> Result<Governed, Failure> {
    let failed = |e: anyhow::Error| Failure::failed(e);
    let release = base.join("release");
    let sources = match &cli.rulebook {
        Some(dir) => Sources::from_dir(dir).map_err(|e| Failure::input(anyhow!("{}: {e}", dir.display())))?,
        None => Sources::embedded(),
    };
    let agent = NodeDir::open(&base.join(ORGS[AGENT].key)).map_err(failed)?;
    let trust_list = format!(
        "# Demo trust list: the demo's accountability agent, accredited for CBPR certifications.\n[[issuer]]\ndid = \"{}\"\nname = \"{}\"\naccredited = [\"certification:apec-cbpr\", \"certification:global-cbpr\"]\n",
        agent.did(),
        ORGS[AGENT].name
    );
    for file in &sources.files {
        let text = if file.path == trust::trust_list::FILE_NAME { &trust_list } else { &file.text };
        let path = release.join(&file.path);
        std::fs::create_dir_all(path.parent().unwrap_or(&release)).map_err(|e| failed(e.into()))?;
        std::fs::write(&path, text).map_err(|e| failed(e.into()))?;
    }
    if !sources.files.iter().any(|f| f.path == trust::trust_list::FILE_NAME) {
        std::fs::write(release.join(trust::trust_list::FILE_NAME), &trust_list).map_err(|e| failed(e.into()))?;
    }
    let sources = Sources::from_dir(&release).map_err(|e| failed(e.into()))?;
    let today = node::app::today();
    let rulebook = rules::Rulebook::from_sources(&sources).map_err(|d| failed(anyhow!("{d}")))?;
    let manifest = Manifest::new(&sources, "dfft rulebook (demo release)", &rulebook.release.version, &today)
        .map_err(|e| failed(anyhow!(e)))?;
    std::fs::write(release.join(RELEASE_FILE), manifest.to_json_pretty()).map_err(|e| failed(e.into()))?;

    // The governance file: who the bodies are and how many of each must endorse.
    let keys: Vec<KeyPair> = BODIES.iter().map(|_| KeyPair::from_seed(&node::random::bytes32())).collect();
    let mut config = String::from("name = \"DFFT rulebook governance (demo)\"\n");
    for ((name, role, jurisdiction), key) in BODIES.iter().zip(&keys) {
        let _ = write!(
            config,
            "\n[[member]]\ndid = \"{}\"\nname = \"{name}\"\nrole = \"{}\"\n",
            key.public_key().to_did_key(),
            role.as_str()
        );
        if !jurisdiction.is_empty() {
            let _ = writeln!(config, "jurisdiction = \"{jurisdiction}\"");
        }
    }
    config.push_str("\n[threshold]\nsecretariat = 1\ngovernment = 2\nadvisory = 1\n");
    let governance = base.join(GOVERNANCE_FILE);
    std::fs::write(&governance, config).map_err(|e| failed(e.into()))?;

    let mut story = format!(
        "Rulebook release {} (digest {}…), effective {today}; in force when the secretariat, 2 government members and 1 advisory member endorse it.\n",
        manifest.version,
        &manifest.digest()[..16]
    );
    let endorse = |index: usize| -> Result<(), Failure> {
        let (_, role, _) = BODIES[index];
        let key = &keys[index];
        let document = governance::endorse(&manifest, key, role, time::OffsetDateTime::now_utc())
            .map_err(|e| failed(anyhow!(e)))?;
        let dir = release.join(ENDORSEMENTS_DIR);
        std::fs::create_dir_all(&dir).map_err(|e| failed(e.into()))?;
        let name = format!("{}.json", index + 1);
        std::fs::write(dir.join(name), serde_json::to_string_pretty(&document).unwrap_or_default())
            .map_err(|e| failed(e.into()))
    };
    endorse(0)?;
    endorse(1)?;
    match crate::release_cmd::load_in_force(&release, &governance, &today) {
        Ok(_) => return Err(failed(anyhow!("the demo release was in force with two endorsements"))),
        Err(refused) => {
            let _ = writeln!(story, "  endorsed by the secretariat and Japan only → a node refuses it:");
            for line in refused.error.to_string().lines() {
                let _ = writeln!(story, "    {line}");
            }
        }
    }
    endorse(2)?;
    endorse(3)?;
    let (rulebook, in_force) = crate::release_cmd::load_in_force(&release, &governance, &today)?;
    let _ = writeln!(
        story,
        "  endorsed by Germany and the advisory body too → in force; every node runs it (check: dfft rulebook verify {} --governance {})\n",
        release.display(),
        governance.display()
    );
    let trust_list = crate::rulebook_cmd::trust_list_of(&in_force)?;
    Ok(Governed { law: node::Law { rulebook: Arc::new(rulebook), trust_list: Arc::new(trust_list) }, story })
}

const CUSTOMERS: &str = "customer-records";

/// Denver (uncertified) is refused Tokyo's customer records; Boston, certified by the agent,
/// obtains them; the agent revokes Boston's certificate and Boston's next transfer is refused.
pub async fn cbpr_flows(base: &Path, running: &[Running]) -> Result<Vec<Row>, Failure> {
    let failed = |e: anyhow::Error| Failure::failed(e);
    let mut rows = Vec::new();
    let uncertified =
        Flow { title: "no CBPR certificate", consumer: DENVER, provider: TOKYO, dataset: CUSTOMERS, safeguards: &[] };
    rows.push(one_flow(base, running, &uncertified, "service-provision").await?.0);

    // The agent certifies Boston; Boston keeps the credential and presents it from now on.
    let agent = NodeDir::open(&base.join(ORGS[AGENT].key)).map_err(failed)?;
    let boston = NodeDir::open(&base.join(ORGS[BOSTON].key)).map_err(failed)?;
    let now = time::OffsetDateTime::now_utc();
    let request = IssueRequest {
        subject: boston.did(),
        claim: Claim::Certification { scheme: "apec-cbpr".into() },
        valid_from: now,
        valid_until: Some(now + time::Duration::days(365)),
        form: DidForm::Key,
    };
    let credential = issuer::issue(&agent.path, &agent.key, &running[AGENT].url, &request, now).map_err(failed)?;
    node::wallet::add(&boston.path, &boston.did(), &credential).map_err(failed)?;
    let id = credential.get("id").and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();

    let certified = Flow {
        title: "CBPR credential presented",
        consumer: BOSTON,
        provider: TOKYO,
        dataset: CUSTOMERS,
        safeguards: &[],
    };
    let (row, agreement) = one_flow(base, running, &certified, "service-provision").await?;
    rows.push(row);
    let Some(agreement) = agreement else {
        return Ok(rows);
    };

    // Revoked: Tokyo decides again when the next transfer starts.
    issuer::set_status(&agent.path, &id, StatusChange::Revoke).map_err(failed)?;
    let revoked =
        Flow { title: "certificate revoked", consumer: BOSTON, provider: TOKYO, dataset: CUSTOMERS, safeguards: &[] };
    let route = format!("{} → {}", ORGS[TOKYO].jurisdiction, ORGS[BOSTON].jurisdiction);
    let data = format!("{CUSTOMERS}, next transfer under the same agreement");
    let row = |outcome: &str, why: String| Row {
        flow: revoked.title.into(),
        route: route.clone(),
        data: data.clone(),
        outcome: outcome.into(),
        why,
    };
    rows.push(transfer_row(base, running, &revoked, &agreement, row).await?);
    Ok(rows)
}
