//! Serialize an [`Element`] back to XML text.

use super::element::Element;

/// Compact XML for one element, declaring every namespace it uses so the
/// text stands alone.
pub fn to_xml(element: &Element) -> String {
    let _ = element;
    todo!()
}
