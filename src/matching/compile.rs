//! From a parsed pattern element to the rules of [`super::pattern`].
//!
//! The scenario loader checks placeholders on the raw text first, where it
//! still knows their columns; what reaches this point is valid XML whose
//! values may still hold placeholders that only character references
//! formed (`&#123;`), or markers in places they mean nothing. Those are
//! refused here, so matching never meets a rule it cannot apply.

use crate::scenario::functions::{Call, Side};
use crate::scenario::template::{Segment, Template, TemplateError};
use crate::xml::{Attribute, Element, NS_CLIENT, NS_SCANSION, Node};

use super::pattern::{
    AttrRule, AttributeRule, Checked, Content, ElementPattern, ElementRule, HeaderPattern, Name,
    Order, Piece, ValuePattern,
};

/// Why a pattern cannot be compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A value that does not parse as a template.
    #[error("{0}")]
    Placeholder(#[from] TemplateError),
    #[error("`{{absent}}` must be a whole attribute value")]
    AbsentInValue,
    #[error("`{{absent}}` and `{{hex:…}}` cannot be used in text")]
    NotInText,
    #[error("`{{hex:…}}` can only be used in lines the harness sends")]
    Bytes,
    #[error("`{0}(…)` computes text to send; it cannot be used in a pattern")]
    SentFunction(&'static str),
    /// `<x>{absent}</x>` as a whole first-level pattern.
    #[error("a whole pattern cannot be `{{absent}}`")]
    WholeAbsent,
    #[error("`scansion:strict` is 'true' or 'false', not `{0}`")]
    ScansionStrict(String),
    #[error("`scansion:{0}` means nothing to scansion; only `scansion:strict` is an attribute")]
    ScansionAttribute(String),
}

/// Which rules a scenario's patterns follow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Mode {
    /// The format's own rules (docs/scenario-format.md): extra attributes
    /// allowed, children one to one in order unless `…`.
    #[default]
    Rfc,
    /// Scansion's (docs/scansion.md): each element is *strict* (exactly
    /// the pattern's attributes, children in order and no others, text
    /// equal) or *non-strict* (attributes and children a subset, children
    /// in any order, text checked only when written). An element is
    /// strict when it says `scansion:strict='true'`, or when it says
    /// nothing and its namespace differs from its parent's (for a
    /// first-level element, from `jabber:client`), or when its parent is
    /// strict; `scansion:strict='false'` makes it non-strict.
    Scansion,
}

/// Compile a first-level element pattern under `mode`.
pub fn element_in(source: Element, mode: Mode) -> Result<ElementPattern, PatternError> {
    let root = match mode {
        Mode::Rfc => rule(&source, true)?,
        Mode::Scansion => scansion_rule(&source, NS_CLIENT, false)?,
    };
    Ok(ElementPattern { root, source })
}

/// Scansion's strictness of `e` (see [`Mode::Scansion`]).
fn scansion_strict(
    e: &Element,
    parent_ns: &str,
    parent_strict: bool,
) -> Result<bool, PatternError> {
    let mut said = None;
    for a in e
        .attrs
        .iter()
        .filter(|a| a.ns.as_deref() == Some(NS_SCANSION))
    {
        if a.name != "strict" {
            return Err(PatternError::ScansionAttribute(a.name.to_string()));
        }
        said = Some(match a.value.as_str() {
            "true" => true,
            "false" => false,
            other => return Err(PatternError::ScansionStrict(other.to_owned())),
        });
    }
    Ok(said.unwrap_or(parent_strict || e.ns != parent_ns))
}

fn scansion_rule(
    e: &Element,
    parent_ns: &str,
    parent_strict: bool,
) -> Result<ElementRule, PatternError> {
    let strict = scansion_strict(e, parent_ns, parent_strict)?;
    let own: Vec<Attribute> = e
        .attrs
        .iter()
        .filter(|a| a.ns.as_deref() != Some(NS_SCANSION))
        .cloned()
        .collect();
    let attrs = attributes(&own)?;
    let text: String = e
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let text = text.trim();
    let has_children = e.child_elements().next().is_some();
    let content = if text == "{*}" && !has_children {
        Content::Any
    } else {
        let children = e
            .child_elements()
            .map(|c| scansion_rule(c, &e.ns, strict))
            .collect::<Result<_, _>>()?;
        Content::Checked(Checked {
            text: if text.is_empty() {
                None
            } else {
                Some(value(text, false)?)
            },
            absent: Vec::new(),
            children,
            order: if strict { Order::Exact } else { Order::Subset },
        })
    };
    Ok(ElementRule {
        name: Name::of(e),
        attrs,
        content,
        closed: strict,
    })
}

/// Compile a first-level element pattern.
pub fn element(source: Element) -> Result<ElementPattern, PatternError> {
    let root = rule(&source, true)?;
    Ok(ElementPattern { root, source })
}

/// Compile a stream header pattern: its declarations and attributes (its
/// content, if any, is not looked at).
pub fn header(source: Element) -> Result<HeaderPattern, PatternError> {
    Ok(HeaderPattern {
        declarations: source.declarations.clone(),
        attrs: attributes(&source.attrs)?,
        source,
    })
}

/// Whether a text child is the "further children allowed" marker.
fn is_ellipsis(text: &str) -> bool {
    matches!(text.trim(), "…" | "...")
}

/// Whether a pattern element is written `<x>{absent}</x>`.
fn is_absent_marker(e: &Element) -> bool {
    matches!(e.children.as_slice(), [Node::Text(t)] if t.trim() == "{absent}")
}

fn rule(e: &Element, first_level: bool) -> Result<ElementRule, PatternError> {
    let attrs = attributes(&e.attrs)?;
    if first_level && is_absent_marker(e) {
        return Err(PatternError::WholeAbsent);
    }
    Ok(ElementRule {
        name: Name::of(e),
        attrs,
        content: content(e)?,
        closed: false,
    })
}

/// The content rules, as the matching rules read them: the text is all
/// text children but `…` joined and trimmed; `{*}` as the whole content
/// with no child elements accepts anything.
fn content(e: &Element) -> Result<Content, PatternError> {
    let text: String = e
        .children
        .iter()
        .filter_map(|n| match n {
            Node::Text(t) if !is_ellipsis(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let text = text.trim();
    let has_children = e.child_elements().next().is_some();
    if text == "{*}" && !has_children {
        return Ok(Content::Any);
    }
    let text = if text.is_empty() {
        None
    } else {
        Some(value(text, false)?)
    };
    let order = if e
        .children
        .iter()
        .any(|n| matches!(n, Node::Text(t) if is_ellipsis(t)))
    {
        Order::Subset
    } else {
        Order::Exact
    };
    let mut absent = Vec::new();
    let mut children = Vec::new();
    for child in e.child_elements() {
        if is_absent_marker(child) {
            // Only the name counts; the attributes are still checked so a
            // broken placeholder there is not silently accepted.
            attributes(&child.attrs)?;
            absent.push(Name::of(child));
        } else {
            children.push(rule(child, false)?);
        }
    }
    Ok(Content::Checked(Checked {
        text,
        absent,
        children,
        order,
    }))
}

fn attributes(attrs: &[Attribute]) -> Result<Vec<AttributeRule>, PatternError> {
    attrs
        .iter()
        .map(|a| {
            let template = Template::parse(&a.value)?;
            let rule = if template.segments == [Segment::Absent] {
                AttrRule::Absent
            } else {
                AttrRule::Value(pieces(&a.value, template, true)?)
            };
            Ok(AttributeRule {
                ns: a.ns.clone(),
                local: a.name.clone(),
                rule,
            })
        })
        .collect()
}

fn value(written: &str, in_attribute: bool) -> Result<ValuePattern, PatternError> {
    pieces(written, Template::parse(written)?, in_attribute)
}

fn pieces(
    written: &str,
    template: Template,
    in_attribute: bool,
) -> Result<ValuePattern, PatternError> {
    let pieces = template
        .segments
        .into_iter()
        .map(|segment| piece(segment, in_attribute))
        .collect::<Result<_, _>>()?;
    Ok(ValuePattern {
        written: written.to_owned(),
        pieces,
    })
}

fn piece(segment: Segment, in_attribute: bool) -> Result<Piece, PatternError> {
    Ok(match segment {
        Segment::Literal(text) => Piece::Literal(text),
        Segment::Var(name) => Piece::Var(name),
        Segment::Capture(name) => Piece::Capture(name),
        Segment::Any => Piece::Any,
        Segment::Call(call) => checking_call(call)?,
        Segment::Absent if in_attribute => return Err(PatternError::AbsentInValue),
        Segment::Bytes(_) if in_attribute => return Err(PatternError::Bytes),
        Segment::Absent | Segment::Bytes(_) => return Err(PatternError::NotInText),
    })
}

fn checking_call(call: Call) -> Result<Piece, PatternError> {
    match call.function.side() {
        Side::Pattern => Ok(Piece::Call(call)),
        Side::Sent => Err(PatternError::SentFunction(call.function.name())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::functions::Function;
    use crate::xml::{NS_CLIENT, NS_STREAMS, NamespaceScope, parse_element};

    fn xml(text: &str) -> Element {
        let scope: NamespaceScope = vec![
            (None, NS_CLIENT.into()),
            (Some("stream".into()), NS_STREAMS.into()),
        ];
        parse_element(text.as_bytes(), &scope).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn compiled(text: &str) -> ElementRule {
        element(xml(text))
            .unwrap_or_else(|e| panic!("{text}: {e}"))
            .root
    }

    fn error(text: &str) -> PatternError {
        match element(xml(text)) {
            Ok(p) => panic!("{text} compiled: {p:?}"),
            Err(e) => e,
        }
    }

    fn checked(rule: &ElementRule) -> &Checked {
        match &rule.content {
            Content::Checked(c) => c,
            Content::Any => panic!("{rule:?} accepts anything"),
        }
    }

    #[test]
    fn names_are_namespace_and_local_name() {
        let r = compiled("<stream:features/>");
        assert_eq!(
            r.name,
            Name {
                ns: NS_STREAMS.into(),
                local: "features".into(),
                shown: "stream:features".into()
            }
        );
    }

    #[test]
    fn attribute_templates() {
        let r = compiled("<iq id='{$id}' to='{$u}@{domain}/{*}' type='{absent}' from='x'/>");
        let rules: Vec<&AttrRule> = r.attrs.iter().map(|a| &a.rule).collect();
        let value = |pieces: Vec<Piece>, written: &str| {
            AttrRule::Value(ValuePattern {
                written: written.into(),
                pieces,
            })
        };
        assert_eq!(
            rules,
            [
                &value(vec![Piece::Capture("id".into())], "{$id}"),
                &value(
                    vec![
                        Piece::Capture("u".into()),
                        Piece::Literal("@".into()),
                        Piece::Var("domain".into()),
                        Piece::Literal("/".into()),
                        Piece::Any
                    ],
                    "{$u}@{domain}/{*}"
                ),
                &AttrRule::Absent,
                &value(vec![Piece::Literal("x".into())], "x"),
            ]
        );
    }

    #[test]
    fn markers_become_content_rules() {
        assert_eq!(
            compiled("<query xmlns='urn:q'>{*}</query>").content,
            Content::Any
        );
        let r = compiled("<f><starttls xmlns='urn:t'>{absent}</starttls><b/>…<c/></f>");
        let c = checked(&r);
        assert_eq!(c.order, Order::Subset);
        assert_eq!(c.text, None, "`…` is not text");
        assert_eq!(c.absent.len(), 1);
        assert_eq!(c.absent[0].local, "starttls");
        let names: Vec<&str> = c.children.iter().map(|c| c.name.local.as_str()).collect();
        assert_eq!(names, ["b", "c"]);
        assert_eq!(checked(&compiled("<f><b/></f>")).order, Order::Exact);
        // `{*}` beside children is text that matches anything.
        let c = compiled("<a>{*}<b/></a>");
        assert_eq!(
            checked(&c).text.as_ref().map(|t| t.pieces.clone()),
            Some(vec![Piece::Any])
        );
    }

    #[test]
    fn text_is_joined_and_trimmed() {
        let r = compiled("<a> x <b/> {$y} </a>");
        let text = checked(&r).text.clone();
        assert_eq!(text.as_ref().map(|t| t.written.as_str()), Some("x  {$y}"));
        assert_eq!(checked(&compiled("<a>\n  <b/>\n</a>")).text, None);
    }

    #[test]
    fn calls_are_checks() {
        let r = compiled("<c xmlns='urn:s'>{digest-md5-challenge($c1)}</c>");
        let pieces = checked(&r).text.as_ref().map(|t| t.pieces.clone());
        assert!(
            matches!(pieces.as_deref(), Some([Piece::Call(c)]) if c.function == Function::DigestMd5Challenge),
            "{pieces:?}"
        );
    }

    #[test]
    fn each_load_time_error() {
        assert!(matches!(
            error("<iq a='&#123;domian}'/>"),
            PatternError::Placeholder(e) if e.message.contains("unknown variable")
        ));
        assert_eq!(
            error("<iq a='x&#123;absent}'/>"),
            PatternError::AbsentInValue
        );
        assert_eq!(error("<iq a='&#123;hex:00}'/>"), PatternError::Bytes);
        assert_eq!(error("<iq>x&#123;absent}</iq>"), PatternError::NotInText);
        assert_eq!(
            error("<iq><a>&#123;hex:00}</a></iq>"),
            PatternError::NotInText
        );
        assert_eq!(
            error("<iq>&#123;base64('x')}</iq>"),
            PatternError::SentFunction("base64")
        );
        assert_eq!(error("<iq>{absent}</iq>"), PatternError::WholeAbsent);
        assert!(matches!(
            error("<iq><x a='&#123;nope('>{absent}</x></iq>"),
            PatternError::Placeholder(_)
        ));
        assert_eq!(
            error("<iq>&#123;absent}</iq>").to_string(),
            "a whole pattern cannot be `{absent}`"
        );
    }

    #[test]
    fn headers_keep_declarations_and_attributes() {
        let text = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' \
                    id='{$sid}'></stream:stream>";
        let e = parse_element(text.as_bytes(), &NamespaceScope::new())
            .unwrap_or_else(|e| panic!("{e}"));
        let h = header(e).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(h.declarations.len(), 2);
        assert_eq!(h.attrs.len(), 1);
        assert_eq!(h.source().name, "stream");
    }
}
