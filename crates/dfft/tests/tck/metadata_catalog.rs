//! MET_01 and CAT_01: version metadata and the catalog (the node is the provider).
//! Kit sources: `Metadata01Test`, `Catalog01Test`, `HttpMetadataClient`, `HttpCatalogClient`.

use serde_json::Value;

use crate::harness::{Expect, Tck};
use crate::messages as msg;
use crate::schemas::schemas;

/// The `@id`s of a catalog's datasets.
fn dataset_ids(catalog: &Value) -> Vec<String> {
    let datasets = match catalog.get("dataset") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    datasets.iter().filter_map(|d| d.get("@id").and_then(Value::as_str)).map(str::to_owned).collect()
}

/// MET:01-01 Verify metadata request: `/.well-known/dspace-version` lists 2025-1 with a path and a
/// binding.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn met_01_01_version_metadata() {
    let tck = Tck::start().await;
    let url = format!("{}/.well-known/dspace-version", tck.node.base);
    let reply = tck.get(&url, false).await;
    let body = reply.body.unwrap_or_else(|| tck.fail(format!("GET {url}: no body")));
    if let Err(e) = schemas().check_version(&body) {
        tck.fail(e);
    }
    let versions = body.get("protocolVersions").and_then(Value::as_array).cloned().unwrap_or_default();
    let listed = versions.iter().any(|entry| {
        entry.get("version").and_then(Value::as_str) == Some(dsp::VERSION)
            && entry.get("path").is_some_and(|p| !p.is_null())
            && entry.get("binding").is_some_and(|b| !b.is_null())
    });
    if !listed {
        tck.fail(format!("no protocolVersions entry with version 2025-1, a path and a binding: {body}"));
    }
    tck.finish().await;
}

/// CAT:01-01 Verify catalog request: the Catalog lists dataset CAT0101.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cat_01_01_catalog_request() {
    let tck = Tck::start().await;
    let reply = tck.post(&tck.dsp("/catalog/request"), &msg::catalog_request(), Expect::Success).await;
    let catalog = reply.body.unwrap_or_else(|| tck.fail("the catalog request was answered without a body"));
    if catalog.get("@type").and_then(Value::as_str) != Some("Catalog") {
        tck.fail(format!("the catalog request was answered with {catalog}"));
    }
    let ids = dataset_ids(&catalog);
    if !ids.iter().any(|id| id == "CAT0101") {
        tck.fail(format!("the catalog does not list dataset CAT0101 (it lists {ids:?})"));
    }
    tck.finish().await;
}

/// CAT:01-02 Verify dataset request: `GET /catalog/datasets/CAT0102` is that Dataset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cat_01_02_dataset_request() {
    let tck = Tck::start().await;
    let url = tck.dsp("/catalog/datasets/CAT0102");
    let reply = tck.get(&url, false).await;
    let dataset = reply.body.unwrap_or_else(|| tck.fail(format!("GET {url}: no body")));
    let ty = dataset.get("@type").and_then(Value::as_str);
    let id = dataset.get("@id").and_then(Value::as_str);
    if (ty, id) != (Some("Dataset"), Some("CAT0102")) {
        tck.fail(format!("GET {url}: expected Dataset CAT0102, got {dataset}"));
    }
    tck.finish().await;
}

/// CAT:01-03 Verify dataset request not found: an unknown id gets a non-2xx CatalogError. The id
/// is the kit's `CAT_01_03_DATASETID=CAT0103`, which the node must not hold.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cat_01_03_dataset_not_found() {
    let tck = Tck::start().await;
    let url = tck.dsp("/catalog/datasets/CAT0103");
    let reply = tck.get(&url, true).await;
    let ty = reply.body.as_ref().and_then(|b| b.get("@type")).and_then(Value::as_str);
    if (200..300).contains(&reply.status) || ty != Some("CatalogError") {
        tck.fail(format!(
            "GET {url}: expected an error status with a CatalogError, got {} {:?}",
            reply.status, reply.body
        ));
    }
    tck.finish().await;
}
