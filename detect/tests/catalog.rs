//! The committed technique table matches `ics-attack-18.1-techniques.csv`.
//!
//! The csv is read from `$OTWIRE_ATTACK_CSV`, or `../shared/attack/ics-attack-18.1-techniques.csv`
//! relative to the workspace root. With `OTWIRE_REGENERATE=1` the test rewrites
//! `src/catalog/generated.rs` from the file instead of comparing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

fn csv_path() -> PathBuf {
    match std::env::var_os("OTWIRE_ATTACK_CSV") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/attack/ics-attack-18.1-techniques.csv"),
    }
}

fn generated_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/catalog/generated.rs")
}

struct Row {
    id: String,
    name: String,
    tactics: Vec<String>,
}

fn parse(csv: &str) -> Vec<Row> {
    let mut lines = csv.lines();
    let header = lines.next().expect("header");
    assert!(
        header.starts_with("id,name,tactics"),
        "unexpected header {header:?}"
    );
    let mut rows: Vec<Row> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            assert!(!l.contains('"'), "quoted fields are not expected: {l:?}");
            let f: Vec<&str> = l.split(',').collect();
            Row {
                id: f[0].trim().to_string(),
                name: f[1].trim().to_string(),
                tactics: f[2].split('|').map(|t| t.trim().to_string()).collect(),
            }
        })
        .collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    rows
}

fn render(rows: &[Row]) -> String {
    let mut s = String::new();
    s.push_str("// @generated from ics-attack-18.1-techniques.csv by\n");
    s.push_str(
        "// `OTWIRE_REGENERATE=1 cargo test -p otwire-detect --test catalog`. Do not edit.\n\n",
    );
    s.push_str("use super::Technique;\n\n");
    s.push_str(&format!(
        "/// Every technique of ATT&CK for ICS v18.1, in id order ({} techniques).\n",
        rows.len()
    ));
    s.push_str(&format!(
        "pub static TECHNIQUES: [&Technique; {}] = [\n",
        rows.len()
    ));
    for r in rows {
        s.push_str(&format!("    &{},\n", r.id));
    }
    s.push_str("];\n");
    for r in rows {
        let tactics: Vec<String> = r.tactics.iter().map(|t| format!("{t:?}")).collect();
        s.push_str(&format!(
            "\n/// {} {} ({}).\npub static {}: Technique = Technique {{ id: {:?}, name: {:?}, tactics: &[{}] }};\n",
            r.id,
            r.name,
            r.tactics.join(", "),
            r.id,
            r.id,
            r.name,
            tactics.join(", ")
        ));
    }
    s
}

#[test]
fn generated_table_matches_csv() {
    let path = csv_path();
    let csv = match std::fs::read_to_string(&path) {
        Ok(c) => c,
        Err(e) => {
            assert!(
                std::env::var_os("OTWIRE_ATTACK_CSV").is_none(),
                "OTWIRE_ATTACK_CSV set but unreadable: {e}"
            );
            eprintln!("skipping: {} not readable ({e})", path.display());
            return;
        }
    };
    let rows = parse(&csv);
    let text = render(&rows);
    if std::env::var_os("OTWIRE_REGENERATE").is_some() {
        std::fs::write(generated_path(), &text).unwrap();
    }
    let committed = std::fs::read_to_string(generated_path()).unwrap();
    assert_eq!(
        committed, text,
        "src/catalog/generated.rs is stale: rerun with OTWIRE_REGENERATE=1"
    );
    // And the compiled table agrees with the file.
    assert_eq!(otwire_detect::catalog::TECHNIQUES.len(), rows.len());
    for (t, r) in otwire_detect::catalog::TECHNIQUES.iter().zip(&rows) {
        assert_eq!(t.id, r.id);
        assert_eq!(t.name, r.name);
        assert_eq!(t.tactics.len(), r.tactics.len());
        assert!(t.tactics.iter().zip(&r.tactics).all(|(a, b)| a == b));
    }
}

#[test]
fn lookup() {
    let t = otwire_detect::catalog::technique("T0855").unwrap();
    assert_eq!(t.name, "Unauthorized Command Message");
    assert!(otwire_detect::catalog::technique("T9999").is_none());
}
