//! Whether a release is in force: every endorsement checked against the node's governance file,
//! counted per role against the threshold, and the effective date against today.

use rules::Day;
use serde::Serialize;
use serde_json::Value;
use time::OffsetDateTime;

use crate::config::{GovernanceConfig, Role};
use crate::endorsement::{trust_short, Endorsement};
use crate::hex;
use crate::manifest::Manifest;

/// A member whose endorsement counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Endorser {
    pub name: String,
    pub role: Role,
    pub did: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    /// The endorsement file it came from.
    pub file: String,
}

/// An endorsement that does not count, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    pub file: String,
    pub reason: String,
}

/// A release's standing under one governance file on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// The release's digest.
    pub release: String,
    pub version: String,
    pub effective: String,
    /// The governance file's `name`.
    pub governance: String,
    /// Enough valid endorsements in every role, and the effective date reached.
    pub in_force: bool,
    pub endorsed_by: Vec<Endorser>,
    pub rejected: Vec<Rejected>,
    /// One line per role short of its threshold, e.g. "1 more government member (has 1 of 2: Japan PPC)".
    pub missing: Vec<String>,
    /// Set when the release is not yet effective on the day evaluated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_yet_effective: Option<String>,
}

/// Checks each endorsement (`(file name, document)`) of `manifest` against `config` and decides
/// whether the release is in force on `today`. An endorsement counts when its proof is valid, its
/// signer is a member whose DID is the endorser, the role claimed is the member's role and it
/// names this release; a member counts once.
pub fn evaluate(
    manifest: &Manifest,
    endorsements: &[(String, Value)],
    config: &GovernanceConfig,
    today: Day,
) -> Standing {
    let digest = manifest.digest();
    let now = end_of(today);
    let mut endorsed_by: Vec<Endorser> = Vec::new();
    let mut rejected = Vec::new();
    for (file, value) in endorsements {
        match check_one(manifest, &digest, value, config, now, &endorsed_by) {
            Ok(endorser) => endorsed_by.push(Endorser { file: file.clone(), ..endorser }),
            Err(reason) => rejected.push(Rejected { file: file.clone(), reason }),
        }
    }
    endorsed_by.sort_by(|a, b| (a.role, &a.name).cmp(&(b.role, &b.name)));

    let mut missing = Vec::new();
    for role in Role::ALL {
        let need = config.threshold.of(role) as usize;
        let have: Vec<&str> = endorsed_by.iter().filter(|e| e.role == role).map(|e| e.name.as_str()).collect();
        if have.len() >= need {
            continue;
        }
        let short = need - have.len();
        let plural = if short == 1 { "" } else { "s" };
        let mut line = format!("{short} more {role} member{plural} (has {} of {need}", have.len());
        if !have.is_empty() {
            line.push_str(&format!(": {}", have.join(", ")));
        }
        let pending: Vec<&str> = config
            .members_with(role)
            .filter(|m| !endorsed_by.iter().any(|e| e.did == m.did))
            .map(|m| m.name.as_str())
            .collect();
        if !pending.is_empty() {
            line.push_str(&format!("; yet to endorse: {}", pending.join(", ")));
        }
        line.push(')');
        missing.push(line);
    }

    let not_yet_effective = match manifest.effective_day() {
        Ok(day) if day <= today => None,
        Ok(day) => Some(format!("it takes effect on {day} (today is {today})")),
        Err(e) => Some(e),
    };
    Standing {
        release: digest,
        version: manifest.version.clone(),
        effective: manifest.effective.clone(),
        governance: config.name.clone(),
        in_force: missing.is_empty() && not_yet_effective.is_none(),
        endorsed_by,
        rejected,
        missing,
        not_yet_effective,
    }
}

fn check_one(
    manifest: &Manifest,
    digest: &str,
    value: &Value,
    config: &GovernanceConfig,
    now: OffsetDateTime,
    counted: &[Endorser],
) -> Result<Endorser, String> {
    let e = Endorsement::verify(value, now)?;
    if e.release != digest {
        return Err(format!(
            "it endorses another release ({}, this one is {})",
            hex::short(&trust_short(&e.release)),
            hex::short(digest)
        ));
    }
    for (field, said, is) in [
        ("name", &e.name, &manifest.name),
        ("version", &e.version, &manifest.version),
        ("effective", &e.effective, &manifest.effective),
    ] {
        if said != is {
            return Err(format!("it says {field} '{}' but the release says '{is}'", trust_short(said)));
        }
    }
    let member = config
        .member(&e.endorser)
        .ok_or_else(|| format!("endorser {} is not a member of {}", e.endorser, config.name))?;
    if e.role != member.role {
        return Err(format!(
            "{} endorsed as {} but its role in {} is {}",
            member.name, e.role, config.name, member.role
        ));
    }
    if let Some(first) = counted.iter().find(|c| c.did == member.did) {
        return Err(format!("{} already endorsed in {}; a member counts once", member.name, first.file));
    }
    Ok(Endorser {
        name: member.name.clone(),
        role: member.role,
        did: member.did.clone(),
        jurisdiction: member.jurisdiction.clone(),
        file: String::new(),
    })
}

/// The last second of `day` in UTC: a proof made any time that day is not "in the future".
fn end_of(day: Day) -> OffsetDateTime {
    time::Date::from_julian_day(day.0)
        .ok()
        .and_then(|d| d.with_hms(23, 59, 59).ok())
        .map_or(time::PrimitiveDateTime::MAX.assume_utc(), |t| t.assume_utc())
}

impl Standing {
    /// Plain words, one fact a line: what is missing first, then who endorsed, then refusals.
    pub fn explain(&self) -> String {
        let mut lines: Vec<String> = self.missing.iter().map(|m| format!("missing {m}")).collect();
        if let Some(n) = &self.not_yet_effective {
            lines.push(format!("not yet effective: {n}"));
        }
        if self.in_force {
            lines.push(format!("in force since {} under {}", self.effective, self.governance));
        }
        if self.endorsed_by.is_empty() {
            lines.push("endorsed by: nobody yet".into());
        } else {
            let who: Vec<String> = self.endorsed_by.iter().map(Endorser::describe).collect();
            lines.push(format!("endorsed by: {}", who.join("; ")));
        }
        for r in &self.rejected {
            lines.push(format!("refused {}: {}", r.file, r.reason));
        }
        lines.join("\n")
    }
}

impl Endorser {
    /// "Japan PPC (government, JP)".
    pub fn describe(&self) -> String {
        match &self.jurisdiction {
            Some(j) => format!("{} ({}, {j})", self.name, self.role),
            None => format!("{} ({})", self.name, self.role),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endorsement::endorse;
    use crate::testing::{config, day, key, manifest, now};

    fn signed(m: &Manifest, who: &[(u8, Role)]) -> Vec<(String, Value)> {
        who.iter()
            .map(|(k, role)| (format!("e{k}.json"), endorse(m, &key(*k), *role, now()).expect("signed")))
            .collect()
    }

    const FULL: [(u8, Role); 4] =
        [(1, Role::Secretariat), (2, Role::Government), (3, Role::Government), (4, Role::Advisory)];

    #[test]
    fn the_threshold_met_on_the_effective_date_puts_the_release_in_force() {
        let m = manifest("2026-01-01");
        let s = evaluate(&m, &signed(&m, &FULL), &config(1, 2, 1), day("2026-01-01"));
        assert!(s.in_force, "{}", s.explain());
        assert!(s.missing.is_empty() && s.rejected.is_empty() && s.not_yet_effective.is_none());
        let names: Vec<&str> = s.endorsed_by.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Secretariat", "Japan PPC", "Rwanda NCSA", "Civil society forum"]);
        assert!(s.explain().contains("in force since 2026-01-01"), "{}", s.explain());
        assert!(s.explain().contains("Japan PPC (government, JP)"), "{}", s.explain());
    }

    #[test]
    fn one_short_names_the_missing_role_who_endorsed_and_who_has_not() {
        let m = manifest("2026-01-01");
        let s = evaluate(&m, &signed(&m, &FULL[..3]), &config(1, 2, 1), day("2026-06-01"));
        assert!(!s.in_force);
        assert_eq!(
            s.missing,
            ["1 more advisory member (has 0 of 1; yet to endorse: Civil society forum, Industry council)"]
        );
        let s = evaluate(&m, &signed(&m, &[FULL[0], FULL[1], FULL[3]]), &config(1, 2, 1), day("2026-06-01"));
        assert_eq!(s.missing, ["1 more government member (has 1 of 2: Japan PPC; yet to endorse: Rwanda NCSA)"]);
        assert!(s.explain().starts_with("missing 1 more government member"), "{}", s.explain());
    }

    #[test]
    fn an_endorsement_by_a_non_member_does_not_count() {
        let m = manifest("2026-01-01");
        let mut all = signed(&m, &FULL[..3]);
        all.extend(signed(&m, &[(6, Role::Advisory)]));
        let s = evaluate(&m, &all, &config(1, 2, 1), day("2026-06-01"));
        assert!(!s.in_force);
        assert_eq!(s.rejected.len(), 1);
        assert_eq!(s.rejected[0].file, "e6.json");
        assert!(
            s.rejected[0].reason.contains("is not a member of DFFT rulebook governance (test)"),
            "{:?}",
            s.rejected
        );
        assert!(s.explain().contains("refused e6.json: endorser did:key:"), "{}", s.explain());
    }

    #[test]
    fn a_member_claiming_another_role_does_not_count() {
        let m = manifest("2026-01-01");
        let all = signed(&m, &[FULL[0], FULL[1], FULL[2], (5, Role::Government)]);
        let s = evaluate(&m, &all, &config(1, 2, 1), day("2026-06-01"));
        assert!(!s.in_force);
        assert_eq!(
            s.rejected[0].reason,
            "Industry council endorsed as government but its role in DFFT rulebook governance (test) is advisory"
        );
        assert_eq!(s.missing.len(), 1);
    }

    #[test]
    fn an_endorsement_of_another_release_does_not_count() {
        let m = manifest("2026-01-01");
        let other = manifest("2026-02-01");
        let mut all = signed(&m, &FULL[..3]);
        all.extend(signed(&other, &[FULL[3]]));
        let s = evaluate(&m, &all, &config(1, 2, 1), day("2026-06-01"));
        assert!(!s.in_force);
        assert!(s.rejected[0].reason.starts_with("it endorses another release"), "{:?}", s.rejected);
    }

    #[test]
    fn a_tampered_endorsement_does_not_count() {
        let m = manifest("2026-01-01");
        let mut all = signed(&m, &FULL);
        all[3].1["effective"] = "2025-01-01".into();
        let s = evaluate(&m, &all, &config(1, 2, 1), day("2026-06-01"));
        assert!(!s.in_force);
        assert!(s.rejected[0].reason.contains("signature does not verify"), "{:?}", s.rejected);
    }

    #[test]
    fn endorsements_do_not_carry_over_to_a_tampered_manifest() {
        let m = manifest("2026-01-01");
        let all = signed(&m, &FULL);
        let mut tampered = m.clone();
        tampered.files[0].sha256 = "0".repeat(64);
        let s = evaluate(&tampered, &all, &config(1, 2, 1), day("2026-06-01"));
        assert!(!s.in_force && s.endorsed_by.is_empty());
        assert_eq!(s.rejected.len(), 4);
        assert!(s.rejected.iter().all(|r| r.reason.starts_with("it endorses another release")), "{:?}", s.rejected);
        assert_eq!(s.missing.len(), 3, "{:?}", s.missing);
    }

    #[test]
    fn a_member_counts_once() {
        let m = manifest("2026-01-01");
        let all = signed(&m, &[FULL[0], FULL[1], FULL[1], FULL[3]]);
        let s = evaluate(&m, &all, &config(1, 2, 1), day("2026-06-01"));
        assert!(!s.in_force);
        assert_eq!(s.rejected[0].reason, "Japan PPC already endorsed in e2.json; a member counts once");
        assert!(s.missing[0].starts_with("1 more government member (has 1 of 2: Japan PPC"), "{:?}", s.missing);
    }

    #[test]
    fn a_fully_endorsed_release_is_not_in_force_before_its_effective_date() {
        let m = manifest("2026-03-01");
        let s = evaluate(&m, &signed(&m, &FULL), &config(1, 2, 1), day("2026-02-28"));
        assert!(!s.in_force && s.missing.is_empty());
        assert_eq!(s.not_yet_effective.as_deref(), Some("it takes effect on 2026-03-01 (today is 2026-02-28)"));
        assert!(s.explain().starts_with("not yet effective: it takes effect on 2026-03-01"), "{}", s.explain());
    }

    #[test]
    fn an_endorsement_made_after_today_is_refused() {
        let m = manifest("2026-01-01");
        let s = evaluate(&m, &signed(&m, &FULL), &config(1, 2, 1), day("2025-12-01"));
        assert_eq!(s.rejected.len(), 4);
        assert!(s.rejected[0].reason.contains("created in the future"), "{:?}", s.rejected);
    }
}
