//! A compact arena of the parsed page, in document (pre-)order.
//!
//! html5ever parses the page into `Sink`, our own tree builder that keeps only what the
//! extractor reads (tag, the few attributes it looks at, text) in a linked tree; the tree is then
//! renumbered (moved, not copied) into flat vectors. Nodes are numbered in
//! document order, so a parent always comes before its children and a reverse scan visits
//! children before parents: every pass over the tree is a loop, never a recursion, and a page
//! of 100,000 nested `<div>`s cannot overflow the stack.

use std::borrow::Cow;
use std::cell::{Ref, RefCell};
use std::sync::LazyLock;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElementFlags, NodeOrText, QuirksMode, TreeBuilderOpts, TreeSink};
use html5ever::{Attribute, LocalName, Namespace, ParseOpts, QualName, parse_document};

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

/// The attributes the extractor reads; the rest are not copied (and the prepass leaves most of
/// them out before parsing).
pub(super) const KEPT_ATTRS: &[&str] = &[
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
    /// Parses `html` (html5ever, scripting off) straight into the arena.
    pub(crate) fn parse(html: &str) -> Dom {
        let opts = ParseOpts {
            tree_builder: TreeBuilderOpts {
                scripting_enabled: false,
                ..Default::default()
            },
            ..Default::default()
        };
        parse_document(Sink::new(), opts).one(html)
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

/// What a node of the tree being built is.
enum Kind {
    Document,
    /// A template's contents (never linked into the tree, as html5ever's own DOMs keep them).
    Fragment,
    Element {
        name: QualName,
        tag: Tag,
        attrs: Vec<(&'static str, String)>,
        template: u32,
        annotation_xml: bool,
    },
    Text(String),
    /// Comments, processing instructions, doctypes: never read.
    Ignored,
}

/// One node of the tree being built, with html5ever's links.
struct SinkNode {
    parent: u32,
    first_child: u32,
    last_child: u32,
    prev: u32,
    next: u32,
    kind: Kind,
}

impl SinkNode {
    fn new(kind: Kind) -> SinkNode {
        SinkNode {
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev: NONE,
            next: NONE,
            kind,
        }
    }
}

/// html5ever's tree builder target: the linked tree, node 0 the document.
struct Sink {
    nodes: RefCell<Vec<SinkNode>>,
}

/// Answered by `elem_name` for a handle that is not an element (html5ever never asks).
static NO_NAME: LazyLock<QualName> =
    LazyLock::new(|| QualName::new(None, Namespace::from(""), LocalName::from("")));

/// [`KEPT_ATTRS`] as interned names: html5ever hands attribute names over lower-cased and
/// interned, so a name is matched by comparing atoms.
static KEPT_ATOMS: LazyLock<Vec<LocalName>> =
    LazyLock::new(|| KEPT_ATTRS.iter().map(|k| LocalName::from(*k)).collect());

/// The attributes of `attrs` the extractor reads, in their order.
fn kept_attrs(attrs: &[Attribute]) -> Vec<(&'static str, String)> {
    let mut kept = Vec::new();
    for a in attrs {
        if let Some(k) = KEPT_ATOMS.iter().position(|k| *k == a.name.local) {
            kept.push((KEPT_ATTRS[k], a.value.to_string()));
        }
    }
    kept
}

impl Sink {
    fn new() -> Sink {
        Sink {
            nodes: RefCell::new(vec![SinkNode::new(Kind::Document)]),
        }
    }

    fn push(&self, kind: Kind) -> u32 {
        let mut nodes = self.nodes.borrow_mut();
        nodes.push(SinkNode::new(kind));
        u32::try_from(nodes.len() - 1).unwrap_or(NONE - 1)
    }

    /// Appends `text` to node `id` when it is a text node.
    fn merge_text(nodes: &mut [SinkNode], id: u32, text: &StrTendril) -> bool {
        match nodes.get_mut(id as usize).map(|n| &mut n.kind) {
            Some(Kind::Text(t)) => {
                t.push_str(text);
                true
            }
            _ => false,
        }
    }

    fn detach(nodes: &mut [SinkNode], id: u32) {
        let Some(n) = nodes.get_mut(id as usize) else {
            return;
        };
        let (parent, prev, next) = (n.parent, n.prev, n.next);
        n.parent = NONE;
        n.prev = NONE;
        n.next = NONE;
        if let Some(p) = nodes.get_mut(parent as usize) {
            if p.first_child == id {
                p.first_child = next;
            }
            if p.last_child == id {
                p.last_child = prev;
            }
        }
        if let Some(p) = nodes.get_mut(prev as usize) {
            p.next = next;
        }
        if let Some(n) = nodes.get_mut(next as usize) {
            n.prev = prev;
        }
    }

    fn append_child(nodes: &mut [SinkNode], parent: u32, child: u32) {
        Sink::detach(nodes, child);
        let Some(p) = nodes.get_mut(parent as usize) else {
            return;
        };
        let last = p.last_child;
        if last == NONE {
            p.first_child = child;
        }
        p.last_child = child;
        if let Some(l) = nodes.get_mut(last as usize) {
            l.next = child;
        }
        if let Some(c) = nodes.get_mut(child as usize) {
            c.prev = last;
            c.parent = parent;
        }
    }

    fn insert_before(nodes: &mut [SinkNode], sibling: u32, new: u32) {
        Sink::detach(nodes, new);
        let Some(s) = nodes.get_mut(sibling as usize) else {
            return;
        };
        let (parent, prev) = (s.parent, s.prev);
        s.prev = new;
        if let Some(n) = nodes.get_mut(new as usize) {
            n.parent = parent;
            n.prev = prev;
            n.next = sibling;
        }
        if let Some(p) = nodes.get_mut(parent as usize)
            && p.first_child == sibling
        {
            p.first_child = new;
        }
        if let Some(p) = nodes.get_mut(prev as usize) {
            p.next = new;
        }
    }

    /// The document-order arena: a pre-order walk from the document node (template contents and
    /// detached nodes are never reached), empty text nodes and ignored nodes left out.
    fn into_dom(self) -> Dom {
        let mut tree = self.nodes.into_inner();
        let mut nodes: Vec<Node> = Vec::with_capacity(tree.len());
        let mut is_text: Vec<bool> = Vec::with_capacity(tree.len());
        let mut last_child: Vec<u32> = Vec::with_capacity(tree.len());
        // Pending (tree node, parent in the arena). Visiting a node pushes its next sibling,
        // then its first child, so children pop first: document order.
        let mut stack: Vec<(u32, u32)> = vec![(0, NONE)];
        while let Some((id, parent)) = stack.pop() {
            let Some(n) = tree.get_mut(id as usize) else {
                continue;
            };
            if n.next != NONE {
                stack.push((n.next, parent));
            }
            let first_child = n.first_child;
            let (tag, text, attrs) = match &mut n.kind {
                Kind::Document | Kind::Fragment => (Tag::Other, None, Vec::new()),
                Kind::Element { tag, attrs, .. } => (*tag, None, std::mem::take(attrs)),
                Kind::Text(t) => (Tag::Other, Some(std::mem::take(t)), Vec::new()),
                Kind::Ignored => continue,
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
            if first_child != NONE && !text_node {
                stack.push((first_child, index));
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
}

impl TreeSink for Sink {
    type Handle = u32;
    type Output = Dom;
    type ElemName<'a> = Ref<'a, QualName>;

    fn finish(self) -> Dom {
        self.into_dom()
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> u32 {
        0
    }

    fn elem_name<'a>(&'a self, target: &'a u32) -> Ref<'a, QualName> {
        Ref::map(self.nodes.borrow(), |nodes| {
            match nodes.get(*target as usize).map(|n| &n.kind) {
                Some(Kind::Element { name, .. }) => name,
                _ => &NO_NAME,
            }
        })
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, flags: ElementFlags) -> u32 {
        let tag = Tag::of(name.local.as_ref());
        let attrs = kept_attrs(&attrs);
        let id = self.push(Kind::Element {
            name,
            tag,
            attrs,
            template: NONE,
            annotation_xml: flags.mathml_annotation_xml_integration_point,
        });
        if flags.template {
            let contents = self.push(Kind::Fragment);
            if let Some(Kind::Element { template, .. }) = self
                .nodes
                .borrow_mut()
                .get_mut(id as usize)
                .map(|n| &mut n.kind)
            {
                *template = contents;
            }
        }
        id
    }

    fn create_comment(&self, _text: StrTendril) -> u32 {
        self.push(Kind::Ignored)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> u32 {
        self.push(Kind::Ignored)
    }

    fn append(&self, parent: &u32, child: NodeOrText<u32>) {
        let mut nodes = self.nodes.borrow_mut();
        match child {
            NodeOrText::AppendNode(id) => Sink::append_child(&mut nodes, *parent, id),
            NodeOrText::AppendText(text) => {
                let last = nodes.get(*parent as usize).map_or(NONE, |p| p.last_child);
                if !Sink::merge_text(&mut nodes, last, &text) {
                    nodes.push(SinkNode::new(Kind::Text(text.to_string())));
                    let id = u32::try_from(nodes.len() - 1).unwrap_or(NONE - 1);
                    Sink::append_child(&mut nodes, *parent, id);
                }
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &u32,
        prev_element: &u32,
        child: NodeOrText<u32>,
    ) {
        let has_parent = self
            .nodes
            .borrow()
            .get(*element as usize)
            .is_some_and(|n| n.parent != NONE);
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(
        &self,
        _name: StrTendril,
        _public: StrTendril,
        _system: StrTendril,
    ) {
        let id = self.push(Kind::Ignored);
        Sink::append_child(&mut self.nodes.borrow_mut(), 0, id);
    }

    fn get_template_contents(&self, target: &u32) -> u32 {
        match self.nodes.borrow().get(*target as usize).map(|n| &n.kind) {
            Some(Kind::Element { template, .. }) if *template != NONE => *template,
            // html5ever asks only for templates; anything else gets itself.
            _ => *target,
        }
    }

    fn same_node(&self, x: &u32, y: &u32) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &u32, child: NodeOrText<u32>) {
        let mut nodes = self.nodes.borrow_mut();
        match child {
            NodeOrText::AppendText(text) => {
                let prev = nodes.get(*sibling as usize).map_or(NONE, |s| s.prev);
                if !Sink::merge_text(&mut nodes, prev, &text) {
                    nodes.push(SinkNode::new(Kind::Text(text.to_string())));
                    let id = u32::try_from(nodes.len() - 1).unwrap_or(NONE - 1);
                    Sink::insert_before(&mut nodes, *sibling, id);
                }
            }
            NodeOrText::AppendNode(id) => Sink::insert_before(&mut nodes, *sibling, id),
        }
    }

    fn add_attrs_if_missing(&self, target: &u32, attrs: Vec<Attribute>) {
        let mut nodes = self.nodes.borrow_mut();
        if let Some(Kind::Element { attrs: have, .. }) =
            nodes.get_mut(*target as usize).map(|n| &mut n.kind)
        {
            for (k, v) in kept_attrs(&attrs) {
                if !have.iter().any(|(n, _)| *n == k) {
                    have.push((k, v));
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &u32) {
        Sink::detach(&mut self.nodes.borrow_mut(), *target);
    }

    fn reparent_children(&self, node: &u32, new_parent: &u32) {
        let mut nodes = self.nodes.borrow_mut();
        let mut child = nodes.get(*node as usize).map_or(NONE, |n| n.first_child);
        while child != NONE {
            let next = nodes[child as usize].next;
            Sink::append_child(&mut nodes, *new_parent, child);
            child = next;
        }
    }

    fn is_mathml_annotation_xml_integration_point(&self, handle: &u32) -> bool {
        matches!(
            self.nodes.borrow().get(*handle as usize).map(|n| &n.kind),
            Some(Kind::Element {
                annotation_xml: true,
                ..
            })
        )
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
    fn tree_builder_moves_nodes_as_html_says() {
        let body = |html: &str| {
            let dom = Dom::parse(html);
            let b = dom.nodes.iter().position(|n| n.tag == Tag::Body).unwrap();
            dom.text_of(b)
        };
        // Foster parenting: text inside a table but outside a cell goes before the table.
        assert_eq!(body("<table>foo<tr><td>a</td></tr></table>"), "foo a");
        // The adoption agency: a misnested formatting element is split (`<b>1</b><p><b>2</b>3`),
        // its text kept in order.
        assert_eq!(body("<b>1<p>2</b>3</p>"), "1 23");
        // Text split by a comment is one text node's worth of words; attributes on a second
        // <body> tag are added when missing.
        let dom = Dom::parse("<body class=a>x<!-- c -->y<body id=b class=z>");
        let b = dom.nodes.iter().position(|n| n.tag == Tag::Body).unwrap();
        assert_eq!(dom.nodes[b].attr("class"), Some("a"));
        assert_eq!(dom.nodes[b].attr("id"), Some("b"));
        assert_eq!(dom.text_of(b), "xy");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(100_000) + "deep";
        let dom = Dom::parse(&super::super::prepass::prepass(&html));
        let body = dom.nodes.iter().position(|n| n.tag == Tag::Body).unwrap();
        assert_eq!(dom.text_of(body), "deep");
    }
}
