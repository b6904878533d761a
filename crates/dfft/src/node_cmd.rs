//! The node commands: `init`, `serve`, `dataset`, `token`, `catalog`, `negotiate`. Thin: the
//! work is in the `node` crate.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context};
use node::client::Admin;
use node::{NodeDir, ServeOptions};
use serde_json::Value;

use crate::args::{CatalogArgs, Cli, DatasetAddArgs, InitArgs, NegotiateArgs, QueryArgs, ServeArgs, TokenArgs};
use crate::{out, Failure};

pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(anyhow!("cannot start the runtime: {e}")))
}

pub fn init(cli: &Cli, args: &InitArgs) -> Result<(), Failure> {
    let rulebook = crate::rulebook_cmd::load(cli)?;
    let jurisdiction = args.jurisdiction.to_ascii_uppercase();
    rulebook.resolve_country(&jurisdiction).map_err(|e| Failure::input(anyhow!("--jurisdiction: {e}")))?;
    let dir = NodeDir::init(&args.dir, &args.name, &jurisdiction).map_err(Failure::input)?;
    store::SqliteStore::open(&dir.database())
        .map_err(|e| Failure::failed(anyhow!("{}: {e}", dir.database().display())))?;
    out(&format!(
        "created node '{}' ({}) in {}\n  identity     {}\n  admin token  {} (kept in {}/admin.token)\n  next         dfft dataset add {} --id ID --file FILE --category CAT --subjects N\n               dfft serve {}\n",
        dir.config.name,
        dir.config.jurisdiction,
        args.dir.display(),
        dir.did(),
        dir.admin_token,
        args.dir.display(),
        args.dir.display(),
        args.dir.display(),
    ))
}

pub fn init_logging(level: &str) -> Result<(), Failure> {
    let level: tracing::Level = level
        .parse()
        .map_err(|_| Failure::input(anyhow!("--log '{level}': expected error, warn, info, debug or trace")))?;
    let _ = tracing_subscriber::fmt().with_max_level(level).with_target(false).with_writer(std::io::stderr).try_init();
    Ok(())
}

pub fn serve(cli: &Cli, args: &ServeArgs) -> Result<(), Failure> {
    init_logging(&args.log)?;
    let law = crate::rulebook_cmd::load_law(cli, &args.dir)?;
    let options = ServeOptions { listen: args.listen.clone(), tck: args.tck };
    runtime()?.block_on(async {
        let running = node::start(&args.dir, &options, law).await.map_err(Failure::failed)?;
        crate::release_free_memory();
        out(&format!("listening on {}\n", running.url))?;
        tracing::info!(
            name = %running.node.config.name,
            jurisdiction = %running.node.config.jurisdiction,
            did = %running.node.did,
            dsp = %running.node.dsp_url,
            tck = args.tck,
            "node serving"
        );
        shutdown_signal().await;
        tracing::info!("shutting down: draining requests");
        running.stop().await.map_err(Failure::failed)
    })
}

/// Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

pub fn dataset_add(cli: &Cli, args: &DatasetAddArgs) -> Result<(), Failure> {
    let rulebook = crate::rulebook_cmd::load(cli)?;
    let dir = NodeDir::open(&args.dir).map_err(Failure::input)?;
    let policy = match &args.policy {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("--policy {}", path.display()))
                .map_err(Failure::input)?;
            Some(
                serde_json::from_str::<Value>(&text)
                    .map_err(|e| Failure::input(anyhow!("--policy {}: {e}", path.display())))?,
            )
        }
    };
    let new = node::datasets::NewDataset {
        id: args.id.clone(),
        file: args.file.to_string_lossy().into_owned(),
        categories: args.categories.clone(),
        subjects: args.subjects,
        title: args.title.clone(),
        policy,
        compute: compute_settings(args)?,
    };
    let record = node::datasets::check(&rulebook, new).map_err(|e| Failure::input(anyhow!(e)))?;
    if let Some(settings) = node::queries::ComputeSettings::of(&record) {
        let rows = node::queries::prepare(&dir.path, &record, &settings)
            .map_err(|e| Failure::input(anyhow!("--file: {e}")))?;
        out(&format!(
            "loaded {rows} rows for aggregate queries (compute-only; each consumer may spend ε {})\n",
            settings.budget
        ))?;
    }
    let store = store::SqliteStore::open(&dir.database()).map_err(|e| Failure::failed(anyhow!("{e}")))?;
    runtime()?.block_on(async {
        use store::Store;
        store
            .commit(vec![store::Write::InsertDataset(record.clone())])
            .await
            .map_err(|e| Failure::input(anyhow!(node::datasets::stored(e, &record.id))))
    })?;
    out(&format!(
        "added dataset '{}' ({}; {} subjects; {}) with offer {}\n",
        record.id,
        record.categories.join(", "),
        record.subjects,
        record.file,
        record.policy.get("@id").and_then(Value::as_str).unwrap_or("?")
    ))
}

pub fn dataset_list(dir: &Path, json: bool) -> Result<(), Failure> {
    let dir = NodeDir::open(dir).map_err(Failure::input)?;
    let store = store::SqliteStore::open(&dir.database()).map_err(|e| Failure::failed(anyhow!("{e}")))?;
    let records = runtime()?.block_on(async {
        use store::Store;
        store.datasets().await.map_err(|e| Failure::failed(anyhow!("{e}")))
    })?;
    if json {
        return out(&format!("{}\n", serde_json::to_string_pretty(&records).unwrap_or_default()));
    }
    let mut text = String::new();
    for r in &records {
        text.push_str(&format!(
            "{:<24} {:<28} {:>8} subjects  {}\n",
            r.id,
            r.categories.join(","),
            r.subjects,
            r.title
        ));
    }
    if records.is_empty() {
        text.push_str("no datasets yet: dfft dataset add DIR --id ID --file FILE --category CAT --subjects N\n");
    }
    out(&text)
}

/// The compute-only settings from `--compute-only`, `--schema` and `--budget`.
fn compute_settings(args: &DatasetAddArgs) -> Result<Option<node::queries::ComputeSettings>, Failure> {
    if !args.compute_only {
        return Ok(None);
    }
    let schema = match &args.schema {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::input(anyhow!("--schema {}: {e}", path.display())))?;
            serde_json::from_str(&text).map_err(|e| Failure::input(anyhow!("--schema {}: {e}", path.display())))?
        }
        None => compute::infer_schema(&args.file, 1000).map_err(|e| Failure::input(anyhow!("--file: {e}")))?,
    };
    Ok(Some(node::queries::ComputeSettings { schema, budget: args.budget }))
}

pub fn query(args: &QueryArgs) -> Result<(), Failure> {
    let dir = NodeDir::open(&args.dir).map_err(Failure::input)?;
    let provider = node::management::dsp_base(&args.provider);
    let base = provider.trim_end_matches(node::config::DSP_PATH).to_owned();
    let answer = runtime()?.block_on(async {
        let credentials = node::wallet::held(&dir.path);
        let me = node::client::Identity { key: &dir.key, config: &dir.config, credentials: &credentials };
        node::queries::ask(&http()?, me, &provider, &base, &args.dataset, &args.sql, args.epsilon)
            .await
            .map_err(|e| Failure::failed(anyhow!("the query was refused: {e}")))
    })?;
    if args.json {
        return out(&format!("{}\n", serde_json::to_string_pretty(&answer).unwrap_or_default()));
    }
    let mut text = String::new();
    let columns: Vec<&str> =
        answer.get("columns").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    text.push_str(&columns.join("\t"));
    text.push('\n');
    for row in answer.get("rows").and_then(Value::as_array).into_iter().flatten() {
        let cells: Vec<String> =
            row.as_array().into_iter().flatten().map(|c| c.to_string().trim_matches('"').to_owned()).collect();
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    let number = |k: &str| answer.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    text.push_str(&format!(
        "ε spent {:.3}, ε left {:.3} of {:.3} ({})\n",
        number("epsilon_spent"),
        number("epsilon_left"),
        number("budget"),
        answer.get("mechanism").and_then(Value::as_str).unwrap_or("")
    ));
    out(&text)
}

pub fn token(args: &TokenArgs) -> Result<(), Failure> {
    let dir = NodeDir::open(&args.dir).map_err(Failure::input)?;
    if !(1..=node::token::MAX_LIFETIME_S).contains(&args.lifetime) {
        return Err(Failure::input(anyhow!(
            "--lifetime {}: must be 1..={} seconds",
            args.lifetime,
            node::token::MAX_LIFETIME_S
        )));
    }
    let audience = node::management::dsp_base(&args.audience);
    let credentials = node::wallet::held(&dir.path);
    let me = node::client::Identity { key: &dir.key, config: &dir.config, credentials: &credentials };
    out(&format!("{}\n", node::client::bearer(me, &audience, args.lifetime, args.reusable)))
}

fn http() -> Result<reqwest::Client, Failure> {
    reqwest::Client::builder().build().map_err(|e| Failure::failed(anyhow!("{e}")))
}

pub fn catalog(args: &CatalogArgs) -> Result<(), Failure> {
    let dir = NodeDir::open(&args.dir).map_err(Failure::input)?;
    let provider = node::management::dsp_base(&args.provider);
    let catalog = runtime()?.block_on(async {
        let credentials = node::wallet::held(&dir.path);
        let me = node::client::Identity { key: &dir.key, config: &dir.config, credentials: &credentials };
        node::client::catalog(&http()?, me, &provider).await.map_err(|e| Failure::failed(anyhow!(e)))
    })?;
    if args.json {
        return out(&format!("{}\n", serde_json::to_string_pretty(&catalog).unwrap_or_default()));
    }
    let mut text = format!(
        "catalog of {} ({})\n",
        catalog.get("title").and_then(Value::as_str).unwrap_or("?"),
        catalog.get("participantId").and_then(Value::as_str).unwrap_or("?")
    );
    for dataset in catalog.get("dataset").and_then(Value::as_array).into_iter().flatten() {
        let law = dataset.get("https://w3id.org/dfft/ns#law");
        let field = |k: &str| law.and_then(|l| l.get(k)).and_then(Value::as_str).unwrap_or("?").to_owned();
        let obtainable = law.and_then(|l| l.get("obtainable")).and_then(Value::as_bool).unwrap_or(false);
        text.push_str(&format!(
            "  {:<24} {:<40} law: {:<11} offer: {:<8} {}\n",
            dataset.get("@id").and_then(Value::as_str).unwrap_or("?"),
            dataset.get("title").and_then(Value::as_str).unwrap_or(""),
            field("verdict"),
            field("policy"),
            if obtainable { "obtainable" } else { "not obtainable" },
        ));
    }
    out(&text)
}

/// The management API of the node serving from `dir`.
pub fn admin(dir: &Path) -> Result<Admin, Failure> {
    let node_dir = NodeDir::open(dir).map_err(Failure::input)?;
    let base = node::run::served_url(dir).map_err(Failure::input)?;
    Ok(Admin { http: http()?, base, token: node_dir.admin_token })
}

pub fn negotiate(args: &NegotiateArgs) -> Result<(), Failure> {
    let admin = admin(&args.dir)?;
    runtime()?.block_on(async {
        let started = admin
            .start_negotiation(&args.provider, &args.dataset, Some(&args.purpose), &args.safeguards)
            .await
            .map_err(|e| Failure::failed(anyhow!(e)))?;
        let pid = started.get("pid").and_then(Value::as_str).unwrap_or_default().to_owned();
        let end =
            wait_for(&admin, &format!("/api/negotiations/{pid}"), &["FINALIZED", "TERMINATED"], args.timeout).await?;
        report_negotiation(&admin, &end, args.json).await
    })
}

async fn report_negotiation(admin: &Admin, end: &Value, json: bool) -> Result<(), Failure> {
    let state = end.get("state").and_then(Value::as_str).unwrap_or("?");
    let agreement = match end.get("agreement_id").and_then(Value::as_str) {
        Some(id) => admin.get(&format!("/api/agreements/{id}")).await.ok(),
        None => None,
    };
    if json {
        let body = serde_json::json!({"negotiation": end, "agreement": agreement});
        out(&format!("{}\n", serde_json::to_string_pretty(&body).unwrap_or_default()))?;
    } else if state == "FINALIZED" {
        let mut text =
            format!("FINALIZED: agreement {}\n", end.get("agreement_id").and_then(Value::as_str).unwrap_or("?"));
        for o in agreement.as_ref().and_then(|a| a.get("obligations")).and_then(Value::as_array).into_iter().flatten() {
            let action = o.get("action").and_then(Value::as_str).unwrap_or_default();
            let id = action.rsplit(['#', '/']).next().unwrap_or(action);
            text.push_str(&format!("  obligation: {id} ({action})\n"));
        }
        text.push_str("next: dfft transfer DIR --agreement ID --out FILE\n");
        out(&text)?;
    } else {
        out(&format!("TERMINATED: {}\n", end.get("reason").and_then(Value::as_str).unwrap_or("no reason given")))?;
    }
    if state == "FINALIZED" {
        Ok(())
    } else {
        Err(Failure::failed(anyhow!("the negotiation did not reach an agreement")))
    }
}

/// Polls a management resource until its `state` is one of `ends`.
pub async fn wait_for(admin: &Admin, path: &str, ends: &[&str], timeout_s: u64) -> Result<Value, Failure> {
    let deadline = Instant::now() + Duration::from_secs(timeout_s);
    let mut pause = Duration::from_millis(20);
    loop {
        let value = admin.get(path).await.map_err(|e| Failure::failed(anyhow!(e)))?;
        let state = value.get("state").and_then(Value::as_str).unwrap_or_default();
        if ends.contains(&state) {
            return Ok(value);
        }
        if Instant::now() >= deadline {
            return Err(Failure::failed(anyhow!("still {state} after {timeout_s} s ({path})")));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}
