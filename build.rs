//! Embeds the built-in scenarios (`scenarios/`, fragments in `_include/`
//! included) and the spec inventories (`spec/*.toml`) in the binary, so
//! that the suite a user runs, and the checks of its `covers` and `spec`
//! citations, do not depend on the folder they run it from
//! (`scenario::built_in`, `spec::built_in`).
//!
//! A generated table of `include_bytes!` rather than the `include_dir`
//! crate: no dependency for forty-odd files, and cargo is told to watch
//! the folders, so a scenario added or removed rebuilds the table
//! (`include_dir` cannot track new files on stable Rust). Bytes, not
//! `include_str!`, so that a file that is not UTF-8 gets the scenario
//! parser's own error, with the line, instead of a compile error.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

fn main() {
    if let Err(e) = generate() {
        // A build script reports by failing; there is no caller to return to.
        panic!("embedding scenarios/ and spec/: {e}");
    }
}

fn generate() -> io::Result<()> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let scenarios = table(&manifest, "scenarios", "xmpp")?;
    fs::write(
        out.join("built_in_scenarios.rs"),
        format!(
            "/// Every file under `scenarios/` (by its path from the crate's root, `/`-separated) and its bytes.\n\
             pub(crate) static FILES: &[(&str, &[u8])] = &[\n{scenarios}];\n"
        ),
    )?;
    let specs = table(&manifest, "spec", "toml")?;
    fs::write(
        out.join("built_in_specs.rs"),
        format!(
            "/// Every inventory under `spec/` (by its path from the crate's root) and its bytes.\n\
             pub(crate) static FILES: &[(&str, &[u8])] = &[\n{specs}];\n"
        ),
    )
}

/// The rows `("path", include_bytes!("…")),` of every `.ext` file below
/// `manifest/folder`, sorted.
fn table(manifest: &Path, folder: &str, ext: &str) -> io::Result<String> {
    let mut files = Vec::new();
    walk(&manifest.join(folder), ext, &mut files)?;
    files.sort();
    let mut rows = String::new();
    for file in &files {
        let relative = file
            .strip_prefix(manifest)
            .map_err(io::Error::other)?
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        rows.push_str(&format!(
            "    ({relative:?}, include_bytes!({:?})),\n",
            file.display().to_string()
        ));
    }
    Ok(rows)
}

/// Every file below `dir`, and a `rerun-if-changed` for each folder.
fn walk(dir: &Path, ext: &str, files: &mut Vec<PathBuf>) -> io::Result<()> {
    println!("cargo:rerun-if-changed={}", dir.display());
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, ext, files)?;
        } else if path.extension().is_some_and(|e| e == ext) {
            files.push(path);
        }
    }
    Ok(())
}
