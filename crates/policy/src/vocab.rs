//! Names: the ODRL and dfft namespaces, the left operands and operators this crate evaluates and
//! the ODRL 2.2 action hierarchy (`includedIn`).

use std::fmt;

/// The ODRL 2.2 namespace.
pub const ODRL: &str = "http://www.w3.org/ns/odrl/2/";
/// The dfft namespace for what ODRL has no term for.
pub const DFFT: &str = "https://w3id.org/dfft/ns#";
/// XML Schema datatypes.
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";

/// The dfft left operand: certifications the recipient holds (verified credentials' types).
pub const CERTIFICATION: &str = "https://w3id.org/dfft/ns#certification";
/// The dfft duty action: pseudonymize the listed fields before use.
pub const PSEUDONYMIZE: &str = "https://w3id.org/dfft/ns#pseudonymize";
/// The dfft duty action: do not pass the data on to anyone else.
pub const NO_ONWARD_TRANSFER: &str = "https://w3id.org/dfft/ns#noOnwardTransfer";
/// The dfft duty action: remove the listed fields before the data leaves.
pub const DROP: &str = "https://w3id.org/dfft/ns#drop";
/// The dfft duty action: coarsen one field (dates to year or month, numbers to bands, text to a
/// prefix).
pub const GENERALIZE: &str = "https://w3id.org/dfft/ns#generalize";
/// The dfft duty action: leave out the rows whose field has one of the listed values.
pub const EXCLUDE: &str = "https://w3id.org/dfft/ns#exclude";
/// The dfft duty action: suppress rows whose quasi-identifier group has fewer than k rows.
pub const K_ANONYMITY: &str = "https://w3id.org/dfft/ns#kAnonymity";
/// The dfft duty action: encrypt the data to the recipient's key.
pub const ENCRYPT: &str = "https://w3id.org/dfft/ns#encrypt";
/// The dfft left operand naming the fields a duty applies to (used in duty constraints).
pub const FIELD: &str = "https://w3id.org/dfft/ns#field";
/// The dfft left operand for how coarse a generalization is: `year`, `month`, `band:<width>` or
/// `prefix:<n>`.
pub const GRANULARITY: &str = "https://w3id.org/dfft/ns#granularity";
/// The dfft left operand for the values a duty names (the rows `dfft:exclude` leaves out).
pub const VALUE: &str = "https://w3id.org/dfft/ns#value";
/// The dfft left operand for k in k-anonymity (an xsd:integer).
pub const K: &str = "https://w3id.org/dfft/ns#k";

/// A name in the form this crate reports and compares: ODRL terms compact (`use`, `spatial`),
/// dfft terms with the `dfft:` prefix, other IRIs as given. Accepts `odrl:x`, the full ODRL IRI,
/// `dfft:x` and the full dfft IRI.
pub fn compact(name: &str) -> String {
    let name = name.trim();
    if let Some(term) = name.strip_prefix(ODRL).or_else(|| name.strip_prefix("odrl:")) {
        term.to_owned()
    } else if let Some(term) = name.strip_prefix(DFFT) {
        format!("dfft:{term}")
    } else {
        name.to_owned()
    }
}

/// The left operands this crate evaluates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeftOperand {
    /// `spatial`: the recipient's jurisdiction (ISO 3166-1 alpha-2).
    Spatial,
    /// `purpose`: the purpose the recipient declared.
    Purpose,
    /// `dfft:certification`: the certifications the recipient holds.
    Certification,
    /// `elapsedTime`: the time since the agreement started.
    ElapsedTime,
    /// `dateTime`: now.
    DateTime,
    /// `count`: the number of uses including the one asked for.
    Count,
    /// Anything else, by its compact name: never satisfied.
    Unsupported(String),
}

impl LeftOperand {
    /// Every supported operand, by compact name.
    pub const SUPPORTED: &'static str = "spatial, purpose, dfft:certification, elapsedTime, dateTime, count";

    pub fn from_name(name: &str) -> LeftOperand {
        match compact(name).as_str() {
            "spatial" => LeftOperand::Spatial,
            "purpose" => LeftOperand::Purpose,
            "dfft:certification" => LeftOperand::Certification,
            "elapsedTime" => LeftOperand::ElapsedTime,
            "dateTime" => LeftOperand::DateTime,
            "count" => LeftOperand::Count,
            other => LeftOperand::Unsupported(other.to_owned()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            LeftOperand::Spatial => "spatial",
            LeftOperand::Purpose => "purpose",
            LeftOperand::Certification => "dfft:certification",
            LeftOperand::ElapsedTime => "elapsedTime",
            LeftOperand::DateTime => "dateTime",
            LeftOperand::Count => "count",
            LeftOperand::Unsupported(name) => name,
        }
    }

    /// The operators this operand is evaluated with.
    pub fn operators(&self) -> &'static [Operator] {
        use Operator::*;
        match self {
            LeftOperand::Spatial => &[Eq, Neq, IsAnyOf, IsNoneOf],
            LeftOperand::Purpose => &[Eq, Neq, IsA, IsAnyOf, IsNoneOf],
            LeftOperand::Certification => &[Eq, IsAnyOf, IsAllOf, IsNoneOf],
            LeftOperand::ElapsedTime | LeftOperand::DateTime | LeftOperand::Count => &[Eq, Neq, Lt, Lteq, Gt, Gteq],
            LeftOperand::Unsupported(_) => &[],
        }
    }
}

/// The ODRL 2.2 operators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Neq,
    Lt,
    Lteq,
    Gt,
    Gteq,
    IsA,
    IsAnyOf,
    IsAllOf,
    IsNoneOf,
    HasPart,
    IsPartOf,
    /// Anything else, by its compact name.
    Unknown(String),
}

impl Operator {
    pub fn from_name(name: &str) -> Operator {
        match compact(name).as_str() {
            "eq" => Operator::Eq,
            "neq" => Operator::Neq,
            "lt" => Operator::Lt,
            "lteq" => Operator::Lteq,
            "gt" => Operator::Gt,
            "gteq" => Operator::Gteq,
            "isA" => Operator::IsA,
            "isAnyOf" => Operator::IsAnyOf,
            "isAllOf" => Operator::IsAllOf,
            "isNoneOf" => Operator::IsNoneOf,
            "hasPart" => Operator::HasPart,
            "isPartOf" => Operator::IsPartOf,
            other => Operator::Unknown(other.to_owned()),
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Operator::Eq => "eq",
            Operator::Neq => "neq",
            Operator::Lt => "lt",
            Operator::Lteq => "lteq",
            Operator::Gt => "gt",
            Operator::Gteq => "gteq",
            Operator::IsA => "isA",
            Operator::IsAnyOf => "isAnyOf",
            Operator::IsAllOf => "isAllOf",
            Operator::IsNoneOf => "isNoneOf",
            Operator::HasPart => "hasPart",
            Operator::IsPartOf => "isPartOf",
            Operator::Unknown(name) => name,
        }
    }

    /// Whether the operator takes a list of values (the others take exactly one).
    pub fn takes_list(&self) -> bool {
        matches!(self, Operator::IsAnyOf | Operator::IsAllOf | Operator::IsNoneOf)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The action a compact action name is directly `includedIn` (ODRL 2.2 Common Vocabulary; the
/// deprecated 2.1 actions by their replacement's place; dfft's duty actions under `use`).
fn included_in(action: &str) -> Option<&'static str> {
    Some(match action {
        "use" | "transfer" => return None,
        "give" | "sell" => "transfer",
        "display" => "play",
        "extract" | "copy" => "reproduce",
        "share" => "distribute",
        "append" | "appendTo" | "writeTo" => "modify",
        "export" => "transform",
        "pay" => "compensate",
        "acceptTracking"
        | "aggregate"
        | "annotate"
        | "anonymize"
        | "archive"
        | "attribute"
        | "compensate"
        | "concurrentUse"
        | "delete"
        | "derive"
        | "digitize"
        | "distribute"
        | "ensureExclusivity"
        | "execute"
        | "grantUse"
        | "include"
        | "index"
        | "inform"
        | "install"
        | "modify"
        | "move"
        | "nextPolicy"
        | "obtainConsent"
        | "play"
        | "present"
        | "print"
        | "read"
        | "reproduce"
        | "reviewPolicy"
        | "stream"
        | "synchronize"
        | "textToSpeech"
        | "transform"
        | "translate"
        | "uninstall"
        | "watermark"
        | "write"
        | "dfft:pseudonymize"
        | "dfft:noOnwardTransfer"
        | "dfft:drop"
        | "dfft:generalize"
        | "dfft:exclude"
        | "dfft:kAnonymity"
        | "dfft:encrypt" => "use",
        _ => return None,
    })
}

/// Whether a rule on `broader` covers a request for `requested` (both compact): the same action
/// or one transitively `includedIn` it. An action the vocabulary does not know is covered only by
/// itself.
pub fn covers(broader: &str, requested: &str) -> bool {
    let mut current = Some(requested);
    let mut steps = 0;
    while let Some(action) = current {
        if action == broader {
            return true;
        }
        current = included_in(action);
        steps += 1;
        if steps > 8 {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compact_from_every_form() {
        assert_eq!(compact("http://www.w3.org/ns/odrl/2/spatial"), "spatial");
        assert_eq!(compact("odrl:use"), "use");
        assert_eq!(compact("https://w3id.org/dfft/ns#certification"), "dfft:certification");
        assert_eq!(compact("https://example.org/x"), "https://example.org/x");
        assert_eq!(LeftOperand::from_name(CERTIFICATION), LeftOperand::Certification);
        assert_eq!(LeftOperand::from_name("dfft:certification"), LeftOperand::Certification);
        assert_eq!(LeftOperand::from_name("event"), LeftOperand::Unsupported("event".into()));
        assert_eq!(Operator::from_name("http://www.w3.org/ns/odrl/2/isAnyOf"), Operator::IsAnyOf);
        assert_eq!(Operator::from_name("term-lteq"), Operator::Unknown("term-lteq".into()));
    }

    #[test]
    fn the_action_hierarchy() {
        assert!(covers("use", "read"));
        assert!(covers("use", "use"));
        assert!(covers("use", "display"));
        assert!(covers("play", "display"));
        assert!(covers("use", "write"));
        assert!(!covers("use", "sell"));
        assert!(covers("transfer", "sell"));
        assert!(!covers("read", "use"));
        assert!(!covers("read", "write"));
        assert!(!covers("use", "https://example.org/unknown"));
        assert!(covers("https://example.org/unknown", "https://example.org/unknown"));
    }
}
