//! `xmpp-conform corpus export DIR`: a seed folder for every fuzz target,
//! none empty, and the same files on every run.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use support::{text, xmpp_conform};
use xmpp_conform::corpus::TARGETS;

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for target in TARGETS {
        let folder = dir.join(target);
        for entry in fs::read_dir(&folder).unwrap_or_else(|e| panic!("{}: {e}", folder.display())) {
            let path = entry.expect("directory entry").path();
            let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let name = path
                .strip_prefix(dir)
                .expect("below dir")
                .to_string_lossy()
                .into_owned();
            out.insert(name, bytes);
        }
    }
    out
}

fn export(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = xmpp_conform(&["corpus", "export", dir.to_str().expect("utf-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    files(dir)
}

#[test]
fn export_fills_every_target_folder_the_same_way_twice() {
    let first = tempfile::tempdir().expect("temporary folder");
    let second = tempfile::tempdir().expect("temporary folder");
    let a = export(first.path());
    for target in TARGETS {
        let n = a
            .keys()
            .filter(|k| k.starts_with(&format!("{target}/")))
            .count();
        assert!(n > 0, "no seeds for {target}");
    }
    assert!(a.values().all(|b| !b.is_empty()), "an empty seed");
    assert!(
        a.contains_key("scenario_file/server_rfc6120_stream_bad-xml.xmpp"),
        "scenario files are named by id"
    );
    // Into a fresh folder and over the first export: the same files.
    assert_eq!(export(second.path()), a);
    assert_eq!(export(first.path()), a);
}
