//! Namespace bindings in force while an element is built (Namespaces in
//! XML 1.0 §6), plus the checks on each declaration.
//!
//! quick-xml's `NsReader` keeps declared URIs unexpanded (so `&#58;` in a
//! URI would not compare equal to `:`) and treats `xmlns:p=''` as an
//! undeclaration, which Namespaces in XML 1.0 forbids (parser case 23).
//! The element model needs each element's own declarations anyway, so the
//! tree builder keeps bindings itself with this small stack.

use super::chars::{Fault, is_ncname};
use super::element::Element;
use super::error::Condition;
use super::namespaces::{NS_XML, NS_XMLNS};
use smol_str::SmolStr;

/// At most this many bindings in scope at once. Every prefix lookup walks
/// the bindings, so an unbounded count would make hostile input quadratic;
/// real stanzas use a handful.
pub(crate) const MAX_BINDINGS: usize = 256;

/// A namespace binding, (prefix, URI): the prefix is `None` for the
/// default namespace, and an empty URI undeclares the default namespace.
/// The URI is shared: elements in scope clone it without allocating.
pub(crate) type Binding = (Option<SmolStr>, SmolStr);

/// The bindings in force where an element starts: those of the enclosing
/// scope (`base`, the stream header's) and the declarations of the open
/// ancestors. It is a view over the elements being built, so no binding is
/// ever copied.
pub(crate) struct Scope<'s> {
    pub base: &'s [Binding],
    /// The open ancestors, outermost first.
    pub open: &'s [Element],
    /// Indexes into `open` of the ancestors that declare something.
    pub declaring: &'s [usize],
    /// Bindings in `base` and `open` together.
    pub count: usize,
}

impl<'s> Scope<'s> {
    /// A scope with only `base` in force (no open ancestors).
    pub(crate) fn root(base: &'s [Binding]) -> Self {
        Scope {
            base,
            open: &[],
            declaring: &[],
            count: base.len(),
        }
    }

    /// Check one declaration (`xmlns` when `prefix` is `None`, else
    /// `xmlns:prefix`) and its expanded URI. `at` locates the attribute.
    pub(crate) fn check_declaration(
        prefix: Option<&str>,
        uri: &str,
        at: usize,
    ) -> Result<(), Fault> {
        match prefix {
            None if uri == NS_XML || uri == NS_XMLNS => Err(Fault::nwf(
                at,
                format!("{uri} cannot be the default namespace"),
            )),
            None => Ok(()),
            Some(p) if !is_ncname(p) => {
                Err(Fault::nwf(at, format!("invalid namespace prefix {p:?}")))
            }
            Some("xmlns") => Err(Fault::nwf(at, "the xmlns prefix cannot be declared")),
            Some("xml") if uri != NS_XML => Err(Fault::nwf(
                at,
                format!("the xml prefix cannot be bound to {uri:?}"),
            )),
            Some("xml") => Ok(()),
            Some(p) if uri.is_empty() => Err(Fault::nwf(
                at,
                format!("xmlns:{p}='' cannot undeclare a prefix in XML 1.0"),
            )),
            Some(p) if uri == NS_XML || uri == NS_XMLNS => Err(Fault::nwf(
                at,
                format!("prefix {p} cannot be bound to {uri}"),
            )),
            Some(_) => Ok(()),
        }
    }

    /// Refuse an element whose `own` declarations would put more than
    /// [`MAX_BINDINGS`] in scope. `at` locates the element.
    pub(crate) fn check_room(&self, own: usize, at: usize) -> Result<(), Fault> {
        if self.count + own > MAX_BINDINGS {
            return Err(Fault::new(
                Condition::PolicyViolation,
                at,
                format!("more than {MAX_BINDINGS} namespace bindings in scope"),
            ));
        }
        Ok(())
    }

    /// The URI of `prefix` (`None`: the default namespace, which resolves
    /// to `Some("")` when undeclared) on an element declaring `own`.
    /// `None` means the prefix is unbound. The URI is a clone of the
    /// declaration's (a reference count, not a copy).
    pub(crate) fn resolve(&self, own: &[Binding], prefix: Option<&str>) -> Option<SmolStr> {
        match prefix {
            Some("xml") => return Some(SmolStr::new_static(NS_XML)),
            Some("xmlns") => return None,
            _ => {}
        }
        let matches = |b: &&Binding| b.0.as_deref() == prefix;
        let found = own
            .iter()
            .rev()
            .find(matches)
            .or_else(|| {
                self.declaring
                    .iter()
                    .rev()
                    .filter_map(|&k| self.open.get(k))
                    .find_map(|e| e.declarations.iter().rev().find(matches))
            })
            .or_else(|| self.base.iter().rev().find(matches))
            .map(|(_, uri)| uri);
        match (prefix, found) {
            (None, None) => Some(SmolStr::default()),
            (Some(_), Some(uri)) if uri.is_empty() => None,
            (_, found) => found.cloned(),
        }
    }
}

/// An unbound prefix. Parser case 22 lists not-well-formed (Namespaces in
/// XML 1.0 makes it a namespace well-formedness error); the issue this
/// module was written for chose RFC 6120 §4.9.3.2 `bad-namespace-prefix`
/// ("an entity has sent a namespace prefix that is unsupported"), which
/// names the fault more precisely, and that is what is reported.
pub(crate) fn unbound(prefix: &str, at: usize) -> Fault {
    Fault::new(
        Condition::BadNamespacePrefix,
        at,
        format!(
            "{} {prefix:?} is not declared",
            super::error::UNBOUND_PREFIX
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_through_open_elements() {
        let base = vec![(None, "jabber:client".into())];
        let root = Scope::root(&base);
        assert_eq!(root.resolve(&[], None).as_deref(), Some("jabber:client"));
        let mut outer = Element::new("jabber:client", "a");
        outer.declarations = vec![(Some("p".into()), "urn:p".into()), (None, "".into())];
        let open = [outer, Element::new("", "b")];
        let scope = Scope {
            base: &base,
            open: &open,
            declaring: &[0],
            count: 3,
        };
        assert_eq!(scope.resolve(&[], Some("p")).as_deref(), Some("urn:p"));
        assert_eq!(scope.resolve(&[], None).as_deref(), Some(""));
        assert_eq!(
            scope.resolve(&[(None, "urn:own".into())], None).as_deref(),
            Some("urn:own")
        );
        assert_eq!(scope.resolve(&[], Some("xml")).as_deref(), Some(NS_XML));
        assert_eq!(scope.resolve(&[], Some("q")).as_deref(), None);
        assert_eq!(root.resolve(&[], Some("p")).as_deref(), None);
        assert_eq!(Scope::root(&[]).resolve(&[], None).as_deref(), Some(""));
        assert!(scope.check_room(MAX_BINDINGS - 3, 0).is_ok());
        assert!(scope.check_room(MAX_BINDINGS - 2, 0).is_err());
    }

    #[test]
    fn declaration_rules() {
        assert!(Scope::check_declaration(Some("xml"), "urn:x", 0).is_err());
        assert!(Scope::check_declaration(Some("xml"), NS_XML, 0).is_ok());
        assert!(Scope::check_declaration(Some("p"), "", 0).is_err());
        assert!(Scope::check_declaration(Some("xmlns"), "urn:x", 0).is_err());
        assert!(Scope::check_declaration(Some("p"), NS_XML, 0).is_err());
        assert!(Scope::check_declaration(None, NS_XMLNS, 0).is_err());
        assert!(Scope::check_declaration(None, "", 0).is_ok());
        assert!(Scope::check_declaration(Some(""), "urn:x", 0).is_err());
    }
}
