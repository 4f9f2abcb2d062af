//! A compact arena copy of the parsed page, in document (pre-)order.
//!
//! html5ever (through dom_query) parses the page; we then copy the parts the extractor reads
//! into flat vectors: tag, the few attributes it looks at, text. Nodes are numbered in
//! document order, so a parent always comes before its children and a reverse scan visits
//! children before parents: every pass over the tree is a loop, never a recursion, and a page
//! of 100,000 nested `<div>`s cannot overflow the stack.

use dom_query::{Document, NodeData, NodeId, NodeRef};

/// No node.
pub(crate) const NONE: u32 = u32::MAX;

/// The element names the extractor tells apart; everything else is `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Html,
    Head,
    Body,
    Title,
    Meta,
    Link,
    Script,
    Style,
    Noscript,
    Template,
    Svg,
    Math,
    Iframe,
    Object,
    Embed,
    Canvas,
    Video,
    Audio,
    Picture,
    Img,
    Map,
    Select,
    Option,
    Button,
    Input,
    Textarea,
    Label,
    Form,
    Dialog,
    Nav,
    Aside,
    Footer,
    Header,
    Main,
    Article,
    Section,
    Div,
    P,
    H1,
    H2,
    H3,
    H4,
    H5,
    H6,
    Ul,
    Ol,
    Li,
    Dl,
    Dt,
    Dd,
    Blockquote,
    Pre,
    Table,
    Caption,
    Thead,
    Tbody,
    Tfoot,
    Tr,
    Td,
    Th,
    Figure,
    Figcaption,
    Address,
    Hr,
    Br,
    Center,
    Details,
    Summary,
    Fieldset,
    Legend,
    A,
    Time,
    Other,
}

impl Tag {
    fn of(name: &str) -> Tag {
        match name {
            "html" => Tag::Html,
            "head" => Tag::Head,
            "body" => Tag::Body,
            "title" => Tag::Title,
            "meta" => Tag::Meta,
            "link" => Tag::Link,
            "script" => Tag::Script,
            "style" => Tag::Style,
            "noscript" => Tag::Noscript,
            "template" => Tag::Template,
            "svg" => Tag::Svg,
            "math" => Tag::Math,
            "iframe" => Tag::Iframe,
            "object" => Tag::Object,
            "embed" => Tag::Embed,
            "canvas" => Tag::Canvas,
            "video" => Tag::Video,
            "audio" => Tag::Audio,
            "picture" => Tag::Picture,
            "img" => Tag::Img,
            "map" => Tag::Map,
            "select" => Tag::Select,
            "option" => Tag::Option,
            "button" => Tag::Button,
            "input" => Tag::Input,
            "textarea" => Tag::Textarea,
            "label" => Tag::Label,
            "form" => Tag::Form,
            "dialog" => Tag::Dialog,
            "nav" => Tag::Nav,
            "aside" => Tag::Aside,
            "footer" => Tag::Footer,
            "header" => Tag::Header,
            "main" => Tag::Main,
            "article" => Tag::Article,
            "section" => Tag::Section,
            "div" => Tag::Div,
            "p" => Tag::P,
            "h1" => Tag::H1,
            "h2" => Tag::H2,
            "h3" => Tag::H3,
            "h4" => Tag::H4,
            "h5" => Tag::H5,
            "h6" => Tag::H6,
            "ul" => Tag::Ul,
            "ol" => Tag::Ol,
            "li" => Tag::Li,
            "dl" => Tag::Dl,
            "dt" => Tag::Dt,
            "dd" => Tag::Dd,
            "blockquote" => Tag::Blockquote,
            "pre" => Tag::Pre,
            "table" => Tag::Table,
            "caption" => Tag::Caption,
            "thead" => Tag::Thead,
            "tbody" => Tag::Tbody,
            "tfoot" => Tag::Tfoot,
            "tr" => Tag::Tr,
            "td" => Tag::Td,
            "th" => Tag::Th,
            "figure" => Tag::Figure,
            "figcaption" => Tag::Figcaption,
            "address" => Tag::Address,
            "hr" => Tag::Hr,
            "br" => Tag::Br,
            "center" => Tag::Center,
            "details" => Tag::Details,
            "summary" => Tag::Summary,
            "fieldset" => Tag::Fieldset,
            "legend" => Tag::Legend,
            "a" => Tag::A,
            "time" => Tag::Time,
            _ => Tag::Other,
        }
    }

    /// Elements that start a new block of text (everything else flows inline).
    pub(crate) fn is_block(self) -> bool {
        !matches!(
            self,
            Tag::A | Tag::Time | Tag::Other | Tag::Img | Tag::Label | Tag::Picture | Tag::Input
        )
    }

    /// Elements whose content is never article text (code, media, widgets, metadata).
    pub(crate) fn is_silent(self) -> bool {
        matches!(
            self,
            Tag::Head
                | Tag::Title
                | Tag::Meta
                | Tag::Link
                | Tag::Script
                | Tag::Style
                | Tag::Noscript
                | Tag::Template
                | Tag::Svg
                | Tag::Math
                | Tag::Iframe
                | Tag::Object
                | Tag::Embed
                | Tag::Canvas
                | Tag::Video
                | Tag::Audio
                | Tag::Map
                | Tag::Select
                | Tag::Option
                | Tag::Button
                | Tag::Input
                | Tag::Textarea
                | Tag::Dialog
        )
    }

    pub(crate) fn heading_level(self) -> Option<u8> {
        Some(match self {
            Tag::H1 => 1,
            Tag::H2 => 2,
            Tag::H3 => 3,
            Tag::H4 => 4,
            Tag::H5 => 5,
            Tag::H6 => 6,
            _ => return None,
        })
    }
}

/// The attributes the extractor reads; the rest are not copied.
const KEPT_ATTRS: &[&str] = &[
    "class",
    "id",
    "style",
    "hidden",
    "role",
    "itemprop",
    "itemtype",
    "property",
    "name",
    "content",
    "href",
    "rel",
    "datetime",
    "lang",
    "type",
    "http-equiv",
    "aria-hidden",
    "pubdate",
];

/// One node of the arena.
#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) parent: u32,
    pub(crate) first_child: u32,
    pub(crate) next_sibling: u32,
    /// Index one past this node's last descendant: its subtree is `self_index..end`.
    pub(crate) end: u32,
    pub(crate) tag: Tag,
    /// Text for text nodes; empty for elements.
    pub(crate) text: String,
    /// Kept attributes of elements, names lowercase.
    pub(crate) attrs: Vec<(&'static str, String)>,
}

impl Node {
    pub(crate) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The arena: node 0 is the document.
#[derive(Debug, Default)]
pub(crate) struct Dom {
    pub(crate) nodes: Vec<Node>,
    /// Which nodes are text nodes (a text node has `tag == Other` and no attributes).
    pub(crate) is_text: Vec<bool>,
}

impl Dom {
    /// Parses `html` and copies the tree into the arena.
    pub(crate) fn parse(html: &str) -> Dom {
        let doc = Document::from(html);
        Dom::from_document(&doc)
    }

    fn from_document(doc: &Document) -> Dom {
        let tree = &doc.tree;
        let mut nodes: Vec<Node> = Vec::with_capacity(tree.len());
        let mut is_text: Vec<bool> = Vec::with_capacity(tree.len());
        let mut last_child: Vec<u32> = Vec::with_capacity(tree.len());
        // Pending (dom_query node, parent in the arena). Visiting a node pushes its next
        // sibling, then its first child, so children pop first: document order.
        let root = doc.root();
        let mut stack: Vec<(NodeId, u32)> = vec![(root.id, NONE)];
        while let Some((id, parent)) = stack.pop() {
            let node = NodeRef::new(id, tree);
            let Some((first_child, next_sibling, copied)) = node.query(|n| {
                let copied = match &n.data {
                    NodeData::Document | NodeData::Fragment => Some((Tag::Other, None, Vec::new())),
                    NodeData::Element(el) => {
                        let tag = Tag::of(el.name.local.as_ref());
                        let mut attrs = Vec::new();
                        for a in &el.attrs {
                            let name: &str = a.name.local.as_ref();
                            if let Some(k) =
                                KEPT_ATTRS.iter().find(|k| k.eq_ignore_ascii_case(name))
                            {
                                attrs.push((*k, a.value.to_string()));
                            }
                        }
                        Some((tag, None, attrs))
                    }
                    NodeData::Text { contents } => {
                        Some((Tag::Other, Some(contents.to_string()), Vec::new()))
                    }
                    _ => None,
                };
                (n.first_child, n.next_sibling, copied)
            }) else {
                continue;
            };
            if let Some(sib) = next_sibling {
                stack.push((sib, parent));
            }
            let Some((tag, text, attrs)) = copied else {
                continue;
            };
            let text_node = text.is_some();
            if text_node && text.as_deref().is_some_and(str::is_empty) {
                continue;
            }
            let index = u32::try_from(nodes.len()).unwrap_or(NONE - 1);
            nodes.push(Node {
                parent,
                first_child: NONE,
                next_sibling: NONE,
                end: index + 1,
                tag,
                text: text.unwrap_or_default(),
                attrs,
            });
            is_text.push(text_node);
            last_child.push(NONE);
            if parent != NONE {
                let p = parent as usize;
                match last_child[p] {
                    NONE => nodes[p].first_child = index,
                    prev => nodes[prev as usize].next_sibling = index,
                }
                last_child[p] = index;
            }
            if let Some(child) = first_child
                && !text_node
            {
                stack.push((child, index));
            }
        }
        // Subtree ends: children come after parents, so a reverse scan sees every child first.
        for i in (1..nodes.len()).rev() {
            let (parent, end) = (nodes[i].parent, nodes[i].end);
            if parent != NONE {
                let p = &mut nodes[parent as usize];
                p.end = p.end.max(end);
            }
        }
        Dom { nodes, is_text }
    }

    pub(crate) fn len(&self) -> usize {
        self.nodes.len()
    }

    pub(crate) fn text(&self, i: usize) -> bool {
        self.is_text[i]
    }

    /// Children of `i`, in order.
    pub(crate) fn children(&self, i: usize) -> Children<'_> {
        Children {
            dom: self,
            next: self.nodes[i].first_child,
        }
    }

    /// The text of a subtree, white space collapsed, skipping silent elements.
    pub(crate) fn text_of(&self, i: usize) -> String {
        let mut out = String::new();
        let end = self.nodes[i].end as usize;
        let mut j = i;
        while j < end {
            let n = &self.nodes[j];
            if self.is_text[j] {
                push_collapsed(&mut out, &n.text);
            } else if j != i && n.tag.is_silent() {
                j = n.end as usize;
                continue;
            } else if n.tag.is_block() || n.tag == Tag::Br {
                push_space(&mut out);
            }
            j += 1;
        }
        out.trim_end().to_string()
    }

    /// The element with the given tag closest above `i` (not `i` itself), if any.
    pub(crate) fn ancestor_with(&self, i: usize, tags: &[Tag]) -> Option<usize> {
        let mut p = self.nodes[i].parent;
        while p != NONE {
            if tags.contains(&self.nodes[p as usize].tag) {
                return Some(p as usize);
            }
            p = self.nodes[p as usize].parent;
        }
        None
    }
}

pub(crate) struct Children<'a> {
    dom: &'a Dom,
    next: u32,
}

impl Iterator for Children<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.next == NONE {
            return None;
        }
        let i = self.next as usize;
        self.next = self.dom.nodes[i].next_sibling;
        Some(i)
    }
}

/// Appends `text` to `out` with runs of white space collapsed to one space (and no leading
/// space at the start of `out`).
pub(crate) fn push_collapsed(out: &mut String, text: &str) {
    for (k, word) in text.split(char::is_whitespace).enumerate() {
        if k > 0 {
            push_space(out);
        }
        if !word.is_empty() {
            out.push_str(word);
        }
    }
}

pub(crate) fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arena_is_in_document_order() {
        let dom = Dom::parse("<p class=A>one <b>two</b></p><div id=x>three</div>");
        let tags: Vec<Tag> = dom.nodes.iter().map(|n| n.tag).collect();
        assert!(tags.contains(&Tag::P));
        let p = tags.iter().position(|t| *t == Tag::P).unwrap();
        assert_eq!(dom.nodes[p].attr("class"), Some("A"));
        assert_eq!(dom.text_of(p), "one two");
        let body = tags.iter().position(|t| *t == Tag::Body).unwrap();
        assert_eq!(dom.text_of(body), "one two three");
        for (i, n) in dom.nodes.iter().enumerate() {
            assert!(n.parent == NONE || (n.parent as usize) < i);
            assert!(n.end as usize > i && n.end as usize <= dom.len());
        }
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(100_000) + "deep";
        let dom = Dom::parse(&super::super::prepass::prepass(&html));
        let body = dom.nodes.iter().position(|n| n.tag == Tag::Body).unwrap();
        assert_eq!(dom.text_of(body), "deep");
    }
}
