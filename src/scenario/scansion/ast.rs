//! The parsed form of a scansion script, before it becomes a scenario:
//! what the file says, with the line each part came from.

/// One `.scs` file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Script {
    /// The first `#` line at the top of the file.
    pub title: Option<String>,
    /// The `#` lines after the title, before the first other line.
    pub description: Vec<String>,
    /// `## tag` and `## name: value` lines at the top of the file.
    pub tags: Vec<String>,
    pub clients: Vec<Client>,
    pub actions: Vec<Action>,
}

/// A `[Client] Name` block and its `key: value` properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Client {
    pub line: u32,
    /// As written: `Juliet's phone`.
    pub name: String,
    /// Letters, digits and `-`: the name of its account and connections
    /// (`juliet-s-phone`), unique in the script.
    pub key: String,
    pub jid: String,
    pub password: String,
    pub resource: Option<String>,
    pub connect_host: Option<String>,
    pub connect_port: Option<u16>,
}

/// `Name verb` and what the verb takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Action {
    pub line: u32,
    /// Index in [`Script::clients`].
    pub client: usize,
    pub kind: ActionKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ActionKind {
    Connects,
    Disconnects,
    Sends(Block),
    Receives(Block),
    /// `Name receives: nothing`.
    ReceivesNothing,
}

/// The indented lines under `sends:` or `receives:`, their common
/// indentation removed (blank lines inside are kept, as scansion keeps
/// reading the block across them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Block {
    /// (1-based line, byte offset in the file's line where `text` starts,
    /// text).
    pub lines: Vec<(u32, usize, String)>,
}

/// The properties a `[Client]` block may set, as scansion's documentation
/// lists them (`resource` besides, which Prosody's scripts use).
pub(crate) const CLIENT_PROPERTIES: &[&str] = &[
    "jid",
    "password",
    "resource",
    "connect_host",
    "connect_port",
];

/// The verbs of an action line, longest first so `receives: nothing`
/// wins over `receives:`.
pub(crate) const VERBS: &[&str] = &[
    "receives: nothing",
    "disconnects",
    "connects",
    "receives:",
    "sends:",
];
