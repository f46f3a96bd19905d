//! The grades of a verdict.

/// Graded outcomes, in the spirit of h2spec's `--strict` and Autobahn's
/// classes: a broken SHOULD is reported but fails the run only with
/// `--strict`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    /// A MUST was broken.
    Fail,
    /// A SHOULD (or MAY) was broken.
    NonStrict,
    /// The target lacks an optional feature the scenario needs.
    Unsupported,
    /// The run cannot provide what the scenario needs.
    Skip,
    /// The harness itself could not run the scenario.
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NonStrict => "non-strict",
            Status::Unsupported => "unsupported",
            Status::Skip => "skip",
            Status::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Pass,
            Status::Fail,
            Status::NonStrict,
            Status::Unsupported,
            Status::Skip,
            Status::Error,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }

    /// Whether this outcome fails the run.
    pub fn fails_run(self, strict: bool) -> bool {
        match self {
            Status::Fail | Status::Error => true,
            Status::NonStrict => strict,
            Status::Pass | Status::Unsupported | Status::Skip => false,
        }
    }
}
