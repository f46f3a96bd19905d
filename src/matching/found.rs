//! What a match finds, kept apart from the run's bindings until the whole
//! element has matched.
//!
//! The matcher reads the committed [`Bindings`] but never writes them: new
//! captures and the checks of function calls collect in a [`State`], and a
//! successful match hands them back as [`Matched`] for the engine to
//! commit. A failed element, or a failed alternative, leaves no trace
//! because there is nothing to undo.

use crate::bindings::Bindings;
use crate::scenario::functions::Call;

/// A function call of the pattern and the received text it covered: the
/// engine runs the function's check on it once the element has matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub call: Call,
    pub text: String,
}

/// The result of a successful match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matched {
    /// Captures bound by this match, in the order they were met.
    pub captures: Vec<(String, String)>,
    /// Checks to run, in pattern order.
    pub checks: Vec<Check>,
}

impl Matched {
    /// Add the captures to `bindings` and hand back the checks, which run
    /// after (a check may read a capture this match bound).
    pub fn commit(self, bindings: &mut Bindings) -> Vec<Check> {
        for (name, value) in self.captures {
            bindings.set_capture(name, value);
        }
        self.checks
    }
}

/// The committed bindings and what the match found so far. Cloned to try
/// one candidate of an unordered subset, and dropped if it fails.
#[derive(Debug, Clone)]
pub(crate) struct State<'b> {
    bindings: &'b Bindings,
    found: Matched,
}

impl<'b> State<'b> {
    pub fn new(bindings: &'b Bindings) -> State<'b> {
        State {
            bindings,
            found: Matched::default(),
        }
    }

    pub fn var(&self, name: &str) -> Option<&'b str> {
        self.bindings.var(name)
    }

    pub fn is_secret(&self, name: &str) -> bool {
        self.bindings.is_secret(name)
    }

    /// A capture bound earlier in the run or earlier in this match.
    pub fn capture(&self, name: &str) -> Option<&str> {
        self.found
            .captures
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .or_else(|| self.bindings.capture(name))
    }

    pub fn set_capture(&mut self, name: &str, value: String) {
        match self.found.captures.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value,
            None => self.found.captures.push((name.to_owned(), value)),
        }
    }

    pub fn check(&mut self, call: &Call, text: String) {
        self.found.checks.push(Check {
            call: call.clone(),
            text,
        });
    }

    pub fn into_matched(self) -> Matched {
        self.found
    }
}
