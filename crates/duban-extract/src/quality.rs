//! 质量评估 — directives found, scored against hand-made labels (tests/labels/*.jsonl): tier-A
//! recall and precision, actor F1 and deadline accuracy.
//!
//! A found directive and a labelled one are the same when their spans overlap on the same
//! line; pairs are made greedily by the largest overlap, each directive used once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::directive::{Directive, Tier};

/// An actor as labelled.
#[derive(Debug, Clone, Deserialize)]
pub struct LabelActor {
    pub name: String,
    pub role: String,
}

/// A labelled directive.
#[derive(Debug, Clone, Deserialize)]
pub struct Label {
    pub line: usize,
    pub start: usize,
    pub end: usize,
    pub tier: Tier,
    #[serde(default)]
    pub actors: Vec<LabelActor>,
    #[serde(default)]
    pub deadline_text: Option<String>,
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
}

/// The labels of one speech: its file name, meeting year and directives.
#[derive(Debug, Clone)]
pub struct Labels {
    pub speech: String,
    pub year: i32,
    pub directives: Vec<Label>,
}

#[derive(Deserialize)]
struct Header {
    speech: String,
    year: i32,
}

impl Labels {
    /// Reads a labels file: a header line `{"speech", "year"}`, then one directive per line.
    pub fn parse(jsonl: &str) -> Result<Labels, String> {
        let mut lines = jsonl
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, first) = lines.next().ok_or("标注文件为空")?;
        let header: Header =
            serde_json::from_str(first).map_err(|e| format!("第 1 行（表头）：{e}"))?;
        let directives = lines
            .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("第 {} 行：{e}", i + 1)))
            .collect::<Result<_, _>>()?;
        Ok(Labels {
            speech: header.speech,
            year: header.year,
            directives,
        })
    }
}

/// Counts from which the figures are computed; they add up over speeches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Labelled tier-A directives, and those found (at any tier).
    pub gold_a: usize,
    pub gold_a_found: usize,
    /// Directives found at tier A, and those that are labelled directives (of any tier).
    pub found_a: usize,
    pub found_a_right: usize,
    /// All labelled and found directives, and the pairs made.
    pub gold: usize,
    pub found: usize,
    pub pairs: usize,
    /// Actor names over the pairs: in both, only found, only labelled.
    pub actors_both: usize,
    pub actors_found_only: usize,
    pub actors_gold_only: usize,
    /// Pairs where either side has a time node, and those where both agree on it.
    pub deadlines: usize,
    pub deadlines_right: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

impl Score {
    pub fn add(&mut self, o: &Score) {
        self.gold_a += o.gold_a;
        self.gold_a_found += o.gold_a_found;
        self.found_a += o.found_a;
        self.found_a_right += o.found_a_right;
        self.gold += o.gold;
        self.found += o.found;
        self.pairs += o.pairs;
        self.actors_both += o.actors_both;
        self.actors_found_only += o.actors_found_only;
        self.actors_gold_only += o.actors_gold_only;
        self.deadlines += o.deadlines;
        self.deadlines_right += o.deadlines_right;
    }

    /// Tier-A recall: labelled tier-A directives found.
    pub fn recall(&self) -> f64 {
        ratio(self.gold_a_found, self.gold_a)
    }

    /// Tier-A precision: tier-A directives found that are labelled directives.
    pub fn precision(&self) -> f64 {
        ratio(self.found_a_right, self.found_a)
    }

    /// F1 of the actor names of paired directives.
    pub fn actor_f1(&self) -> f64 {
        let p = ratio(self.actors_both, self.actors_both + self.actors_found_only);
        let r = ratio(self.actors_both, self.actors_both + self.actors_gold_only);
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Paired directives whose time node agrees (both none, or the same date, a blanked
    /// date counting as the same when both have one).
    pub fn deadline_accuracy(&self) -> f64 {
        ratio(self.deadlines_right, self.deadlines)
    }
}

/// Brackets written either way are the same name.
fn same_name(a: &str) -> String {
    a.replace('(', "（").replace(')', "）").replace(',', "，")
}

/// Scores `found` against `labels`.
pub fn score(labels: &Labels, found: &[Directive]) -> Score {
    let gold = &labels.directives;
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
    for (g, l) in gold.iter().enumerate() {
        for (f, d) in found.iter().enumerate() {
            let overlap = l.end.min(d.end).saturating_sub(l.start.max(d.start));
            if l.line == d.line && overlap > 0 {
                candidates.push((overlap, g, f));
            }
        }
    }
    candidates.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut gold_pair = vec![None; gold.len()];
    let mut found_pair = vec![None; found.len()];
    for (_, g, f) in candidates {
        if gold_pair[g].is_none() && found_pair[f].is_none() {
            gold_pair[g] = Some(f);
            found_pair[f] = Some(g);
        }
    }
    let mut s = Score {
        gold: gold.len(),
        found: found.len(),
        ..Score::default()
    };
    for (g, l) in gold.iter().enumerate() {
        if l.tier == Tier::A {
            s.gold_a += 1;
            s.gold_a_found += usize::from(gold_pair[g].is_some());
        }
        let Some(f) = gold_pair[g] else { continue };
        let d = &found[f];
        s.pairs += 1;
        let mine: Vec<String> = d.actors.iter().map(|a| same_name(&a.name)).collect();
        let theirs: Vec<String> = l.actors.iter().map(|a| same_name(&a.name)).collect();
        let both = mine.iter().filter(|n| theirs.contains(n)).count();
        s.actors_both += both;
        s.actors_found_only += mine.len() - both;
        s.actors_gold_only += theirs.len() - both;
        if l.deadline_text.is_some() || d.deadline_text.is_some() {
            s.deadlines += 1;
            let right =
                l.deadline_text.is_some() == d.deadline_text.is_some() && l.deadline == d.deadline;
            s.deadlines_right += usize::from(right);
        }
    }
    for (f, d) in found.iter().enumerate() {
        if d.tier == Tier::A {
            s.found_a += 1;
            s.found_a_right += usize::from(found_pair[f].is_some());
        }
    }
    s
}
