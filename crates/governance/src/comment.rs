//! Public comments on a release: anyone with a `did:key` may sign one. A comment carries no
//! weight in the standing; it is published beside the release so that who said what is on record.
//!
//! ```json
//! {"type": "RulebookComment", "release": "sha256:…", "author": "did:key:z6Mk…",
//!  "text": "…", "created": "2026-11-30T09:00:00Z", "proof": {…}}
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use trust::{KeyPair, ProofOptions, VerifyOptions};

use crate::hex;

pub const COMMENT_TYPE: &str = "RulebookComment";
/// Longer comments belong in a linked document.
pub const MAX_COMMENT_CHARS: usize = 10_000;

/// A verified comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comment {
    /// The signer's `did:key`.
    pub author: String,
    pub text: String,
    pub created: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Statement {
    /// Checked before parsing, to name a document of another type as such.
    #[serde(rename = "type")]
    _kind: String,
    release: String,
    author: String,
    text: String,
    created: String,
}

/// `author`'s comment `text` on the release with digest `release`, signed at `now`.
pub fn comment(release: &str, text: &str, author: &KeyPair, now: OffsetDateTime) -> Result<Value, String> {
    check_text(text)?;
    let created = trust::datetime::format(now).ok_or_else(|| format!("cannot write the time {now}"))?;
    let statement = serde_json::json!({
        "type": COMMENT_TYPE,
        "release": release,
        "author": author.public_key().to_did_key(),
        "text": text,
        "created": created,
    });
    trust::sign_value(&statement, &ProofOptions::assertion(&author.public_key(), now), author)
        .map_err(|e| format!("cannot sign the comment: {e}"))
}

/// Verifies a comment on the release with digest `release` (proof valid at `now`, signed by the
/// author it names, about this release).
pub fn verify_comment(value: &Value, release: &str, now: OffsetDateTime) -> Result<Comment, String> {
    let verified =
        trust::verify_value(value, &VerifyOptions::new(now)).map_err(|e| format!("its proof is not valid: {e}"))?;
    let kind = verified.document.get("type").and_then(Value::as_str).unwrap_or("(none)");
    if kind != COMMENT_TYPE {
        return Err(format!("it is not a comment: type is '{kind}', expected '{COMMENT_TYPE}'"));
    }
    let s: Statement = serde_json::from_value(verified.document.clone())
        .map_err(|e| format!("it is not a well-formed comment: {e}"))?;
    let signer = verified.key.to_did_key();
    if s.author != signer {
        return Err(format!(
            "it names author {} but was signed by {signer}",
            crate::endorsement::trust_short(&s.author)
        ));
    }
    if s.release != release {
        return Err(format!(
            "it comments on another release ({}, this one is {})",
            hex::short(&crate::endorsement::trust_short(&s.release)),
            hex::short(release)
        ));
    }
    check_text(&s.text)?;
    Ok(Comment { author: s.author, text: s.text, created: s.created })
}

fn check_text(text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("the comment text is empty".into());
    }
    let n = text.chars().count();
    if n > MAX_COMMENT_CHARS {
        return Err(format!("the comment has {n} characters; at most {MAX_COMMENT_CHARS} are accepted"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{key, manifest, now};

    #[test]
    fn a_comment_verifies_with_its_author_and_text() {
        let digest = manifest("2026-01-01").digest();
        let doc = comment(&digest, "Art. 28 APPI: please cite the 2022 amendment.", &key(6), now()).expect("signed");
        let c = verify_comment(&doc, &digest, now()).expect("valid");
        assert_eq!(c.author, key(6).public_key().to_did_key());
        assert_eq!(c.text, "Art. 28 APPI: please cite the 2022 amendment.");
        assert_eq!(c.created, "2026-01-01T09:00:00Z");
    }

    #[test]
    fn a_changed_comment_or_one_on_another_release_is_refused() {
        let digest = manifest("2026-01-01").digest();
        let mut doc = comment(&digest, "fine", &key(6), now()).expect("signed");
        let other = manifest("2026-02-01").digest();
        assert!(verify_comment(&doc, &other, now()).expect_err("other").starts_with("it comments on another release"));
        doc["text"] = "not fine".into();
        assert!(verify_comment(&doc, &digest, now()).expect_err("tampered").contains("signature does not verify"));
        assert_eq!(comment(&digest, "  ", &key(6), now()).expect_err("empty"), "the comment text is empty");
    }
}
