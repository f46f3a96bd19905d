//! The table of directives in docs/scenario-format.md, made from
//! [`super::TABLE`] so the reference cannot drift from what the parser
//! accepts (a unit test compares the two).

use super::super::model::Peer;
use super::TABLE;

/// The Markdown table of every directive: its syntax, the sides under
/// test whose scenarios may use it, and what it does, as the "Directives"
/// section of docs/scenario-format.md shows it.
pub(crate) fn markdown_table() -> String {
    let mut out = String::from("| directive | testing | meaning |\n|---|---|---|\n");
    for d in TABLE {
        let syntax = if d.args.is_empty() {
            d.name.to_owned()
        } else {
            format!("{} {}", d.name, d.args)
        };
        let peers: Vec<&str> = d
            .peers
            .iter()
            .map(|p| match p {
                Peer::Server => "server",
                Peer::Client => "client",
            })
            .collect();
        out.push_str(&format!(
            "| `{syntax}` | {} | {} |\n",
            peers.join(", "),
            d.help
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BEGIN: &str = "<!-- directives: begin -->\n";
    const END: &str = "<!-- directives: end -->";

    /// The reference lists exactly the table; on a difference, paste the
    /// table printed by the failure between the two markers.
    #[test]
    fn the_reference_shows_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario-format.md");
        let doc = std::fs::read_to_string(path).expect("docs/scenario-format.md");
        let begin = doc.find(BEGIN).expect("begin marker") + BEGIN.len();
        let end = doc[begin..].find(END).expect("end marker") + begin;
        let expected = markdown_table();
        assert!(
            doc[begin..end] == expected,
            "docs/scenario-format.md lists other directives than the table; \
             between the markers it should read:\n{expected}"
        );
    }

    #[test]
    fn one_row_per_directive_with_its_arguments() {
        let table = markdown_table();
        assert_eq!(table.lines().count(), 2 + TABLE.len());
        assert!(table.contains("| `silence DURATION` | server, client |"));
        assert!(table.contains("| `login` | server |"));
    }
}
