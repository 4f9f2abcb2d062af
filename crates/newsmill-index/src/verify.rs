//! Reading a store that may be damaged: naming documents without their stored bytes, and
//! checking every file and document ([`Store::verify`]).
//!
//! A document's `key` and `kind` are indexed terms, so they can be read from the term
//! dictionary and postings of a segment, which do not depend on the document store (`.store`
//! files, where the full records live). Export and verification use that to name a record the
//! store cannot read, and to go on with the others.

use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::{Deserialize, Serialize};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocSet, SegmentReader, TERMINATED, TantivyDocument};

use crate::{
    COMMIT_STATE_DIR, Failure, IndexError, KIND_ARTICLE, KIND_FAILED, KIND_STORY, KIND_VERSION,
    Result, Store, StorySummary,
};

/// One thing wrong with a store, found by [`Store::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The document's key (a record id, `ID@vN`, `failed:ORIGIN`, `story:ID`) when the problem
    /// is one document's; `None` for a file.
    pub key: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What [`Store::verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// Documents read and decoded whole: articles, versions, failures and stories.
    pub readable: u64,
    /// Documents in the last commit, readable or not.
    pub documents: u64,
    /// Every problem, files first, then documents in store order.
    pub problems: Vec<Problem>,
}

impl Verification {
    /// True when nothing is wrong.
    pub fn is_whole(&self) -> bool {
        self.problems.is_empty()
    }
}

/// For each document of `segment`, the value of the untokenized field `field` (`key`, `id`,
/// `kind`), read from the term dictionary and the postings; `None` for a document without one.
/// Deleted documents are left out (`None`).
pub(crate) fn terms_by_doc(
    segment: &SegmentReader,
    field: Field,
) -> tantivy::Result<Vec<Option<String>>> {
    let mut out = vec![None; segment.max_doc() as usize];
    let inverted = segment.inverted_index(field)?;
    let mut terms = inverted.terms().stream()?;
    while terms.advance() {
        let value = String::from_utf8_lossy(terms.key()).into_owned();
        let mut postings =
            inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
        let mut doc = postings.doc();
        while doc != TERMINATED {
            if !segment.is_deleted(doc)
                && let Some(slot) = out.get_mut(doc as usize)
            {
                *slot = Some(value.clone());
            }
            doc = postings.advance();
        }
    }
    Ok(out)
}

impl Store {
    /// The key of every live document of kind `kind`, with its address, sorted by key. Read
    /// from the index's terms, not the document store.
    pub(crate) fn keys_of_kind(&self, kind: &str) -> Result<Vec<(String, DocAddress)>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let kinds = terms_by_doc(segment, self.fields.kind).map_err(self.err())?;
            let keys = terms_by_doc(segment, self.fields.key).map_err(self.err())?;
            for (doc, (k, key)) in kinds.into_iter().zip(keys).enumerate() {
                if k.as_deref() == Some(kind) {
                    let key =
                        key.unwrap_or_else(|| format!("(document {ord}/{doc} without a key)"));
                    out.push((key, DocAddress::new(ord as u32, doc as u32)));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Reads one stored document; an unreadable one is an [`IndexError::Corrupt`] naming `key`.
    /// A panic inside tantivy on damaged bytes is caught and reported the same way.
    pub(crate) fn read_doc(
        &self,
        searcher: &tantivy::Searcher,
        key: &str,
        addr: DocAddress,
    ) -> Result<TantivyDocument> {
        match catch_unwind(AssertUnwindSafe(|| searcher.doc::<TantivyDocument>(addr))) {
            Ok(Ok(doc)) => Ok(doc),
            Ok(Err(e)) => Err(self.corrupt(key, format!("unreadable stored document: {e}"))),
            Err(_) => Err(self.corrupt(key, "unreadable stored document (the reader panicked)")),
        }
    }

    /// Checks the whole store: the checksum of every index file of the last commit, that every
    /// document reads and decodes (records and their metadata, quarantine entries, story
    /// summaries), and that every state file the commit names reads back.
    ///
    /// Damage is reported, not fatal: the result lists each problem, naming the document's key
    /// when one document is concerned. `Err` only when the store cannot be read at all.
    pub fn verify(&self) -> Result<Verification> {
        let mut v = Verification::default();
        let mut damaged: Vec<_> = self
            .index
            .validate_checksum()
            .map_err(self.err())?
            .into_iter()
            .collect();
        damaged.sort();
        for path in damaged {
            v.problems.push(Problem {
                key: None,
                message: format!("index file {} fails its checksum", path.display()),
            });
        }
        let searcher = self.reader.searcher();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let kinds = terms_by_doc(segment, self.fields.kind).map_err(self.err())?;
            let keys = terms_by_doc(segment, self.fields.key).map_err(self.err())?;
            for doc in 0..segment.max_doc() {
                if segment.is_deleted(doc) {
                    continue;
                }
                v.documents += 1;
                let key = keys[doc as usize]
                    .clone()
                    .unwrap_or_else(|| format!("(document {ord}/{doc} without a key)"));
                let addr = DocAddress::new(ord as u32, doc);
                let checked = self
                    .read_doc(&searcher, &key, addr)
                    .and_then(|d| self.decode(&d, &key, kinds[doc as usize].as_deref()));
                match checked {
                    Ok(()) => v.readable += 1,
                    Err(e) => v.problems.push(Problem {
                        key: Some(key),
                        message: problem_message(&e),
                    }),
                }
            }
        }
        let payload = match self.committed_payload() {
            Ok(p) => p,
            Err(e) => {
                v.problems.push(Problem {
                    key: None,
                    message: e.to_string(),
                });
                crate::CommitPayload::default()
            }
        };
        for (name, file) in &payload.states {
            let path = self.dir.join("state").join(COMMIT_STATE_DIR).join(file);
            let read = fs_err::read(&path).and_then(|gz| {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out)?;
                Ok(out)
            });
            if let Err(e) = read {
                v.problems.push(Problem {
                    key: None,
                    message: format!("state {name:?} of the last commit: {e}"),
                });
            }
        }
        Ok(v)
    }

    /// Decodes a document by its kind, as the readers of the store would (a record with its
    /// metadata, a quarantine entry, a story summary).
    fn decode(&self, doc: &TantivyDocument, key: &str, kind: Option<&str>) -> Result<()> {
        match kind {
            Some(KIND_ARTICLE | KIND_VERSION) => self.record_of(doc).map(|_| ()),
            Some(KIND_FAILED) => {
                serde_json::from_str::<Failure>(self.text_of(doc, self.fields.meta))
                    .map(|_| ())
                    .map_err(|e| self.corrupt(key, format!("failure: {e}")))
            }
            Some(KIND_STORY) => {
                serde_json::from_str::<StorySummary>(self.text_of(doc, self.fields.meta))
                    .map(|_| ())
                    .map_err(|e| self.corrupt(key, format!("story: {e}")))
            }
            Some(crate::KIND_ALIAS) => {
                serde_json::from_str::<crate::StoryAlias>(self.text_of(doc, self.fields.meta))
                    .map(|_| ())
                    .map_err(|e| self.corrupt(key, format!("story alias: {e}")))
            }
            other => Err(self.corrupt(key, format!("unknown kind {other:?}"))),
        }
    }
}

/// The message of a problem, without the directory and key the report names already.
fn problem_message(e: &IndexError) -> String {
    match e {
        IndexError::Corrupt { message, .. } => message.clone(),
        other => other.to_string(),
    }
}
