//! The compiled form of a pattern: what the matcher walks.
//!
//! A scenario's expected lines are parsed as XML once, when the file is
//! loaded, and compiled here into rules whose placeholders are already
//! parsed and whose markers (`…`, `{*}`, `{absent}`) are already told
//! apart from text. Matching a received element then never parses
//! anything, and a pattern that cannot be compiled is a load-time error
//! rather than a mismatch at run time (see [`super::compile`]).

use crate::scenario::functions::Call;
use crate::xml::{Element, SmolStr};

/// A first-level element pattern (`<stream:features>…</stream:features>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElementPattern {
    pub(crate) root: ElementRule,
    /// The element as parsed, for reports: the expected side of a diff is
    /// its pretty-printed form, and the corpus export writes it.
    pub(crate) source: Element,
}

impl ElementPattern {
    /// The element as parsed from the scenario file.
    pub fn source(&self) -> &Element {
        &self.source
    }

    /// `stream:features`: the name as written, prefix included.
    pub fn display_name(&self) -> &str {
        &self.root.name.shown
    }
}

/// A stream header pattern: the namespace declarations it writes and its
/// attributes (a header has no content to match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderPattern {
    /// `(prefix, uri)` as written: `xmlns='jabber:client'` is `(None, …)`.
    pub(crate) declarations: Vec<(Option<SmolStr>, SmolStr)>,
    pub(crate) attrs: Vec<AttributeRule>,
    /// The start tag as parsed, for reports.
    pub(crate) source: Element,
}

impl HeaderPattern {
    /// The header element as parsed from the scenario file (no children).
    pub fn source(&self) -> &Element {
        &self.source
    }
}

/// An element name: compared by namespace URI and local name, shown as
/// written (prefix included) in paths and reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    pub ns: SmolStr,
    pub local: SmolStr,
    pub shown: String,
}

impl Name {
    pub fn of(e: &Element) -> Name {
        Name {
            ns: e.ns.clone(),
            local: e.name.clone(),
            shown: e.display_name(),
        }
    }

    /// Whether `e` has this name; prefixes never count.
    pub fn is(&self, e: &Element) -> bool {
        e.ns == self.ns && e.name == self.local
    }
}

/// One element of a pattern, at any depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ElementRule {
    pub name: Name,
    pub attrs: Vec<AttributeRule>,
    pub content: Content,
    /// Scansion's strict mode (`Matching::Scansion` only): the received
    /// element may have no attribute the pattern does not name, and when
    /// the pattern has no text, no text either. Children are then
    /// compared `Order::Exact`; the compiler sets both together.
    pub closed: bool,
}

/// What an element's content must be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Content {
    /// `{*}` as the whole content: anything, text and children.
    Any,
    Checked(Checked),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Checked {
    /// The text (whitespace around it trimmed), when the pattern has any;
    /// `None` leaves the received text unchecked.
    pub text: Option<ValuePattern>,
    /// `<x>{absent}</x>` children: no child of such a name may be there.
    pub absent: Vec<Name>,
    /// The other children, in the order written.
    pub children: Vec<ElementRule>,
    pub order: Order,
}

/// How the received children line up with the pattern's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Order {
    /// One to one, in order (no `…`).
    Exact,
    /// A `…` child: each pattern child takes a distinct received child, in
    /// any order; others are allowed.
    Subset,
}

/// One attribute the pattern names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AttributeRule {
    pub ns: Option<SmolStr>,
    pub local: SmolStr,
    pub rule: AttrRule,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AttrRule {
    /// `name='{absent}'`: the attribute must not be there.
    Absent,
    /// It must be there, with a value that fits.
    Value(ValuePattern),
}

/// An attribute value or a text with placeholders, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ValuePattern {
    /// As written (character references resolved), for reasons.
    pub written: String,
    pub pieces: Vec<Piece>,
}

impl ValuePattern {
    /// `{*}` alone: any value (a missing attribute is then named without
    /// an expected value).
    pub fn is_any(&self) -> bool {
        self.pieces == [Piece::Any]
    }
}

/// The part of a value one placeholder (or run of literal text) covers.
/// Only what a pattern may hold: `{hex:…}`, `{absent}` and sent-side
/// functions are refused when compiling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    Literal(String),
    /// `{domain}`: the command-line value.
    Var(String),
    /// `{$name}`: the value captured earlier, or captured now.
    Capture(String),
    /// `{*}`: any text.
    Any,
    /// `{digest-md5-challenge($c1)}`: covers text like `{*}`, binds its
    /// capture arguments that have no value yet to it, and leaves a check.
    Call(Call),
}
