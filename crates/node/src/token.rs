//! Request tokens: a compact JWS (EdDSA over Ed25519) signed by the caller's `did:key`, bound to
//! one audience (the provider's DSP URL), short-lived and single-use.
//!
//! The claims carry what a provider needs to decide about the caller: its DID (`iss`), and, as
//! self-declared claims until verified credentials replace them, its jurisdiction and
//! certifications (`dfft`). Pure: the clock and the replay memory are arguments.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};
use trust::{KeyPair, PublicKey};

/// Longest lifetime a token may claim.
pub const MAX_LIFETIME_S: i64 = 300;
/// Lifetime of the tokens nodes mint for each other.
pub const NODE_LIFETIME_S: i64 = 60;
/// Clock difference tolerated between nodes.
pub const SKEW_S: i64 = 30;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Declared {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub certifications: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    /// `iat` in milliseconds (dfft tokens carry it): tells a token minted just before a node's
    /// restart from one minted just after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat_ms: Option<i64>,
    pub exp: i64,
    pub jti: String,
    /// Marked reusable by its signer (`dfft token --reusable`): accepted more than once, and
    /// only by nodes configured to.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reuse: bool,
    #[serde(default)]
    pub dfft: Declared,
    /// A Verifiable Presentation of the caller's credentials (W3C VC 2.0, Data Integrity
    /// `eddsa-jcs-2022`, proof purpose `authentication`), bound to this token: its `domain` is
    /// `aud` and its `challenge` is `jti`. Absent when the caller holds no credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vp: Option<serde_json::Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default)]
    typ: Option<String>,
}

/// Signs a token; returns the compact form (without `Bearer `).
pub fn sign(key: &KeyPair, claims: &Claims) -> String {
    let did = key.public_key().to_did_key();
    let header = Header {
        alg: "EdDSA".into(),
        kid: Some(format!("{did}#{}", key.public_key().to_multibase())),
        typ: Some("JWT".into()),
    };
    // Serializing these plain structs cannot fail.
    let header = B64.encode(serde_json::to_vec(&header).unwrap_or_default());
    let payload = B64.encode(serde_json::to_vec(claims).unwrap_or_default());
    let signing_input = format!("{header}.{payload}");
    let signature = B64.encode(key.sign(signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// A new token for `audience`, valid for `lifetime_s` from `now_ms`.
pub fn mint(key: &KeyPair, audience: &str, now_ms: i64, lifetime_s: i64, reuse: bool, declared: Declared) -> String {
    mint_presenting(key, audience, now_ms, lifetime_s, reuse, declared, &[])
}

/// [`mint`], presenting `credentials` (secured VCs whose subject is `key`'s DID) in a presentation
/// bound to the token's audience and nonce. With no credentials, no presentation.
pub fn mint_presenting(
    key: &KeyPair,
    audience: &str,
    now_ms: i64,
    lifetime_s: i64,
    reuse: bool,
    declared: Declared,
    credentials: &[serde_json::Value],
) -> String {
    let now_s = now_ms.div_euclid(1000);
    let did = key.public_key().to_did_key();
    let jti = format!("{:032x}", crate::random::nonce());
    let vp = if credentials.is_empty() {
        None
    } else {
        let now = time::OffsetDateTime::from_unix_timestamp(now_s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        let method = key.public_key().to_verification_method();
        // Signing our own well-formed credentials cannot fail short of a clock past year 9999.
        trust::present(key, &did, &method, credentials, audience, &jti, now).ok()
    };
    let claims = Claims {
        iss: did,
        aud: audience.to_owned(),
        iat: now_s,
        iat_ms: Some(now_ms),
        exp: now_s + lifetime_s.min(MAX_LIFETIME_S),
        jti,
        reuse,
        dfft: declared,
        vp,
    };
    sign(key, &claims)
}

/// Why a token was refused (the text goes back to the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn refuse<T>(text: impl Into<String>) -> Result<T, Refused> {
    Err(Refused(text.into()))
}

/// Checks signature, audience and times; the replay check is [`ReplayGuard::admit`].
pub fn verify(header_value: &str, audiences: &[&str], now_s: i64) -> Result<Claims, Refused> {
    let Some(token) = header_value.strip_prefix("Bearer ").map(str::trim) else {
        return refuse("the Authorization header must be `Bearer <token>` (mint one with `dfft token`)");
    };
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return refuse("the token must be a compact JWS: three base64url parts separated by '.'");
    };
    let header: Header = decode_json(h, "header")?;
    if header.alg != "EdDSA" {
        return refuse(format!("token algorithm '{}' is not accepted; only EdDSA (Ed25519)", header.alg));
    }
    let claims: Claims = decode_json(p, "claims")?;
    let key = PublicKey::from_did_key(&claims.iss)
        .map_err(|e| Refused(format!("token issuer '{}' is not an Ed25519 did:key: {e}", claims.iss)))?;
    let signature = B64.decode(s).map_err(|_| Refused("token signature is not base64url".into()))?;
    let Ok(signature) = <[u8; 64]>::try_from(signature.as_slice()) else {
        return refuse("token signature must be 64 bytes");
    };
    let signing_input = &token[..h.len() + 1 + p.len()];
    if key.verify(signing_input.as_bytes(), &signature).is_err() {
        return refuse("token signature does not verify against its issuer's key");
    }
    if !audiences.contains(&claims.aud.as_str()) {
        return refuse(format!(
            "token audience '{}' is not this node (expected {})",
            claims.aud,
            audiences.join(" or ")
        ));
    }
    if claims.exp < now_s {
        return refuse(format!("token expired {} s ago", now_s - claims.exp));
    }
    if claims.iat > now_s + SKEW_S {
        return refuse("token issued in the future (check the clocks)");
    }
    if claims.exp - claims.iat > MAX_LIFETIME_S {
        return refuse(format!("token lifetime exceeds {MAX_LIFETIME_S} s"));
    }
    Ok(claims)
}

fn decode_json<T: for<'de> Deserialize<'de>>(part: &str, what: &str) -> Result<T, Refused> {
    let bytes = B64.decode(part).map_err(|_| Refused(format!("token {what} is not base64url")))?;
    // Duplicate keys are refused (the presentation inside is canonicalized to check its proof,
    // and two readers must never see two different documents).
    let value = trust::jcs::parse_slice(&bytes).map_err(|e| Refused(format!("token {what} is not valid JSON: {e}")))?;
    serde_json::from_value(value).map_err(|e| Refused(format!("token {what} is not valid: {e}")))
}

/// Remembers the nonces of single-use tokens until they expire; refuses a second use.
#[derive(Debug, Default)]
pub struct ReplayGuard {
    seen: HashMap<String, i64>,
    last_purge_s: i64,
    /// Single-use tokens issued before this instant (the node's start, ms) are refused: the
    /// nonces seen before a restart are not remembered, so such a token may be a replay.
    not_before_ms: i64,
}

impl ReplayGuard {
    /// A guard for a node that started at `start_ms`.
    pub fn started_at(start_ms: i64) -> ReplayGuard {
        ReplayGuard { not_before_ms: start_ms, ..ReplayGuard::default() }
    }

    /// Admits a verified token once (or always, for a reusable token when `allow_reusable`).
    pub fn admit(&mut self, claims: &Claims, now_s: i64, allow_reusable: bool) -> Result<(), Refused> {
        if claims.reuse {
            if allow_reusable {
                return Ok(());
            }
            return refuse("reusable tokens are not accepted by this node; mint a single-use token");
        }
        // Without `iat_ms`, only a token whose whole second precedes the start is refused.
        let issued_ms = claims.iat_ms.unwrap_or(claims.iat.saturating_mul(1000).saturating_add(999));
        if issued_ms < self.not_before_ms {
            return refuse("token issued before this node started, so a replay cannot be ruled out; mint a new one");
        }
        if now_s - self.last_purge_s >= 10 {
            self.seen.retain(|_, exp| *exp >= now_s);
            self.last_purge_s = now_s;
        }
        let key = format!("{}|{}", claims.iss, claims.jti);
        if self.seen.insert(key, claims.exp).is_some() {
            return refuse("token already used (replay); mint a new one for each request");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> KeyPair {
        KeyPair::from_seed(&[9; 32])
    }

    #[test]
    fn a_fresh_token_verifies_once() {
        let t = mint(&key(), "http://a/dsp", 1_000_000, 60, false, Declared::default());
        let claims = verify(&format!("Bearer {t}"), &["http://a/dsp"], 1010).expect("valid");
        let mut guard = ReplayGuard::default();
        guard.admit(&claims, 1010, false).expect("first use");
        assert!(guard.admit(&claims, 1011, false).expect_err("replay").0.contains("replay"));
    }

    #[test]
    fn wrong_audience_expired_and_tampered_tokens_are_refused() {
        let t = mint(&key(), "http://a/dsp", 1_000_000, 60, false, Declared::default());
        assert!(verify(&format!("Bearer {t}"), &["http://b/dsp"], 1010).expect_err("aud").0.contains("audience"));
        assert!(verify(&format!("Bearer {t}"), &["http://a/dsp"], 1061).expect_err("exp").0.contains("expired"));
        let mut parts: Vec<&str> = t.split('.').collect();
        let other = mint(
            &key(),
            "http://a/dsp",
            1_000_000,
            60,
            false,
            Declared { jurisdiction: Some("US".into()), ..Declared::default() },
        );
        let other_payload = other.split('.').nth(1).expect("payload");
        parts[1] = other_payload;
        let forged = parts.join(".");
        assert!(verify(&format!("Bearer {forged}"), &["http://a/dsp"], 1010).expect_err("sig").0.contains("signature"));
        assert!(verify(&t, &["http://a/dsp"], 1010).expect_err("no bearer").0.contains("Bearer"));
    }

    #[test]
    fn a_token_whose_claims_repeat_a_key_is_refused() {
        let header = B64.encode(br#"{"alg":"EdDSA"}"#);
        let claims = B64.encode(br#"{"iss":"did:key:z6Mk","iss":"x","aud":"a","iat":1,"exp":2,"jti":"j"}"#);
        let refused = verify(&format!("Bearer {header}.{claims}.AAAA"), &["a"], 1).expect_err("duplicate");
        assert!(refused.0.contains("duplicate") || refused.0.contains("repeat"), "{}", refused.0);
    }

    #[test]
    fn single_use_tokens_from_before_a_restart_are_refused() {
        let t = mint(&key(), "http://a/dsp", 1_000_000, 60, false, Declared::default());
        let claims = verify(&format!("Bearer {t}"), &["http://a/dsp"], 1010).expect("valid");
        let mut restarted = ReplayGuard::started_at(1_000_500);
        assert!(restarted.admit(&claims, 1010, false).expect_err("before start").0.contains("replay"));
        let fresh = mint(&key(), "http://a/dsp", 1_000_600, 60, false, Declared::default());
        let fresh = verify(&format!("Bearer {fresh}"), &["http://a/dsp"], 1010).expect("valid");
        restarted.admit(&fresh, 1010, false).expect("minted after the start");
    }

    #[test]
    fn reusable_tokens_need_the_node_to_accept_them() {
        let t = mint(&key(), "http://a/dsp", 1_000_000, 300, true, Declared::default());
        let claims = verify(&format!("Bearer {t}"), &["http://a/dsp"], 1001).expect("valid");
        let mut guard = ReplayGuard::default();
        assert!(guard.admit(&claims, 1001, false).is_err());
        guard.admit(&claims, 1001, true).expect("allowed");
        guard.admit(&claims, 1002, true).expect("again");
    }
}
