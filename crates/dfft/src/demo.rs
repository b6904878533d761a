//! `dfft demo`: nodes in one process on loopback — a health agency in Kigali (RW), a research
//! institute in Tokyo (JP), a hospital in Berlin (DE), two US companies and a CBPR accountability
//! agent — negotiating and transferring over real HTTP, each step decided by policy and law, under
//! a rulebook release its governance bodies endorsed, with certifications proven by credentials.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::anyhow;
use node::client::Admin;
use node::{NodeDir, Running, ServeOptions};
use serde_json::{json, Value};

use crate::args::{Cli, DemoArgs};
use crate::node_cmd::{runtime, shutdown_signal, wait_for};
use crate::{out, Failure};

pub struct Org {
    pub key: &'static str,
    pub name: &'static str,
    pub jurisdiction: &'static str,
}

pub const ORGS: [Org; 6] = [
    Org { key: "kigali", name: "Kigali Health Agency", jurisdiction: "RW" },
    Org { key: "tokyo", name: "Tokyo Research Institute", jurisdiction: "JP" },
    Org { key: "berlin", name: "Berlin University Hospital", jurisdiction: "DE" },
    Org { key: "boston", name: "Boston Analytics Inc.", jurisdiction: "US" },
    Org { key: "denver", name: "Denver Marketing LLC", jurisdiction: "US" },
    Org { key: "agent", name: "CBPR accountability agent", jurisdiction: "JP" },
];

/// Indexes into [`ORGS`].
pub const TOKYO: usize = 1;
pub const BOSTON: usize = 3;
pub const DENVER: usize = 4;
pub const AGENT: usize = 5;

/// East African Community partner states: the genomic offer is limited to recipients there.
const EAC: [&str; 8] = ["RW", "KE", "UG", "TZ", "BI", "SS", "CD", "SO"];

pub struct Flow {
    pub title: &'static str,
    pub consumer: usize,
    pub provider: usize,
    pub dataset: &'static str,
    pub safeguards: &'static [&'static str],
}

const FLOWS: [Flow; 4] = [
    Flow { title: "adequacy", consumer: 1, provider: 2, dataset: "cardiology-outcomes", safeguards: &[] },
    Flow { title: "no safeguard yet", consumer: 0, provider: 2, dataset: "cardiology-outcomes", safeguards: &[] },
    Flow {
        title: "safeguards declared",
        consumer: 0,
        provider: 2,
        dataset: "cardiology-outcomes",
        safeguards: &["scc", "tia"],
    },
    Flow { title: "offer limited to the EAC", consumer: 1, provider: 0, dataset: "malaria-genomes", safeguards: &[] },
];

pub fn run(cli: &Cli, args: &DemoArgs) -> Result<(), Failure> {
    crate::node_cmd::init_logging(if args.once { "error" } else { "warn" })?;
    let base = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::temp_dir().join(format!("dfft-demo-{}", std::process::id())),
    };
    if base.exists() && std::fs::read_dir(&base).map(|mut d| d.next().is_some()).unwrap_or(false) {
        return Err(Failure::input(anyhow!("{} is not empty; give --dir a new directory", base.display())));
    }
    prepare(&base).map_err(Failure::failed)?;
    let governed = crate::demo_trust::endorsed_release(cli, &base)?;
    out(&governed.story)?;
    let law = governed.law;
    runtime()?.block_on(async {
        let mut running = Vec::new();
        for org in &ORGS {
            let options = ServeOptions { listen: Some("127.0.0.1:0".into()), tck: false };
            running.push(node::start(&base.join(org.key), &options, law.clone()).await.map_err(Failure::failed)?);
        }
        let mut text = format!("dfft demo: {} nodes on loopback\n", ORGS.len());
        for (org, r) in ORGS.iter().zip(&running) {
            let _ = writeln!(text, "  {:<28} {}  {}  {}", org.name, org.jurisdiction, r.url, r.node.did);
        }
        out(&format!("{text}\n"))?;
        let mut rows = run_flows(&base, &running).await?;
        rows.extend(crate::demo_trust::cbpr_flows(&base, &running).await?);
        rows.extend(crate::demo_compute::queries(&base, &running).await?);
        out(&table(&rows))?;
        if args.once {
            for r in running {
                r.stop().await.map_err(Failure::failed)?;
            }
            return Ok(());
        }
        out(&format!(
            "\nThe nodes keep serving (directories in {}). Try:\n  dfft catalog {}/tokyo --provider {}\n  curl -H \"Authorization: Bearer $(cat {}/kigali/admin.token)\" {}/api/decisions\nCtrl-C to stop.\n",
            base.display(),
            base.display(),
            running[2].url,
            base.display(),
            running[0].url
        ))?;
        shutdown_signal().await;
        for r in running {
            r.stop().await.map_err(Failure::failed)?;
        }
        Ok(())
    })
}

/// Creates the three node directories and their datasets.
fn prepare(base: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(base)?;
    for org in &ORGS {
        NodeDir::init(&base.join(org.key), org.name, org.jurisdiction)?;
    }
    let rulebook = rules::Rulebook::embedded().map_err(|d| anyhow!("{d}"))?;
    let cardiology = base.join("berlin/cardiology-outcomes.csv");
    std::fs::write(&cardiology, synthetic_csv(5000, 7))?;
    let genomes = base.join("kigali/malaria-genomes.csv");
    std::fs::write(&genomes, synthetic_csv(1200, 11))?;
    let cases = base.join("kigali/malaria-cases.csv");
    std::fs::write(&cases, synthetic_csv(3000, 17))?;
    let customers = base.join("tokyo/customer-records.csv");
    std::fs::write(&customers, synthetic_csv(2000, 13))?;
    // Tokyo checks a certificate's status at every use, so the revocation shows at once.
    let config = base.join("tokyo").join(node::config::CONFIG_FILE);
    let text = std::fs::read_to_string(&config)?;
    std::fs::write(&config, text.replace("status_cache_seconds = 60", "status_cache_seconds = 0"))?;
    let eac_only = json!({
        "@id": "urn:dfft:offer:malaria-genomes:eac",
        "@type": "Offer",
        "permission": [{
            "action": "use",
            "constraint": [
                {"leftOperand": "spatial", "operator": "isAnyOf", "rightOperand": EAC},
                {"leftOperand": "purpose", "operator": "eq", "rightOperand": "research"}
            ]
        }],
        "prohibition": [{"action": "distribute"}]
    });
    // Berlin's offer: record ids pseudonymized for each recipient, birth years in decades, and the
    // data sealed to the recipient's key.
    let pseudonymized = json!({
        "@id": "urn:dfft:offer:cardiology-outcomes:protected",
        "@type": "Offer",
        "permission": [{
            "action": "use",
            "duty": [
                policy::pseudonymize(&["record_id"]),
                policy::generalize("birth_year", "band:10").map_err(|e| anyhow!("{e}"))?,
                policy::encrypt()
            ]
        }],
        "prohibition": [{"action": "distribute"}]
    });
    let datasets = [
        (
            "berlin",
            "cardiology-outcomes",
            "Cardiology outcomes 2019-2025 (pseudonymous)",
            &cardiology,
            "health",
            5000,
            Some(pseudonymized),
        ),
        (
            "kigali",
            "malaria-genomes",
            "Plasmodium and host genomes, malaria surveillance",
            &genomes,
            "genetic",
            1200,
            Some(eac_only),
        ),
        ("tokyo", "customer-records", "Customer records of a loyalty programme", &customers, "personal", 2000, None),
    ];
    crate::demo_compute::register_localized(base, &rulebook, &cases)?;
    for (org, id, title, file, category, subjects, policy) in datasets {
        let record = node::datasets::check(
            &rulebook,
            node::datasets::NewDataset {
                id: id.into(),
                file: file.to_string_lossy().into_owned(),
                categories: vec![category.into()],
                subjects,
                title: Some(title.into()),
                policy,
                compute: None,
            },
        )
        .map_err(|e| anyhow!(e))?;
        let dir = NodeDir::open(&base.join(org))?;
        let store = store::SqliteStore::open(&dir.database()).map_err(|e| anyhow!("{e}"))?;
        futures_block(store, record)?;
    }
    Ok(())
}

pub fn futures_block(store: store::SqliteStore, record: store::DatasetRecord) -> anyhow::Result<()> {
    use store::Store;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(store.commit(vec![store::Write::InsertDataset(record)])).map_err(|e| anyhow!("{e}"))
}

/// Rows of made-up records (no real person): id, birth year, sex, region, code, outcome.
fn synthetic_csv(rows: u32, seed: u64) -> String {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut text = String::from("record_id,birth_year,sex,region,code,outcome\n");
    for i in 0..rows {
        let _ = writeln!(
            text,
            "{},{},{},{},{},{}",
            10_000 + i,
            rng.u32(1935..2010),
            if rng.bool() { "F" } else { "M" },
            ["north", "south", "east", "west", "central"][rng.usize(0..5)],
            ["I21", "I25", "I50", "B54", "B50"][rng.usize(0..5)],
            ["recovered", "ongoing", "referred"][rng.usize(0..3)]
        );
    }
    text
}

pub struct Row {
    pub flow: String,
    pub route: String,
    pub data: String,
    pub outcome: String,
    pub why: String,
}

async fn run_flows(base: &Path, running: &[Running]) -> Result<Vec<Row>, Failure> {
    let mut rows = Vec::new();
    for flow in &FLOWS {
        let (row, _) = one_flow(base, running, flow, "research").await?;
        rows.push(row);
    }
    Ok(rows)
}

/// Negotiates `flow` for `purpose` and, when agreed, transfers; returns the row and the agreement.
pub async fn one_flow(
    base: &Path,
    running: &[Running],
    flow: &Flow,
    purpose: &str,
) -> Result<(Row, Option<String>), Failure> {
    let consumer = admin_of(base, ORGS[flow.consumer].key, &running[flow.consumer].url)?;
    let provider = &running[flow.provider];
    let safeguards: Vec<String> = flow.safeguards.iter().map(|s| (*s).to_owned()).collect();
    let started = consumer
        .start_negotiation(&provider.url, flow.dataset, Some(purpose), &safeguards)
        .await
        .map_err(|e| Failure::failed(anyhow!(e)))?;
    let pid = started.get("pid").and_then(Value::as_str).unwrap_or_default().to_owned();
    let end = wait_for(&consumer, &format!("/api/negotiations/{pid}"), &["FINALIZED", "TERMINATED"], 30).await?;
    let route = format!("{} → {}", ORGS[flow.provider].jurisdiction, ORGS[flow.consumer].jurisdiction);
    let data = format!(
        "{} ({purpose}){}",
        flow.dataset,
        if safeguards.is_empty() { String::new() } else { format!(" + {}", safeguards.join(", ")) }
    );
    let row = |outcome: &str, why: String| Row {
        flow: flow.title.into(),
        route: route.clone(),
        data: data.clone(),
        outcome: outcome.into(),
        why,
    };
    match end.get("state").and_then(Value::as_str) {
        Some("FINALIZED") => {
            let agreement = end.get("agreement_id").and_then(Value::as_str).unwrap_or_default().to_owned();
            let row = transfer_row(base, running, flow, &agreement, row).await?;
            Ok((row, Some(agreement)))
        }
        _ => Ok((row("refused", end.get("reason").and_then(Value::as_str).unwrap_or("no reason").to_owned()), None)),
    }
}

/// Transfers under `agreement`; the row says what arrived, or why the provider refused.
pub async fn transfer_row(
    base: &Path,
    running: &[Running],
    flow: &Flow,
    agreement: &str,
    row: impl Fn(&str, String) -> Row,
) -> Result<Row, Failure> {
    let consumer = admin_of(base, ORGS[flow.consumer].key, &running[flow.consumer].url)?;
    let provider = &running[flow.provider];
    let out_file = base.join(ORGS[flow.consumer].key).join(format!("{}.csv", flow.dataset));
    let me = NodeDir::open(&base.join(ORGS[flow.consumer].key)).map_err(Failure::failed)?;
    let received = match crate::transfer_cmd::pull(&consumer, &me.key, agreement, &out_file, 30, false).await {
        Ok(received) => received,
        Err(refused) => return Ok(row("refused", refused.error.to_string())),
    };
    let provider_view = provider_transfer(base, provider, flow.provider).await?;
    let same = provider_view.as_deref() == Some(received.sha256.as_str());
    let mut why = format!(
        "agreed, {} bytes, sha256 {}… {}",
        received.bytes,
        &received.sha256[..12],
        if same { "(both sides agree)" } else { "(HASHES DIFFER)" }
    );
    if let Some(transforms) = &received.transforms {
        why.push_str(&format!("; as the agreement requires: {transforms}"));
        if received.sealed {
            why.push_str("; opened with the consumer's key");
        }
    }
    Ok(row("transferred", why))
}

pub fn admin_of(base: &Path, key: &str, url: &str) -> Result<Admin, Failure> {
    let dir = NodeDir::open(&base.join(key)).map_err(Failure::failed)?;
    let http = reqwest::Client::builder().build().map_err(|e| Failure::failed(anyhow!(e)))?;
    Ok(Admin { http, base: url.to_owned(), token: dir.admin_token })
}

/// The SHA-256 the provider recorded for its newest transfer.
async fn provider_transfer(base: &Path, provider: &Running, index: usize) -> Result<Option<String>, Failure> {
    let admin = admin_of(base, ORGS[index].key, &provider.url)?;
    for _ in 0..50 {
        let list = admin.get("/api/transfers?limit=1").await.map_err(|e| Failure::failed(anyhow!(e)))?;
        if let Some(sha) = list.get(0).and_then(|t| t.get("content_sha256")).and_then(Value::as_str) {
            return Ok(Some(sha.to_owned()));
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Ok(None)
}

fn table(rows: &[Row]) -> String {
    let mut text = String::from("What happened, and why\n");
    for (i, row) in rows.iter().enumerate() {
        let _ = writeln!(text, "{}. {:<26} {}  {}", i + 1, row.flow, row.route, row.data);
        let _ = writeln!(text, "   {:<11} {}", row.outcome.to_uppercase(), wrap(&row.why, 100, 15));
    }
    text.push_str("\nEvery decision, with its legal basis, is in each node's management API: GET /api/decisions\n");
    text
}

fn wrap(text: &str, width: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split_whitespace() {
        if line > 0 && line + word.len() + 1 > width {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += word.len();
    }
    out
}
