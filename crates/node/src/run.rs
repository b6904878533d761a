//! Starting and stopping a node: open its directory and database, bind, seed (TCK mode), serve
//! until told to stop.

use std::path::Path;

use anyhow::Context;
use store::SqliteStore;
use tokio::sync::watch;

use crate::app::{bind, serve, Law, Node, ServeOptions};
use crate::config::NodeDir;

/// The file where a serving node writes its base URL, so the CLI can find it.
pub const URL_FILE: &str = "serve.url";

/// A node serving in the background.
pub struct Running {
    pub node: Node<SqliteStore>,
    pub url: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting, drains in-flight requests, and waits for the server to end.
    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.context("the server task failed")?
    }
}

/// Opens the node in `dir` and serves it in the background.
pub async fn start(dir: &Path, options: &ServeOptions, law: Law) -> anyhow::Result<Running> {
    let node_dir = NodeDir::open(dir)?;
    let store = SqliteStore::open(&node_dir.database())
        .map_err(|e| anyhow::anyhow!("{}: {e}", node_dir.database().display()))?;
    let bound = bind(&node_dir, options).await?;
    let url = node_dir.public_url(&bound.addr);
    let node = Node::new(&node_dir, store, law, url.clone(), options.tck)?;
    if options.tck {
        crate::seed::tck(&node, dir).await.map_err(|e| anyhow::anyhow!("seeding the compatibility kit's data: {e}"))?;
    }
    std::fs::write(dir.join(URL_FILE), format!("{url}\n"))
        .with_context(|| format!("cannot write {}", dir.join(URL_FILE).display()))?;
    let (stop, mut stopped) = watch::channel(false);
    let shutdown = async move {
        while !*stopped.borrow() {
            if stopped.changed().await.is_err() {
                break;
            }
        }
    };
    let task = tokio::spawn(serve(node.clone(), bound.listener, shutdown));
    Ok(Running { node, url, stop, task })
}

/// The URL a node serving from `dir` wrote.
pub fn served_url(dir: &Path) -> anyhow::Result<String> {
    let text = std::fs::read_to_string(dir.join(URL_FILE)).with_context(|| {
        format!("no running node for {} (start one with `dfft serve {}`)", dir.display(), dir.display())
    })?;
    Ok(text.trim().to_owned())
}
