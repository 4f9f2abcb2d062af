//! A development aid: `NEWSMILL_EXPLAIN_HTML=page.html cargo test -p newsmill-extract --lib
//! explain_page -- --nocapture` prints every text block of a page with its value, mark, link
//! density and element path, then the chosen container. Without the variable it explains a
//! small built-in page and checks that the container is its article.

#![allow(clippy::print_stdout)]

use super::*;

fn explain(html: &str, print: bool) -> Option<usize> {
    let pre = prepass::prepass(html);
    let dom = dom::Dom::parse(&pre);
    let c = content::extract_content(&dom, &crate::Tuning::default());
    if print {
        let class = content::classify(&dom, &crate::Tuning::default());
        let mut blocks = content::segment(&dom, &class);
        content::apply_marks(&dom, &class, &mut blocks, &crate::Tuning::default());
        for b in &blocks {
            let mut path = vec![];
            let mut p = b.owner as u32;
            while p != dom::NONE && path.len() < 30 {
                let n = &dom.nodes[p as usize];
                path.push(format!(
                    "{:?}.{}#{}",
                    n.tag,
                    n.attr("class").unwrap_or(""),
                    n.attr("id").unwrap_or("")
                ));
                p = n.parent;
            }
            let t: String = b.text.chars().take(90).collect();
            println!(
                "{:>6.0} {:?} w{} ld{:.2} {:?} | {} | {}",
                content::block_value(b),
                b.marked,
                b.words,
                b.link_chars as f32 / b.chars.max(1) as f32,
                b.kind,
                t,
                path.join(" < ")
            );
        }
        for k in &c.kept {
            println!("KEPT {:?}: {}", k.kind, k.text);
        }
        for (r, t) in &c.removed {
            println!("REMOVED {r:?}: {t}");
        }
        if let Some(i) = c.container {
            let n = &dom.nodes[i];
            println!(
                "CONTAINER {:?} class={:?} id={:?}",
                n.tag,
                n.attr("class"),
                n.attr("id")
            );
        }
    }
    c.container.map(|i| dom.nodes[i].tag as usize)
}

#[test]
fn explain_page() {
    if let Ok(path) = std::env::var("NEWSMILL_EXPLAIN_HTML") {
        let html =
            String::from_utf8_lossy(&fs_err::read(path).expect("readable page")).into_owned();
        explain(&html, true);
        return;
    }
    let prose = "The council voted on Tuesday to reopen the harbour, which has been closed since the storm, officials said.";
    let html = format!(
        "<div id=menu><a href=/>Home</a></div><article><p>{prose}</p><p>{prose}</p></article>"
    );
    assert_eq!(explain(&html, false), Some(dom::Tag::Article as usize));
}
