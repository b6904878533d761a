//! The node's governance file: who may endorse a rulebook release, in which role, and how many
//! endorsements per role put a release in force.
//!
//! ```toml
//! name = "DFFT rulebook governance (demo)"
//! [[member]]
//! did = "did:key:z6Mk..."
//! name = "Secretariat"
//! role = "secretariat"      # secretariat | government | advisory
//! jurisdiction = "JP"       # optional
//! [threshold]               # at least this many valid endorsements per role
//! secretariat = 1
//! government = 2
//! advisory = 1
//! ```
//!
//! This file, not the release, is the trust anchor: a release names nobody who may endorse it.

use std::fmt;

use serde::{Deserialize, Serialize};
use toml::Spanned;
use trust::PublicKey;

/// The capacity in which a member endorses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Keeps the rulebook and publishes releases.
    Secretariat,
    /// A government consultative member (a data protection authority, a ministry).
    Government,
    /// A multistakeholder advisory member (industry, civil society, academia).
    Advisory,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Secretariat, Role::Government, Role::Advisory];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Secretariat => "secretariat",
            Role::Government => "government",
            Role::Advisory => "advisory",
        }
    }

    /// Reads a role name, saying which ones exist when it is none of them.
    pub fn parse(text: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim().to_ascii_lowercase())
            .ok_or_else(|| format!("role '{text}' is not one of: secretariat, government, advisory"))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One governance body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub did: String,
    pub name: String,
    pub role: Role,
    pub jurisdiction: Option<String>,
    /// The key the DID names: the only key whose proofs count as this member's.
    pub key: PublicKey,
}

/// Valid endorsements needed per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    #[serde(default)]
    pub secretariat: u32,
    #[serde(default)]
    pub government: u32,
    #[serde(default)]
    pub advisory: u32,
}

impl Threshold {
    pub fn of(&self, role: Role) -> u32 {
        match role {
            Role::Secretariat => self.secretariat,
            Role::Government => self.government,
            Role::Advisory => self.advisory,
        }
    }
}

/// A parsed, checked governance file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernanceConfig {
    pub name: String,
    pub members: Vec<Member>,
    pub threshold: Threshold,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: String,
    #[serde(default, rename = "member")]
    members: Vec<RawMember>,
    threshold: Spanned<Threshold>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    did: Spanned<String>,
    name: String,
    role: Spanned<String>,
    #[serde(default)]
    jurisdiction: Option<String>,
}

impl GovernanceConfig {
    /// Parses and checks a governance file. Errors name the line and the field, and say what
    /// would be accepted.
    pub fn parse(text: &str) -> Result<GovernanceConfig, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or_else(String::new, |s| format!("{}: ", at(text, s.start)));
            format!("{at}{}", e.message().trim())
        })?;
        if raw.name.trim().is_empty() {
            return Err("name: the governance body's name is empty".into());
        }
        let mut members: Vec<Member> = Vec::with_capacity(raw.members.len());
        for m in raw.members {
            let line = at(text, m.did.span().start);
            let did = m.did.into_inner();
            let key = PublicKey::from_did_key(&did)
                .map_err(|e| format!("{line}: member did: {e} (expected an Ed25519 did:key, \"did:key:z6Mk…\")"))?;
            if let Some(first) = members.iter().find(|o| o.did == did) {
                return Err(format!("{line}: member did {did} is listed twice (first as '{}')", first.name));
            }
            if m.name.trim().is_empty() {
                return Err(format!("{line}: member name is empty"));
            }
            let role =
                Role::parse(m.role.get_ref()).map_err(|e| format!("{}: member {e}", at(text, m.role.span().start)))?;
            members.push(Member { did, name: m.name, role, jurisdiction: m.jurisdiction, key });
        }
        let threshold_line = at(text, raw.threshold.span().start);
        let threshold = raw.threshold.into_inner();
        if Role::ALL.iter().all(|r| threshold.of(*r) == 0) {
            return Err(format!(
                "{threshold_line}: threshold: every count is 0, so any release would be in force unendorsed; \
                 require at least one endorsement (e.g. secretariat = 1)"
            ));
        }
        for role in Role::ALL {
            let have = members.iter().filter(|m| m.role == role).count();
            let need = threshold.of(role);
            if usize::try_from(need).map_or(true, |n| n > have) {
                return Err(format!(
                    "{threshold_line}: threshold.{role} = {need} but only {have} member(s) have role \"{role}\": \
                     no release could ever be in force"
                ));
            }
        }
        Ok(GovernanceConfig { name: raw.name, members, threshold })
    }

    /// The member with this DID.
    pub fn member(&self, did: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.did == did)
    }

    /// Members with this role, in file order.
    pub fn members_with(&self, role: Role) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(move |m| m.role == role)
    }
}

/// "line L, column C" of a byte offset.
fn at(text: &str, offset: usize) -> String {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |n| before[n + 1..].chars().count()) + 1;
    format!("line {line}, column {column}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{config_text, key};

    #[test]
    fn parses_members_roles_and_thresholds() {
        let config = GovernanceConfig::parse(&config_text(1, 2, 1)).expect("valid");
        assert_eq!(config.name, "DFFT rulebook governance (test)");
        assert_eq!(config.members.len(), 5);
        assert_eq!(config.threshold, Threshold { secretariat: 1, government: 2, advisory: 1 });
        let ppc = config.member(&key(2).public_key().to_did_key()).expect("a member");
        assert_eq!(
            (ppc.name.as_str(), ppc.role, ppc.jurisdiction.as_deref()),
            ("Japan PPC", Role::Government, Some("JP"))
        );
        assert_eq!(ppc.key, key(2).public_key());
        assert_eq!(config.members_with(Role::Government).count(), 2);
    }

    #[test]
    fn a_bad_role_names_its_line_and_the_accepted_roles() {
        let text = config_text(1, 2, 1).replacen("role = \"advisory\"", "role = \"adviser\"", 1);
        let line = text[..text.find("adviser").expect("edited")].matches('\n').count() + 1;
        let err = GovernanceConfig::parse(&text).expect_err("bad role");
        assert!(err.starts_with(&format!("line {line},")), "{err}");
        assert!(err.contains("role 'adviser' is not one of: secretariat, government, advisory"), "{err}");
    }

    #[test]
    fn a_bad_did_an_unknown_field_and_a_duplicate_are_refused_with_their_line() {
        let text = config_text(1, 2, 1).replacen("did = \"did:key:", "did = \"did:web:", 1);
        let err = GovernanceConfig::parse(&text).expect_err("not a did:key");
        assert!(err.contains("line 3,") && err.contains("member did") && err.contains("did:key"), "{err}");

        let text = config_text(1, 2, 1).replacen("name = \"Secretariat\"", "name = \"Secretariat\"\nrol = \"x\"", 1);
        let err = GovernanceConfig::parse(&text).expect_err("unknown field");
        assert!(err.contains("unknown field `rol`") && err.contains("`role`"), "{err}");

        let did = key(2).public_key().to_did_key();
        let text = config_text(1, 1, 1).replacen(&key(3).public_key().to_did_key(), &did, 1);
        let err = GovernanceConfig::parse(&text).expect_err("duplicate");
        assert!(err.contains("is listed twice (first as 'Japan PPC')"), "{err}");
    }

    #[test]
    fn thresholds_that_can_never_be_met_or_need_nobody_are_refused() {
        let err = GovernanceConfig::parse(&config_text(1, 3, 1)).expect_err("3 of 2");
        assert!(err.contains("threshold.government = 3 but only 2 member(s)"), "{err}");
        let err = GovernanceConfig::parse(&config_text(0, 0, 0)).expect_err("nobody");
        assert!(err.contains("every count is 0"), "{err}");
        let err = GovernanceConfig::parse("name = \"x\"\n").expect_err("no threshold");
        assert!(err.contains("threshold"), "{err}");
    }
}
