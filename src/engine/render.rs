//! Received events as text for transcripts and failure details.

use crate::xml::{StreamEvent, writer};

pub(super) fn event(event: &StreamEvent) -> String {
    match event {
        // Over WebSocket, the `<open/>` that was received.
        StreamEvent::Open(header) => match &header.framing {
            Some(open) => writer::to_xml(open),
            None => writer::start_tag(&header.element),
        },
        StreamEvent::Element(e) => writer::to_xml(e),
        StreamEvent::Close => "</stream:stream>".to_string(),
        StreamEvent::Error(e) => format!("(bytes the parser rejects: {e})"),
    }
}
