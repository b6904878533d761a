//! Checking what a caller presents: its Verifiable Presentation (bound to the request token's
//! audience and nonce), then each credential in it — proof, accredited issuer (the trust list of
//! the release in force), validity, holder, and revocation/suspension from the issuer's status
//! list. Status lists and `did:web` documents are fetched over HTTP and kept in bounded caches.
//!
//! A bad presentation (forged, for another audience, answering another nonce, signed by someone
//! else) refuses the request. A credential that fails is not counted, and its reason travels with
//! the caller into the decision, so a refusal says why (e.g. "revoked: …").
//!
//! Only issuers on the trust list cause fetches: a caller cannot make the node fetch URLs of its
//! choosing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use time::OffsetDateTime;
use trust::did_web::DocumentResolver;
use trust::{
    Claim, CredentialContext, CredentialError, PresentationCheck, TrustList, VerifiedCredential, VerifiedStatusList,
};

use crate::config::TrustConfig;

/// The largest status list or DID document fetched (a status list of 131,072 entries, even
/// random, compresses to about 22 KB).
const MAX_FETCH_BYTES: usize = 1 << 20;
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a DID document is reused.
const DOCUMENT_TTL: Duration = Duration::from_secs(300);

/// A small cache with expiry and a size bound; when full, the entry expiring soonest goes.
#[derive(Debug)]
struct Cache<T> {
    entries: HashMap<String, (Instant, T)>,
    max: usize,
}

impl<T: Clone> Cache<T> {
    fn new(max: usize) -> Self {
        Cache { entries: HashMap::new(), max: max.max(1) }
    }

    fn get(&self, key: &str, now: Instant) -> Option<T> {
        self.entries.get(key).filter(|(expires, _)| *expires > now).map(|(_, v)| v.clone())
    }

    fn put(&mut self, key: String, value: T, expires: Instant) {
        if !self.entries.contains_key(&key) && self.entries.len() >= self.max {
            let soonest = self.entries.iter().min_by_key(|(_, (e, _))| *e).map(|(k, _)| k.clone());
            if let Some(soonest) = soonest {
                self.entries.remove(&soonest);
            }
        }
        self.entries.insert(key, (expires, value));
    }
}

/// The node's caches of fetched, verified status lists and DID documents.
#[derive(Debug)]
pub struct Verifier {
    status: Mutex<Cache<Arc<VerifiedStatusList>>>,
    documents: Mutex<Cache<Value>>,
    status_ttl: Duration,
}

impl Verifier {
    pub fn new(config: &TrustConfig) -> Verifier {
        Verifier {
            status: Mutex::new(Cache::new(config.cache_entries)),
            documents: Mutex::new(Cache::new(config.cache_entries)),
            status_ttl: Duration::from_secs(config.status_cache_seconds),
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// What a caller's presentation established.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Presented {
    pub certifications: Vec<String>,
    pub memberships: Vec<String>,
    /// From a verified legal-entity credential.
    pub jurisdiction: Option<String>,
    /// Accepted credentials, in words ("apec-cbpr certification from did:key:…").
    pub accepted: Vec<String>,
    /// Credentials not counted, each with its reason.
    pub rejected: Vec<String>,
}

/// What a caller and the node share for one check.
pub struct Checking<'a> {
    pub verifier: &'a Verifier,
    pub http: &'a reqwest::Client,
    pub trust_list: &'a TrustList,
    pub now: OffsetDateTime,
}

/// Checks a presentation made for `audience` answering `challenge`, by `holder` (the token's
/// signer). `Err` is the reason to refuse the request.
pub async fn check_presentation(
    c: &Checking<'_>,
    vp: &Value,
    audience: &str,
    challenge: &str,
    holder: &str,
) -> Result<Presented, String> {
    // The holder signs with its did:key, so the presentation itself needs no fetch.
    let verified = {
        let resolver = DocumentResolver::new();
        let check = PresentationCheck { now: c.now, domain: audience, challenge, resolver: &resolver };
        trust::verify_presentation(vp, &check).map_err(|e| format!("presentation refused ({}): {e}", e.code()))?
    };
    if verified.holder != holder {
        return Err(format!(
            "presentation refused (not-holder): it is held by {} but the token is signed by {holder}",
            verified.holder
        ));
    }
    let mut presented = Presented::default();
    for (n, credential) in verified.credentials.iter().enumerate() {
        match check_credential(c, credential, Some(holder)).await {
            Ok(v) => {
                presented.accepted.push(format!("{} from {}", v.claim.describe(), v.issuer));
                match v.claim {
                    Claim::Certification { scheme } => {
                        if !presented.certifications.contains(&scheme) {
                            presented.certifications.push(scheme);
                        }
                    }
                    Claim::Membership { dataspace } => presented.memberships.push(dataspace),
                    Claim::LegalEntity { jurisdiction, .. } => presented.jurisdiction = Some(jurisdiction),
                }
            }
            Err(e) => {
                presented.rejected.push(format!("credential {} ({}) not accepted: {e}", n + 1, label(credential)))
            }
        }
    }
    Ok(presented)
}

/// A short label for a credential that may not verify: its claimed kind and id.
fn label(credential: &Value) -> String {
    let kind = claimed_kind(credential);
    let id = credential.get("id").and_then(Value::as_str).unwrap_or("no id");
    format!("{kind}, {id}")
}

/// The kind a credential claims to be, before it is verified.
fn claimed_kind(credential: &Value) -> String {
    let subject = credential.get("credentialSubject");
    let text = |k: &str| subject.and_then(|s| s.get(k)).and_then(Value::as_str);
    if let Some(scheme) = text("certification") {
        format!("certification:{scheme}")
    } else if let Some(dataspace) = text("memberOf") {
        format!("membership:{dataspace}")
    } else if text("legalName").is_some() {
        "legal-entity".to_owned()
    } else {
        "unknown kind".to_owned()
    }
}

fn issuer_of(credential: &Value) -> String {
    match credential.get("issuer") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Object(o)) => o.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
        _ => String::new(),
    }
}

/// Verifies one credential, fetching what it needs (only for issuers on the trust list).
pub async fn check_credential(
    c: &Checking<'_>,
    credential: &Value,
    holder: Option<&str>,
) -> Result<VerifiedCredential, CredentialError> {
    let issuer = issuer_of(credential);
    if c.trust_list.issuer(&issuer).is_none() {
        return Err(CredentialError::UntrustedIssuer { issuer, kind: claimed_kind(credential) });
    }
    let mut resolver = DocumentResolver::new();
    if issuer.starts_with("did:web:") {
        if let Ok(document) = document(c, &issuer).await {
            resolver.add(&issuer, document);
        }
    }
    let mut lists: HashMap<String, Arc<VerifiedStatusList>> = HashMap::new();
    for url in trust::status_urls(credential) {
        if let Ok(list) = status_list(c, &url, &resolver).await {
            lists.insert(url, list);
        }
    }
    let ctx =
        CredentialContext { now: c.now, trust_list: c.trust_list, resolver: &resolver, status_lists: &lists, holder };
    trust::verify_credential(credential, &ctx)
}

async fn document(c: &Checking<'_>, did: &str) -> Result<Value, String> {
    let cached = lock(&c.verifier.documents).get(did, Instant::now());
    if let Some(doc) = cached {
        return Ok(doc);
    }
    let url = trust::did_web::document_url(did, true).map_err(|e| e.to_string())?;
    let doc = fetch_json(c.http, &url).await?;
    lock(&c.verifier.documents).put(did.to_owned(), doc.clone(), Instant::now() + DOCUMENT_TTL);
    Ok(doc)
}

async fn status_list(
    c: &Checking<'_>,
    url: &str,
    resolver: &DocumentResolver,
) -> Result<Arc<VerifiedStatusList>, String> {
    let cached = lock(&c.verifier.status).get(url, Instant::now());
    if let Some(list) = cached {
        return Ok(list);
    }
    let fetched = fetch_json(c.http, url).await?;
    let list = Arc::new(trust::verify_status_list(&fetched, c.now, resolver).map_err(|e| e.to_string())?);
    let mut ttl = c.verifier.status_ttl;
    if let Some(until) = list.valid_until {
        let left = (until - c.now).whole_seconds().max(0);
        ttl = ttl.min(Duration::from_secs(u64::try_from(left).unwrap_or(0)));
    }
    if !ttl.is_zero() {
        lock(&c.verifier.status).put(url.to_owned(), Arc::clone(&list), Instant::now() + ttl);
    }
    Ok(list)
}

/// GETs a JSON document of at most [`MAX_FETCH_BYTES`].
async fn fetch_json(http: &reqwest::Client, url: &str) -> Result<Value, String> {
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(format!("{url}: only http(s) URLs are fetched"));
    }
    let mut response =
        http.get(url).timeout(FETCH_TIMEOUT).send().await.map_err(|e| format!("cannot fetch {url}: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("{url}: {}", response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| format!("{url}: {e}"))? {
        if body.len() + chunk.len() > MAX_FETCH_BYTES {
            return Err(format!("{url}: larger than {MAX_FETCH_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    trust::jcs::parse_slice(&body).map_err(|e| format!("{url}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trust::KeyPair;

    fn checking<'a>(verifier: &'a Verifier, http: &'a reqwest::Client, trust_list: &'a TrustList) -> Checking<'a> {
        let now = time::OffsetDateTime::from_unix_timestamp(1_790_000_000).expect("a time");
        Checking { verifier, http, trust_list, now }
    }

    /// A holder's presentation of one credential from an issuer nobody accredited.
    fn presentation(holder: &KeyPair, audience: &str, challenge: &str, now: OffsetDateTime) -> Value {
        let issuer = KeyPair::from_seed(&[3; 32]);
        let draft = trust::CredentialDraft {
            id: "urn:uuid:00000000-0000-4000-8000-000000000001".into(),
            issuer: issuer.public_key().to_did_key(),
            subject: holder.public_key().to_did_key(),
            claim: Claim::Certification { scheme: "apec-cbpr".into() },
            valid_from: now - time::Duration::days(1),
            valid_until: None,
            status: vec![],
        };
        let vc = trust::issue(&draft, &issuer, &issuer.public_key().to_verification_method(), now).expect("issue");
        let did = holder.public_key().to_did_key();
        trust::present(holder, &did, &holder.public_key().to_verification_method(), &[vc], audience, challenge, now)
            .expect("present")
    }

    #[tokio::test]
    async fn presentations_for_another_audience_nonce_or_holder_refuse_the_request() {
        let (verifier, http, list) =
            (Verifier::new(&TrustConfig::default()), reqwest::Client::new(), TrustList::default());
        let c = checking(&verifier, &http, &list);
        let holder = KeyPair::from_seed(&[1; 32]);
        let did = holder.public_key().to_did_key();
        let vp = presentation(&holder, "http://p/dsp", "nonce-1", c.now);

        let presented =
            check_presentation(&c, &vp, "http://p/dsp", "nonce-1", &did).await.expect("a good presentation");
        assert!(presented.certifications.is_empty(), "the issuer is not accredited");
        assert!(presented.rejected[0].contains("not trusted"), "{:?}", presented.rejected);

        let other_audience = check_presentation(&c, &vp, "http://q/dsp", "nonce-1", &did).await.expect_err("audience");
        assert!(other_audience.contains("wrong-audience"), "{other_audience}");
        let replayed = check_presentation(&c, &vp, "http://p/dsp", "nonce-2", &did).await.expect_err("challenge");
        assert!(replayed.contains("wrong-challenge"), "{replayed}");
        let someone_else = KeyPair::from_seed(&[2; 32]).public_key().to_did_key();
        let stolen = check_presentation(&c, &vp, "http://p/dsp", "nonce-1", &someone_else).await.expect_err("holder");
        assert!(stolen.contains("not-holder"), "{stolen}");
        let mut forged = vp.clone();
        forged["holder"] = Value::String(someone_else.clone());
        let forged = check_presentation(&c, &forged, "http://p/dsp", "nonce-1", &someone_else).await.expect_err("sig");
        assert!(forged.contains("presentation refused"), "{forged}");
    }

    #[tokio::test]
    async fn an_accredited_issuers_certification_counts() {
        let holder = KeyPair::from_seed(&[1; 32]);
        let issuer = KeyPair::from_seed(&[3; 32]);
        let list = TrustList::parse(&format!(
            "[[issuer]]\ndid = \"{}\"\nname = \"Agent\"\naccredited = [\"certification:apec-cbpr\"]\n",
            issuer.public_key().to_did_key()
        ))
        .expect("a trust list");
        let (verifier, http) = (Verifier::new(&TrustConfig::default()), reqwest::Client::new());
        let c = checking(&verifier, &http, &list);
        let did = holder.public_key().to_did_key();
        let vp = presentation(&holder, "http://p/dsp", "n", c.now);
        let presented = check_presentation(&c, &vp, "http://p/dsp", "n", &did).await.expect("accepted");
        assert_eq!(presented.certifications, vec!["apec-cbpr".to_owned()], "{presented:?}");
        assert!(presented.rejected.is_empty(), "{presented:?}");
    }

    #[test]
    fn the_cache_is_bounded_and_forgets_expired_entries() {
        let mut cache = Cache::new(2);
        let now = Instant::now();
        cache.put("a".into(), 1, now + Duration::from_secs(10));
        cache.put("b".into(), 2, now + Duration::from_secs(20));
        cache.put("c".into(), 3, now + Duration::from_secs(30));
        assert_eq!(cache.entries.len(), 2);
        assert_eq!(cache.get("a", now), None, "the entry expiring soonest made room");
        assert_eq!(cache.get("b", now), Some(2));
        assert_eq!(cache.get("c", now + Duration::from_secs(31)), None, "expired");
    }
}
