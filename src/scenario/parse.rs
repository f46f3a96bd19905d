//! Whole scenario files: front matter, then the body's steps.

use std::path::{Component, Path};

use super::Scenario;
use super::build::Builder;
use super::error::ScenarioError;
use super::frontmatter;
use super::source::{self, SourceFile};

pub(super) fn load(path: &Path, root: &Path) -> Result<Scenario, ScenarioError> {
    let bytes = source::read_bounded(path)
        .map_err(|e| ScenarioError::file(path, format!("cannot read the file: {e}")))?;
    let text = source::decode(path, bytes)?;
    let id = scenario_id(path, root);
    if path
        .extension()
        .is_some_and(|e| e == super::scansion::EXTENSION)
    {
        return super::scansion::parse_str(&text, path, &id);
    }
    parse_str(&text, path, &id)
}

pub(super) fn parse_str(text: &str, path: &Path, id: &str) -> Result<Scenario, ScenarioError> {
    let src = SourceFile::new(path.to_path_buf(), text);
    let Some(bounds) = frontmatter::locate(&src)? else {
        return Err(src
            .error(
                1,
                0,
                0,
                "a scenario starts with front matter between `+++` lines",
            )
            .with_help(
                "e.g. `+++`, `title = \"…\"`, `spec = [\"RFC 6120 §4.9\"]`, `+++` on four lines",
            ));
    };
    let meta = frontmatter::parse(&src, bounds, frontmatter::default_peer(path))?;
    let mut builder = Builder::new(meta.peer, meta.matching, path);
    builder.body(&src, bounds.body_start())?;
    if builder.steps.is_empty() {
        let fence = bounds.close as u32 + 1;
        return Err(src.error(
            fence,
            0,
            3,
            "the scenario has no steps after its front matter",
        ));
    }
    Ok(Scenario {
        id: id.to_owned(),
        // As messages show it (normalised), so reports name the same file.
        path: src.path.as_ref().clone(),
        meta,
        steps: builder.steps,
    })
}

/// `rfc6120/stream/bad-xml` for `<root>/rfc6120/stream/bad-xml.xmpp`: the
/// path below `root`, without extension, with `/` on every platform.
pub(super) fn scenario_id(path: &Path, root: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path).with_extension("");
    relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}
