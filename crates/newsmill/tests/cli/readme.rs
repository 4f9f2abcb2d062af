//! The README's console examples, run: every `$ newsmill ...` line whose inputs are in the
//! repository is run from the workspace root and its output compared with what the README
//! shows, so an example that goes stale fails here. See: issue 23.
//!
//! What is compared: JSON output by value, where a `"..."` list element stands for elements
//! left out and a string ending in `...` for the rest of the text; other output line by line
//! (stdout, then stderr). Pipes into `jq` (the few filters the README uses), `head -N`,
//! `> FILE` and `echo $?` are run here. An example that needs data outside the repository
//! (`../shared`, a store made by an earlier command, a server) is listed as skipped with its
//! reason, and the test checks that the list of skipped examples does not grow unnoticed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One `$ command` of a console block and the lines shown after it.
struct Example {
    line: usize,
    command: String,
    output: Vec<String>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    for (i, line) in readme.lines().enumerate() {
        if line.starts_with("```") {
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example {
                line: i + 1,
                command: cmd.to_string(),
                output: Vec::new(),
            });
        } else if let Some(e) = out.last_mut() {
            e.output.push(line.to_string());
        }
    }
    out
}

/// Splits a command line into words: single quotes group, nothing else is special.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// Why an example cannot run here, or `None` when it can.
fn skip_reason(command: &str) -> Option<&'static str> {
    let needs = [
        ("../shared", "reads ../shared/data"),
        ("pages/", "a folder of the reader's pages"),
        ("news-sample.warc.gz", "a sample WARC from ../shared"),
        ("feed.json", "a feed of the reader's"),
        ("/tmp/", "a store an earlier command made"),
        ("curl", "a running server"),
        ("newsmill serve", "a running server"),
        ("newsmill search", "a store of the samples"),
        ("newsmill ingest", "the reader's files"),
    ];
    needs
        .iter()
        .find(|(k, _)| command.contains(k))
        .map(|(_, why)| *why)
}

struct Run {
    code: i32,
    text: String,
    json: Option<Vec<Value>>,
}

fn run(command: &str, expected: &[String], last_code: i32) -> Run {
    if command == "echo $?" {
        return Run {
            code: 0,
            text: format!("{last_code}\n"),
            json: None,
        };
    }
    let stages: Vec<&str> = command.split(" | ").collect();
    let mut args = words(stages[0]);
    assert_eq!(args.remove(0), "newsmill", "{command}");
    let redirected = args.iter().position(|a| a == ">");
    if let Some(i) = redirected {
        args.truncate(i);
    }
    // `ner --conll FILE` with a FILE the README does not ship: its tokens are the first
    // column of the output shown.
    let mut stdin = Vec::new();
    if args.first().map(String::as_str) == Some("ner")
        && let Some(last) = args.last_mut()
        && last.ends_with(".txt")
        && !root().join(&*last).exists()
    {
        *last = "-".into();
        for l in expected {
            if l.starts_with("newsmill:") {
                continue;
            }
            // `-DOCSTART-` lines are passed through as read.
            if l.starts_with("-DOCSTART-") {
                stdin.extend_from_slice(l.as_bytes());
                stdin.push(b'\n');
                continue;
            }
            let tokens: Vec<&str> = l.split(' ').collect();
            stdin.extend_from_slice(
                tokens[..tokens.len().saturating_sub(1)]
                    .join(" ")
                    .as_bytes(),
            );
            stdin.push(b'\n');
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_newsmill"))
        .args(&args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsmill starts");
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(&stdin).expect("stdin written");
    }
    let out = child.wait_with_output().expect("newsmill ends");
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    let stdout = if redirected.is_some() {
        String::new()
    } else {
        stdout
    };
    let mut text = stdout;
    let mut json = None;
    for stage in &stages[1..] {
        let w = words(stage);
        match w.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["head", n] => {
                let n: usize = n.trim_start_matches('-').parse().expect("head -N");
                text = text.lines().take(n).map(|l| format!("{l}\n")).collect();
            }
            ["jq", "-c", program] | ["jq", program] => {
                let input: Value = serde_json::from_str(&text).expect("JSON for jq");
                json = Some(jq(&input, program));
                text = String::new();
            }
            other => panic!("line {command}: no stand-in for {other:?}"),
        }
    }
    if json.is_none() && text.trim_start().starts_with('{') && !text.contains("}\n{") {
        json = serde_json::from_str(&text).ok().map(|v| vec![v]);
    }
    text.push_str(&stderr);
    Run { code, text, json }
}

/// The README's `jq` filters: comma-separated paths of `.field`, `[]` and `[a:b]`.
fn jq(input: &Value, program: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for path in program.split(", ") {
        let mut values = vec![input.clone()];
        let mut rest = path.trim();
        while !rest.is_empty() {
            let (step, tail) = if let Some(r) = rest.strip_prefix('.') {
                let end = r.find(['.', '[']).unwrap_or(r.len());
                (format!(".{}", &r[..end]), &r[end..])
            } else {
                let end = rest.find(']').expect("]") + 1;
                (rest[..end].to_string(), &rest[end..])
            };
            rest = tail;
            values = values
                .into_iter()
                .flat_map(|v| -> Vec<Value> {
                    if let Some(field) = step.strip_prefix('.') {
                        vec![v.get(field).cloned().unwrap_or(Value::Null)]
                    } else if step == "[]" {
                        v.as_array().cloned().unwrap_or_default()
                    } else {
                        let inner = &step[1..step.len() - 1];
                        let (a, b) = inner.split_once(':').expect("a slice");
                        let arr = v.as_array().cloned().unwrap_or_default();
                        let a: usize = a.parse().unwrap_or(0);
                        let b: usize = b.parse().unwrap_or(arr.len()).min(arr.len());
                        vec![Value::Array(arr[a.min(b)..b].to_vec())]
                    }
                })
                .collect();
        }
        out.extend(values);
    }
    out
}

/// True when `actual` is what `shown` shows: `"..."` in a list stands for elements left out,
/// a string ending in `...` for the rest of the text, and every key shown must match.
fn shows(shown: &Value, actual: &Value) -> bool {
    match (shown, actual) {
        (Value::String(s), Value::String(a)) => match s.strip_suffix("...") {
            Some(prefix) if s != "..." => a.starts_with(prefix),
            _ => s == a,
        },
        (Value::Array(s), Value::Array(a)) => {
            let elided = s.iter().any(|v| v == "...");
            let wanted: Vec<&Value> = s.iter().filter(|v| *v != "...").collect();
            if !elided {
                return s.len() == a.len() && s.iter().zip(a).all(|(x, y)| shows(x, y));
            }
            // The shown elements, in order, among the actual ones.
            let mut it = a.iter();
            wanted.iter().all(|w| it.any(|x| shows(w, x)))
        }
        (Value::Object(s), Value::Object(a)) => {
            s.iter().all(|(k, v)| a.get(k).is_some_and(|x| shows(v, x)))
        }
        _ => shown == actual,
    }
}

#[test]
fn readme_examples_match_real_output() {
    let readme = fs_err::read_to_string(root().join("README.md")).unwrap();
    let mut ran = 0;
    let mut skipped: Vec<String> = Vec::new();
    let mut last_code = 0;
    let mut failures: Vec<String> = Vec::new();
    let mut skipping_block_from: Option<usize> = None;
    for e in examples(&readme) {
        if let Some(why) = skip_reason(&e.command) {
            skipped.push(format!("README.md:{}: {} ({why})", e.line, e.command));
            skipping_block_from = Some(e.line);
            continue;
        }
        // `echo $?` after a skipped command says nothing about this run.
        if e.command == "echo $?" && skipping_block_from.is_some() {
            skipped.push(format!(
                "README.md:{}: echo $? (after a skipped command)",
                e.line
            ));
            continue;
        }
        skipping_block_from = None;
        let r = run(&e.command, &e.output, last_code);
        last_code = r.code;
        ran += 1;
        let shown = e.output.join("\n");
        let ok = match &r.json {
            Some(values) => {
                let expected: Result<Vec<Value>, _> = if e.command.contains("jq -c") {
                    e.output
                        .iter()
                        .filter(|l| !l.trim().is_empty())
                        .map(|l| serde_json::from_str(l))
                        .collect()
                } else {
                    serde_json::from_str::<Value>(&shown).map(|v| vec![v])
                };
                match expected {
                    Ok(exp) => {
                        exp.len() == values.len()
                            && exp.iter().zip(values).all(|(s, a)| shows(s, a))
                    }
                    Err(err) => {
                        failures.push(format!(
                            "README.md:{}: the output shown is not JSON: {err}",
                            e.line
                        ));
                        continue;
                    }
                }
            }
            None => r.text.trim_end() == shown.trim_end(),
        };
        if !ok {
            failures.push(format!(
                "README.md:{}: $ {}\n--- shown\n{}\n--- real\n{}",
                e.line,
                e.command,
                shown,
                match &r.json {
                    Some(v) => v
                        .iter()
                        .map(|v| serde_json::to_string(v).unwrap())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    None => r.text.clone(),
                }
            ));
        }
        // The counts the README gives beside the shortened analyze example.
        if e.command == "newsmill analyze examples/putin-north-korea.txt"
            && let Some(v) = r.json.as_ref().and_then(|v| v.first())
        {
            let n = |f: &str| v[f].as_array().map_or(0, Vec::len);
            let said = format!(
                "all {} blocks, all {} entities, {} quotes and {} dates",
                n("blocks"),
                n("entities"),
                n("quotes"),
                n("dates")
            );
            if !readme.replace('\n', " ").contains(&said) {
                failures.push(format!(
                    "README.md: the counts beside the analyze example should say \"{said}\""
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ran >= 8, "only {ran} examples ran");
    // Skipped examples need data outside the repository; keep the list from growing unseen.
    assert!(skipped.len() <= 30, "{}", skipped.join("\n"));
}
