//! The crate graph ARCHITECTURE.md draws, checked against `cargo metadata`: a crate that
//! depends on one it must not (a store that knows the extractor, a CLI that reaches into the
//! web crate's internals, production code on the test kit) fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use serde_json::Value;

/// Every duban crate and the duban crates it may depend on to build (normal dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    ("duban-core", &[]),
    ("duban-extract", &["duban-core"]),
    ("duban-office", &["duban-core"]),
    ("duban-demo", &["duban-core"]),
    ("duban-store", &["duban-core"]),
    (
        "duban-app",
        &["duban-core", "duban-store", "duban-office", "duban-extract"],
    ),
    (
        "duban-web",
        &[
            "duban-core",
            "duban-store",
            "duban-app",
            "duban-office",
            "duban-extract",
        ],
    ),
    (
        "duban",
        &[
            "duban-core",
            "duban-store",
            "duban-app",
            "duban-office",
            "duban-extract",
            "duban-demo",
            "duban-web",
        ],
    ),
    (
        "duban-testkit",
        &["duban-core", "duban-store", "duban-app", "duban-web"],
    ),
];

/// Crates whose every dependency, tests' included, must be in ALLOWED: the store is tested
/// through its own API only, so `cargo tree -p duban-store` names no duban crate but the core.
const STRICT: &[&str] = &["duban-core", "duban-store"];

/// Each workspace crate's duban dependencies by kind ("normal", "dev", "build").
fn graph() -> BTreeMap<String, Vec<(String, String)>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).expect("cargo metadata is JSON");
    let mut graph = BTreeMap::new();
    for p in meta["packages"].as_array().expect("packages") {
        let name = p["name"].as_str().expect("a name").to_string();
        let deps = p["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter_map(|d| {
                let dep = d["name"].as_str()?;
                let kind = d["kind"].as_str().unwrap_or("normal");
                (dep.starts_with("duban") && dep != name).then(|| (dep.to_string(), kind.into()))
            })
            .collect();
        graph.insert(name, deps);
    }
    graph
}

#[test]
fn every_crate_depends_only_on_what_the_architecture_allows() {
    let graph = graph();
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(c, deps)| (*c, deps.iter().copied().collect()))
        .collect();
    let mut wrong = Vec::new();
    for (krate, deps) in &graph {
        let Some(ok) = allowed.get(krate.as_str()) else {
            wrong.push(format!(
                "{krate} is not in the architecture: add it to ALLOWED and ARCHITECTURE.md"
            ));
            continue;
        };
        for (dep, kind) in deps {
            let strict = STRICT.contains(&krate.as_str());
            if (kind == "normal" || strict) && !ok.contains(dep.as_str()) {
                wrong.push(format!("{krate} → {dep} ({kind})"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "edges the architecture forbids: {wrong:?}"
    );
    assert_eq!(graph.len(), ALLOWED.len(), "every allowed crate exists");
}

#[test]
fn no_production_crate_depends_on_the_test_kit() {
    for (krate, deps) in graph() {
        for (dep, kind) in deps {
            assert!(
                !(dep == "duban-testkit" && kind != "dev"),
                "{krate} depends on the test kit as a {kind} dependency"
            );
        }
    }
}

#[test]
fn the_core_has_no_io_dependency() {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "-p",
            "duban-core",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--offline",
        ])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("cargo tree runs");
    let tree = String::from_utf8_lossy(&out.stdout);
    for io in [
        "sqlx",
        "tokio",
        "calamine",
        "rust_xlsxwriter",
        "hyper",
        "axum",
    ] {
        assert!(
            !tree.lines().any(|l| l.starts_with(&format!("{io} "))),
            "duban-core depends on {io}"
        );
    }
}
