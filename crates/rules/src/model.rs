//! The rulebook as written: one struct per TOML file kind, exactly the fields of
//! `docs/rulebook-format.md`. Names that other entries refer to are `Spanned`, so validation can
//! point at the line of a bad reference. Nothing here is checked yet; see `validate`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// A name with its position in the source file.
pub type Name = Spanned<String>;

/// `rulebook.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReleaseFile {
    pub name: String,
    pub version: String,
    pub reviewed: Name,
}

/// `vocabulary.toml`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularyFile {
    #[serde(default, rename = "category")]
    pub categories: Vec<CategoryDef>,
    #[serde(default, rename = "purpose")]
    pub purposes: Vec<TermDef>,
    #[serde(default, rename = "role")]
    pub roles: Vec<TermDef>,
    #[serde(default, rename = "certification")]
    pub certifications: Vec<TermDef>,
    #[serde(default, rename = "mechanism")]
    pub mechanisms: Vec<MechanismDef>,
    #[serde(default, rename = "obligation")]
    pub obligations: Vec<TermDef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryDef {
    pub id: Name,
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub within: Vec<Name>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermDef {
    pub id: Name,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpv: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MechanismDef {
    pub id: Name,
    pub name: String,
    /// Obtaining it always needs an authority's prior approval.
    #[serde(default, skip_serializing_if = "is_false")]
    pub authority: bool,
}

/// `countries.toml`: code → name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountriesFile {
    pub countries: BTreeMap<String, String>,
}

/// `sets.toml`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetsFile {
    #[serde(default, rename = "set")]
    pub sets: Vec<SetDef>,
}

/// `jurisdictions/XX.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JurisdictionFile {
    pub id: Name,
    pub name: String,
    pub law: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    pub members: Vec<Spanned<Member>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Name>,
    pub reviewed: Name,
    /// First day the rulebook models this law; earlier decisions are refused. Default: the
    /// earliest `valid_from` of the jurisdiction's rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covers_from: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lattice: BTreeMap<String, Vec<Name>>,
    #[serde(default, rename = "set", skip_serializing_if = "Vec::is_empty")]
    pub sets: Vec<SetDef>,
    #[serde(default, rename = "route", skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<RuleDef>,
    #[serde(default, rename = "restriction", skip_serializing_if = "Vec::is_empty")]
    pub restrictions: Vec<RuleDef>,
}

/// A destination set: countries, each possibly for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetDef {
    pub id: Name,
    pub name: String,
    pub members: Vec<Spanned<Member>>,
    pub citation: Citation,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Citation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certainty: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Name>,
}

/// A country, or a country for a period (`{ country = "GB", until = "2020-12-31" }`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Member {
    Country(String),
    Dated {
        country: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        from: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        until: Option<String>,
    },
}

impl Member {
    pub fn country(&self) -> &str {
        match self {
            Member::Country(c) | Member::Dated { country: c, .. } => c,
        }
    }
    pub fn from(&self) -> Option<&str> {
        match self {
            Member::Country(_) => None,
            Member::Dated { from, .. } => from.as_deref(),
        }
    }
    pub fn until(&self) -> Option<&str> {
        match self {
            Member::Country(_) => None,
            Member::Dated { until, .. } => until.as_deref(),
        }
    }
}

// Hand-written because `#[serde(untagged)]` cannot carry `Spanned` positions through.
impl<'de> Deserialize<'de> for Member {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Member;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str(r#"a country code such as "DE", or a table { country = "GB", from = "YYYY-MM-DD", until = "YYYY-MM-DD" }"#)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Member, E> {
                Ok(Member::Country(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Member, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Dated {
                    country: String,
                    from: Option<String>,
                    until: Option<String>,
                }
                let d = Dated::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(Member::Dated { country: d.country, from: d.from, until: d.until })
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Citation {
    pub instrument: String,
    #[serde(default)]
    pub article: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationDef {
    pub id: Name,
    pub text: String,
}

/// A route (a lawful way out) or a restriction (applies before any route). One struct for both:
/// they share scope and requirements; `validate` checks which fields each may use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: Name,
    pub kind: Name,
    /// Restrictions only: deny | require | oblige.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Name>,
    /// Restrictions only: export (default) | import.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Name>,
    pub summary: String,

    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub to: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_to: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origins: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_any: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_none: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purposes: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_purposes: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exporter_roles_any: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exporter_roles_none: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub importer_roles_any: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub importer_roles_none: Vec<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects_above: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subjects_up_to: Option<u64>,

    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub importer_certifications_any: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approval: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<ObligationDef>,

    pub citation: Citation,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<Citation>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certainty: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}
