//! Properties of the transforms over generated data: what must never be released is never in
//! the output, and what is released is what the plan says.

use std::collections::{HashMap, HashSet};

use plane::{apply, pseudonym, Format, Generalization, Plan, Report};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// A CSV-hostile cell: commas, quotes, line breaks, spaces, sometimes empty. Never contains the
/// upper-case markers the tests look for.
fn cell() -> impl Strategy<Value = String> {
    "[a-d ,\"\n\r]{0,6}"
}

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).expect("writing to memory");
    for row in rows {
        writer.write_record(row).expect("writing to memory");
    }
    writer.into_inner().expect("writing to memory")
}

fn ndjson_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    for row in rows {
        let object: Map<String, Value> =
            header.iter().zip(row).map(|(k, v)| (k.to_string(), Value::String(v.clone()))).collect();
        serde_json::to_writer(&mut out, &object).expect("writing to memory");
        out.push(b'\n');
    }
    out
}

fn bytes(format: Format, header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    match format {
        Format::Csv => csv_bytes(header, rows),
        Format::Ndjson => ndjson_bytes(header, rows),
    }
}

fn run(plan: &Plan, input: Vec<u8>) -> (Vec<u8>, Report) {
    let mut out = Vec::new();
    let report = apply(plan, &input, &mut out).unwrap_or_else(|e| panic!("{e}"));
    (out, report)
}

/// The output's rows as field → value maps.
fn parse(format: Format, out: &[u8]) -> (Vec<String>, Vec<HashMap<String, String>>) {
    match format {
        Format::Csv => {
            let mut reader = csv::Reader::from_reader(out);
            let header: Vec<String> =
                reader.headers().expect("the output has a CSV header").iter().map(str::to_owned).collect();
            let rows = reader
                .records()
                .map(|r| header.iter().cloned().zip(r.expect("the output is CSV").iter().map(str::to_owned)).collect())
                .collect();
            (header, rows)
        }
        Format::Ndjson => {
            let rows: Vec<HashMap<String, String>> = String::from_utf8(out.to_vec())
                .expect("the output is UTF-8")
                .lines()
                .map(|line| {
                    let value: Value = serde_json::from_str(line).expect("each output line is JSON");
                    let object = value.as_object().expect("each output line is an object");
                    object.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned())).collect()
                })
                .collect();
            let header = rows.first().map(|r| r.keys().cloned().collect()).unwrap_or_default();
            (header, rows)
        }
    }
}

fn format() -> impl Strategy<Value = Format> {
    prop_oneof![Just(Format::Csv), Just(Format::Ndjson)]
}

const FIELDS: [&str; 4] = ["id", "name", "email", "note"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn pseudonyms_are_stable_per_key_and_differ_across_keys(
        a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), field in "[a-z_]{1,8}", value in ".{0,20}"
    ) {
        prop_assert_eq!(pseudonym(&a, &field, &value), pseudonym(&a, &field, &value));
        prop_assert_eq!(pseudonym(&a, &field, &value).len(), 32);
        if a != b {
            prop_assert_ne!(pseudonym(&a, &field, &value), pseudonym(&b, &field, &value));
        }
    }

    #[test]
    fn identity_output_is_the_input(input in proptest::collection::vec(any::<u8>(), 0..3000), format in format()) {
        let (out, report) = run(&Plan::none(format), input.clone());
        prop_assert_eq!(&out, &input);
        prop_assert_eq!(report.bytes_out, input.len() as u64);
    }

    #[test]
    fn dropped_fields_never_appear(
        rows in proptest::collection::vec((cell(), cell(), any::<u32>()), 0..40),
        format in format(),
        also_pseudonymize in any::<bool>(),
    ) {
        let header = ["id", "name", "SECRETFIELD"];
        let rows: Vec<Vec<String>> =
            rows.into_iter().map(|(id, name, mark)| vec![id, name, format!("MARK{mark}X")]).collect();
        let plan = Plan {
            drop: vec!["SECRETFIELD".into()],
            pseudonymize: if also_pseudonymize { vec!["name".into()] } else { vec![] },
            pseudonym_key: [3; 32],
            ..Plan::none(format)
        };
        let (out, report) = run(&plan, bytes(format, &header, &rows));
        let text = String::from_utf8_lossy(&out);
        prop_assert!(!text.contains("SECRET") && !text.contains("MARK"), "{}", text);
        prop_assert_eq!(report.rows_out, Some(rows.len() as u64));
        prop_assert_eq!(report.bytes_out, out.len() as u64);
    }

    #[test]
    fn output_has_the_kept_fields_with_their_released_values(
        rows in proptest::collection::vec(proptest::collection::vec(cell(), 4), 0..30),
        drop in proptest::sample::subsequence(FIELDS.to_vec(), 0..=3),
        pseudonymize in proptest::sample::subsequence(FIELDS.to_vec(), 0..=4),
        key in any::<[u8; 32]>(),
        format in format(),
    ) {
        let plan = Plan {
            drop: drop.iter().map(|f| f.to_string()).collect(),
            pseudonymize: pseudonymize.iter().map(|f| f.to_string()).collect(),
            pseudonym_key: key,
            ..Plan::none(format)
        };
        let (out, report) = run(&plan, bytes(format, &FIELDS, &rows));
        let kept: Vec<&str> = FIELDS.iter().copied().filter(|f| !drop.contains(f)).collect();
        let (header, released) = parse(format, &out);
        if format == Format::Csv || !rows.is_empty() {
            let mut header = header;
            if format == Format::Ndjson {
                header.sort_by_key(|h| FIELDS.iter().position(|f| f == h));
            }
            prop_assert_eq!(header, kept.clone());
        }
        prop_assert_eq!(released.len(), rows.len());
        let counted = if plan.is_identity() { None } else { Some(rows.len() as u64) };
        prop_assert_eq!(report.rows_out, counted);
        for (row, out) in rows.iter().zip(&released) {
            prop_assert_eq!(out.len(), kept.len());
            for (i, field) in FIELDS.iter().enumerate() {
                let expected = if drop.contains(field) {
                    None
                } else if pseudonymize.contains(field) && !row[i].is_empty() {
                    Some(pseudonym(&key, field, &row[i]))
                } else {
                    Some(row[i].clone())
                };
                prop_assert_eq!(out.get(*field), expected.as_ref(), "{}", field);
            }
        }
    }

    #[test]
    fn excluded_values_never_appear(
        ids in proptest::collection::vec(0u32..20, 0..60),
        excluded in proptest::collection::hash_set(0u32..20, 1..6),
        format in format(),
    ) {
        let rows: Vec<Vec<String>> = ids.iter().map(|id| vec![format!("S{id}"), format!("row of S{id}")]).collect();
        let excluded: HashSet<String> = excluded.iter().map(|id| format!("S{id}")).collect();
        let plan = Plan { exclude: vec![("subject".into(), excluded.clone())], ..Plan::none(format) };
        let (out, report) = run(&plan, bytes(format, &["subject", "text"], &rows));
        let (_, released) = parse(format, &out);
        for row in &released {
            prop_assert!(!excluded.contains(&row["subject"]), "{:?}", row);
            prop_assert_eq!(&row["text"], &format!("row of {}", row["subject"]));
        }
        let expected = rows.iter().filter(|r| excluded.contains(&r[0])).count() as u64;
        prop_assert_eq!(report.rows_excluded, expected);
        prop_assert_eq!(released.len() as u64, rows.len() as u64 - expected);
    }

    #[test]
    fn output_is_k_anonymous_and_only_small_groups_are_suppressed(
        rows in proptest::collection::vec((0u32..100, 0usize..4, 0u32..30), 0..80),
        k in 1usize..6,
        width in prop_oneof![Just(1u32), Just(5), Just(10), Just(25)],
        excluded in proptest::collection::hash_set(0u32..30, 0..4),
        format in format(),
    ) {
        let regions = ["N", "S", "E", "W"];
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|(age, region, id)| vec![id.to_string(), age.to_string(), regions[*region].to_owned()])
            .collect();
        let excluded: HashSet<String> = excluded.iter().map(u32::to_string).collect();
        let plan = Plan {
            generalize: vec![("age".into(), Generalization::Band(width))],
            exclude: vec![("id".into(), excluded.clone())],
            k_anonymity: Some((k, vec!["age".into(), "region".into()])),
            ..Plan::none(format)
        };
        let (out, report) = run(&plan, bytes(format, &["id", "age", "region"], &table));
        let (_, released) = parse(format, &out);

        let mut groups: HashMap<(String, String), usize> = HashMap::new();
        for row in &released {
            *groups.entry((row["age"].clone(), row["region"].clone())).or_default() += 1;
        }
        prop_assert!(groups.values().all(|n| *n >= k), "{:?}", groups);

        // Exactly the rows of (non-excluded) groups smaller than k are suppressed.
        let band = |age: u32| { let low = age / width * width; format!("{}-{}", low, low + width - 1) };
        let mut expected: HashMap<(String, String), usize> = HashMap::new();
        for (age, region, id) in &rows {
            if !excluded.contains(&id.to_string()) {
                *expected.entry((band(*age), regions[*region].to_owned())).or_default() += 1;
            }
        }
        let small: usize = expected.values().filter(|n| **n < k).sum();
        prop_assert_eq!(report.rows_suppressed, small as u64);
        prop_assert_eq!(
            report.rows_in,
            Some(report.rows_out.unwrap_or(0) + report.rows_excluded + report.rows_suppressed)
        );
        prop_assert_eq!(report.rows_in, Some(rows.len() as u64));
    }

    #[test]
    fn any_bytes_are_applied_or_refused_without_panicking(
        input in proptest::collection::vec(prop_oneof![Just(b'{'), Just(b'"'), Just(b','), Just(b'\n'), Just(b'a'), any::<u8>()], 0..300),
        format in format(),
    ) {
        let plan = Plan {
            pseudonymize: vec!["a".into()],
            generalize: vec![("b".into(), Generalization::Year)],
            k_anonymity: Some((2, vec!["b".into()])),
            ..Plan::none(format)
        };
        let mut out = Vec::new();
        let _ = apply(&plan, &input, &mut out);
    }
}
