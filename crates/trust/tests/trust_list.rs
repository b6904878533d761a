//! The trust list file: the documented format, the rulebook's own copy, round trips, and errors
//! that name the line and the field.

use proptest::prelude::*;
use trust::trust_list::check_kind;
use trust::{KeyPair, TrustList, TrustedIssuer, CERTIFICATION_SCHEMES};

fn did(seed: u8) -> String {
    KeyPair::from_seed(&[seed; 32]).public_key().to_did_key()
}

#[test]
fn the_documented_format_parses() {
    let text = format!(
        r#"# Accredited issuers
[[issuer]]
did = "{}"
name = "JIPDEC (APEC CBPR accountability agent)"
accredited = ["certification:apec-cbpr", "certification:global-cbpr"]

[[issuer]]
did = "did:web:registry.example%3A8443:dfft"
name = "Dataspace authority"
accredited = ["membership:https://dataspace.example/apac", "legal-entity"]
"#,
        did(1)
    );
    let list = TrustList::parse(&text).expect("valid");
    assert_eq!(list.issuers.len(), 2);
    assert!(list.accredits(&did(1), "certification:apec-cbpr"));
    assert!(list.accredits(&did(1), "certification:global-cbpr"));
    assert!(!list.accredits(&did(1), "certification:dpf"));
    assert!(!list.accredits(&did(2), "certification:apec-cbpr"));
    assert!(list.accredits("did:web:registry.example%3A8443:dfft", "legal-entity"));
    assert_eq!(list.issuer(&did(1)).map(|i| i.name.as_str()), Some("JIPDEC (APEC CBPR accountability agent)"));
    assert_eq!(list.issuer(&did(2)), None);
}

#[test]
fn an_empty_list_is_valid_and_trusts_nobody() {
    for text in ["", "# nobody yet\n", "issuer = []\n"] {
        assert_eq!(TrustList::parse(text), Ok(TrustList::default()), "{text:?}");
    }
    let rulebooks_own = include_str!("../../../rulebook/trust-list.toml");
    assert_eq!(TrustList::parse(rulebooks_own), Ok(TrustList::default()));
    assert!(!TrustList::default().accredits(&did(1), "legal-entity"));
}

#[test]
fn to_toml_round_trips() {
    let list = TrustList {
        issuers: vec![
            TrustedIssuer {
                did: did(1),
                name: "A \"quoted\" name, with \\ and\ttab\nand a newline \u{7f} é".into(),
                accredited: CERTIFICATION_SCHEMES.iter().map(|s| format!("certification:{s}")).collect(),
            },
            TrustedIssuer {
                did: "did:web:example.com".into(),
                name: "Registry".into(),
                accredited: vec!["legal-entity".into(), "membership:ds-1".into()],
            },
        ],
    };
    let text = list.to_toml();
    assert_eq!(TrustList::parse(&text), Ok(list));
    assert_eq!(TrustList::default().to_toml(), "");
}

#[test]
fn errors_name_the_line_and_the_field() {
    let key = did(1);
    let cases = [
        (
            format!("[[issuer]]\ndid = \"{key}\"\nname = \"X\"\naccredited = [\"certification:apec-cbp\"]\n"),
            "trust-list.toml line 4: accredited: unknown certification scheme \"apec-cbp\": expected one of apec-cbpr, \
             global-cbpr, apec-prp, global-prp, dpf, dpf-uk, dpf-swiss, iso-27001, iso-27701",
        ),
        (
            "\n[[issuer]]\ndid = \"did:example:123\"\nname = \"X\"\naccredited = [\"legal-entity\"]\n".to_owned(),
            "trust-list.toml line 3: did: \"did:example:123\": expected a DID starting with \"did:key:\" or \"did:web:\"",
        ),
        (
            format!("[[issuer]]\ndid = \"{key}\"\nname = \"X\"\naccredited = [\"legal-entity\", \"member:x\"]\n"),
            "trust-list.toml line 4: accredited: \"member:x\" is not a kind of claim: expected \
             \"certification:<scheme>\", \"membership:<dataspace id>\" or \"legal-entity\"",
        ),
        (
            format!(
                "[[issuer]]\ndid = \"{key}\"\nname = \"X\"\naccredited = [\"legal-entity\"]\n\n\
                 [[issuer]]\ndid = \"{key}\"\nname = \"Y\"\naccredited = [\"legal-entity\"]\n"
            ),
            "trust-list.toml line 7: did: ",
        ),
        (format!("[[issuer]]\ndid = \"{key}\"\nname = \" \"\naccredited = [\"legal-entity\"]\n"), "line 3: name: "),
        (format!("[[issuer]]\ndid = \"{key}\"\nname = \"X\"\naccredited = []\n"), "line 4: accredited: "),
        (format!("[[issuer]]\ndid = \"{key}\"\nname = \"X\"\n"), "line 1: missing field `accredited`"),
        (
            format!("[[issuer]]\ndid = \"{key}\"\nname = \"X\"\naccredited = [\"legal-entity\"]\nurl = \"x\"\n"),
            "line 5: unknown field `url`",
        ),
        (
            "[[issuer]]\ndid = \"did:key:z6Mkbad\"\nname = \"X\"\naccredited = [\"legal-entity\"]\n".to_owned(),
            "line 2: did: ",
        ),
        (
            "[[issuer]]\ndid = \"did:web:bad host\"\nname = \"X\"\naccredited = [\"legal-entity\"]\n".to_owned(),
            "line 2: did: ",
        ),
        ("[[issuer]\n".to_owned(), "trust-list.toml line 1: "),
        ("[[issuers]]\n".to_owned(), "line 1: unknown field `issuers`"),
    ];
    for (text, expected) in cases {
        let error = TrustList::parse(&text).expect_err(&text);
        let located = error.starts_with("trust-list.toml line ") && error.contains(expected);
        assert!(located, "{text}\n  got:      {error}\n  expected: …{expected}…");
    }
}

#[test]
fn kinds_are_checked() {
    for kind in ["legal-entity", "certification:dpf", "membership:https://ds.example/x", "membership:ds-1"] {
        assert_eq!(check_kind(kind), Ok(()), "{kind}");
    }
    for kind in ["", "legal", "certification:", "certification:DPF", "membership:", "membership:a b", "Legal-Entity"] {
        assert!(check_kind(kind).is_err(), "{kind}");
    }
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = TrustList::parse(&text);
        let _ = TrustList::parse(&format!("[[issuer]]\n{text}"));
    }

    #[test]
    fn any_valid_list_round_trips(
        entries in prop::collection::vec(
            ("[ -~é\\t\\n]{1,20}", prop::collection::btree_set(prop::sample::select(CERTIFICATION_SCHEMES.to_vec()), 1..4)),
            0..5,
        ),
    ) {
        let list = TrustList {
            issuers: entries
                .into_iter()
                .enumerate()
                .filter(|(_, (name, _))| !name.trim().is_empty())
                .map(|(n, (name, schemes))| TrustedIssuer {
                    did: did(u8::try_from(n).unwrap_or(0) + 10),
                    name,
                    accredited: schemes.into_iter().map(|s| format!("certification:{s}")).collect(),
                })
                .collect(),
        };
        prop_assert_eq!(TrustList::parse(&list.to_toml()), Ok(list));
    }
}
