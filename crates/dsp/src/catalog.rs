//! Catalog protocol messages: the request, the DCAT catalog and dataset answers (with ODRL
//! offers in `hasPolicy`), and `CatalogError`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{message, non_empty, type_tag, Context};
use crate::odrl::Offer;

type_tag!(
    CatalogRequestMessageTag = "CatalogRequestMessage",
    DatasetRequestMessageTag = "DatasetRequestMessage",
    CatalogTag = "Catalog",
    DatasetTag = "Dataset",
    DistributionTag = "Distribution",
    DataServiceTag = "DataService",
    CatalogErrorTag = "CatalogError",
);

message!(
    CatalogRequestMessage = "CatalogRequestMessage",
    DatasetRequestMessage = "DatasetRequestMessage",
    Catalog = "Catalog",
    Dataset = "Dataset",
    CatalogError = "CatalogError",
);

/// The distribution format of the HTTP pull transfer the node offers.
pub const HTTP_DATA_PULL: &str = "HttpData-PULL";

/// `POST /catalog/request`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogRequestMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: CatalogRequestMessageTag,
    /// Implementation-specific filter expressions, passed through untouched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Vec<Value>>,
}

impl CatalogRequestMessage {
    /// A request for the whole catalog.
    pub fn new() -> Self {
        CatalogRequestMessage { context: Context::dsp(), ty: CatalogRequestMessageTag, filter: None }
    }

    /// A request with filter expressions.
    pub fn filtered(filter: Vec<Value>) -> Self {
        CatalogRequestMessage { filter: Some(filter), ..CatalogRequestMessage::new() }
    }
}

impl Default for CatalogRequestMessage {
    fn default() -> Self {
        CatalogRequestMessage::new()
    }
}

/// A request for one dataset (the HTTPS binding uses `GET /catalog/datasets/:id` instead).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DatasetRequestMessage {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: DatasetRequestMessageTag,
    pub dataset: String,
}

impl DatasetRequestMessage {
    pub fn new(dataset: impl Into<String>) -> Self {
        DatasetRequestMessage { context: Context::dsp(), ty: DatasetRequestMessageTag, dataset: dataset.into() }
    }
}

/// A DCAT catalog: the answer to a catalog request (root: with `@context` and `participantId`)
/// or a catalog nested in another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Catalog {
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    context: Option<Context>,
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(rename = "@type")]
    ty: CatalogTag,
    #[serde(rename = "participantId", default, skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::dataset")]
    pub dataset: Vec<Dataset>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::catalog")]
    pub catalog: Vec<Catalog>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::service")]
    pub service: Vec<DataService>,
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "non_empty::distribution")]
    pub distribution: Vec<Distribution>,
}

impl Catalog {
    /// The catalog a participant answers a catalog request with.
    pub fn new(id: impl Into<String>, participant_id: impl Into<String>) -> Self {
        Catalog { context: Some(Context::dsp()), participant_id: Some(participant_id.into()), ..Catalog::nested(id) }
    }

    /// A catalog inside another catalog (no `@context`, no `participantId`).
    pub fn nested(id: impl Into<String>) -> Self {
        Catalog {
            context: None,
            id: id.into(),
            ty: CatalogTag,
            participant_id: None,
            dataset: Vec::new(),
            catalog: Vec::new(),
            service: Vec::new(),
            distribution: Vec::new(),
        }
    }

    /// Whether this is a root catalog (it has `@context`).
    pub fn is_root(&self) -> bool {
        self.context.is_some()
    }

    /// Adds a dataset (as an entry of this catalog: without its own `@context`).
    pub fn with_dataset(mut self, mut dataset: Dataset) -> Self {
        dataset.context = None;
        self.dataset.push(dataset);
        self
    }

    /// Adds a data service.
    pub fn with_service(mut self, service: DataService) -> Self {
        self.service.push(service);
        self
    }

    /// Adds a nested catalog.
    pub fn with_catalog(mut self, mut catalog: Catalog) -> Self {
        catalog.context = None;
        catalog.participant_id = None;
        self.catalog.push(catalog);
        self
    }

    /// Adds a distribution of the catalog itself.
    pub fn with_distribution(mut self, distribution: Distribution) -> Self {
        self.distribution.push(distribution);
        self
    }
}

/// A DCAT dataset with its offers (`hasPolicy`) and the ways to get it (`distribution`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    #[serde(rename = "@context", default, skip_serializing_if = "Option::is_none")]
    context: Option<Context>,
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    ty: Option<DatasetTag>,
    #[serde(rename = "hasPolicy", deserialize_with = "non_empty::has_policy")]
    pub has_policy: Vec<Offer>,
    #[serde(deserialize_with = "non_empty::distribution")]
    pub distribution: Vec<Distribution>,
}

impl Dataset {
    /// The answer to `GET /catalog/datasets/:id` (with `@context`); [`Catalog::with_dataset`]
    /// drops the context when the dataset is listed in a catalog.
    ///
    /// The offer's `target` is removed: in a catalog the dataset is the target, and the schema
    /// forbids repeating it.
    pub fn new(id: impl Into<String>, offer: Offer, distribution: Distribution) -> Self {
        Dataset {
            context: Some(Context::dsp()),
            id: id.into(),
            ty: Some(DatasetTag),
            has_policy: vec![untargeted(offer)],
            distribution: vec![distribution],
        }
    }

    /// Adds another offer (its `target` removed, as in [`Dataset::new`]).
    pub fn with_offer(mut self, offer: Offer) -> Self {
        self.has_policy.push(untargeted(offer));
        self
    }

    /// Adds another distribution.
    pub fn with_distribution(mut self, distribution: Distribution) -> Self {
        self.distribution.push(distribution);
        self
    }

    /// Whether this is a standalone dataset message (it has `@context`).
    pub fn is_root(&self) -> bool {
        self.context.is_some()
    }
}

fn untargeted(mut offer: Offer) -> Offer {
    offer.target = None;
    offer
}

/// One way to obtain a dataset: a format served by a data service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    #[serde(rename = "@type", default, skip_serializing_if = "Option::is_none")]
    ty: Option<DistributionTag>,
    pub format: String,
    #[serde(rename = "accessService")]
    pub access_service: AccessService,
    #[serde(
        rename = "hasPolicy",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "non_empty::has_policy"
    )]
    pub has_policy: Vec<Offer>,
}

impl Distribution {
    /// `format` served by the data service with id `access_service`.
    pub fn new(format: impl Into<String>, access_service: impl Into<String>) -> Self {
        Distribution {
            ty: Some(DistributionTag),
            format: format.into(),
            access_service: AccessService::Id(access_service.into()),
            has_policy: Vec::new(),
        }
    }

    /// An `HttpData-PULL` distribution served by the data service with id `access_service`.
    pub fn http_data_pull(access_service: impl Into<String>) -> Self {
        Distribution::new(HTTP_DATA_PULL, access_service)
    }

    /// `format` served by `service`, described inline.
    pub fn served_by(format: impl Into<String>, service: DataService) -> Self {
        Distribution { access_service: AccessService::Service(service), ..Distribution::new(format, "") }
    }
}

/// A distribution's `accessService`: a data service's id or the service itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AccessService {
    Id(String),
    Service(DataService),
}

/// A DCAT data service: the endpoint that serves datasets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataService {
    #[serde(rename = "@id")]
    pub id: String,
    #[serde(rename = "@type")]
    ty: DataServiceTag,
    #[serde(rename = "endpointURL")]
    pub endpoint_url: String,
    #[serde(
        rename = "servesDataset",
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "non_empty::serves_dataset"
    )]
    pub serves_dataset: Vec<Dataset>,
}

impl DataService {
    pub fn new(id: impl Into<String>, endpoint_url: impl Into<String>) -> Self {
        DataService { id: id.into(), ty: DataServiceTag, endpoint_url: endpoint_url.into(), serves_dataset: Vec::new() }
    }
}

/// The body of a failed catalog or dataset request (e.g. an unknown dataset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogError {
    #[serde(rename = "@context")]
    context: Context,
    #[serde(rename = "@type")]
    ty: CatalogErrorTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Vec<Value>>,
}

impl CatalogError {
    pub fn new(code: impl Into<String>, reason: impl Into<String>) -> Self {
        CatalogError {
            context: Context::dsp(),
            ty: CatalogErrorTag,
            code: Some(code.into()),
            reason: Some(vec![Value::String(reason.into())]),
        }
    }
}
