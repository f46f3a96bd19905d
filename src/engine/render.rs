//! Received events as text for transcripts and failure details.

use crate::xml::{StreamEvent, StreamHeader, writer};

pub(super) fn event(event: &StreamEvent) -> String {
    match event {
        StreamEvent::Open(header) => header_tag(header),
        StreamEvent::Element(e) => writer::to_xml(e),
        StreamEvent::Close => "</stream:stream>".to_string(),
        StreamEvent::Error(e) => format!("(bytes the parser rejects: {e})"),
    }
}

/// The stream header as an open start tag, the way it was sent: written out
/// by the writer as an empty element, then reopened.
pub(super) fn header_tag(header: &StreamHeader) -> String {
    let mut text = writer::to_xml(&header.element);
    if let Some(stripped) = text.strip_suffix("/>") {
        text = format!("{}>", stripped.trim_end());
    }
    text
}
