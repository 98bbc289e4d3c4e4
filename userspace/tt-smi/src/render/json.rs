//! `--json`: the snapshot as is (schema in README.md, versioned by `schema_version`).

use crate::model::Snapshot;

pub fn render(s: &Snapshot) -> String {
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string_pretty(s).unwrap_or_default() + "\n"
}
