//! The verdict for every pair of jurisdictions, as a text table and an SVG heatmap.

use std::fmt::Write as _;

use crate::day::Day;
use crate::engine::{Flow, Verdict};
use crate::rulebook::Rulebook;

/// Verdicts for flows from each jurisdiction (rows) to each jurisdiction (columns), using each
/// jurisdiction's representative country.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub ids: Vec<String>,
    pub names: Vec<String>,
    /// `cells[row][col]`; `None` if the exporter's law is not in force on that day.
    pub cells: Vec<Vec<Option<Verdict>>>,
    pub data: Vec<String>,
    pub as_of: Day,
}

impl Rulebook {
    /// `template` supplies everything but `from` and `to`.
    pub fn matrix(&self, template: &Flow) -> Matrix {
        let cells = self
            .jurisdictions
            .iter()
            .map(|row| {
                self.jurisdictions
                    .iter()
                    .map(|col| {
                        let flow = Flow { from: row.representative, to: col.representative, ..*template };
                        self.decide(&flow).ok().map(|d| d.verdict)
                    })
                    .collect()
            })
            .collect();
        Matrix {
            ids: self.jurisdictions.iter().map(|j| j.id.clone()).collect(),
            names: self.jurisdictions.iter().map(|j| j.name.clone()).collect(),
            cells,
            data: self.category_names(template.data).into_iter().map(String::from).collect(),
            as_of: template.as_of,
        }
    }
}

fn letter(v: Option<Verdict>) -> char {
    match v {
        Some(Verdict::Allow) => 'A',
        Some(Verdict::Conditional) => 'C',
        Some(Verdict::Approval) => 'P',
        Some(Verdict::Deny) => 'D',
        None => '?',
    }
}

fn colour(v: Option<Verdict>) -> &'static str {
    match v {
        Some(Verdict::Allow) => "#1a9850",
        Some(Verdict::Conditional) => "#fee08b",
        Some(Verdict::Approval) => "#fc8d59",
        Some(Verdict::Deny) => "#d73027",
        None => "#bbbbbb",
    }
}

impl Matrix {
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "Verdicts for {} data as of {} (rows: from, columns: to)", self.data.join("+"), self.as_of);
        let _ = writeln!(s, "A allow  C conditional  P approval  D deny  · same jurisdiction\n");
        let _ = write!(s, "     ");
        for id in &self.ids {
            let _ = write!(s, "{:>3}", &id[..id.len().min(2)]);
        }
        let _ = writeln!(s);
        for (r, row) in self.cells.iter().enumerate() {
            let _ = write!(s, "{:<5}", self.ids[r]);
            for (c, v) in row.iter().enumerate() {
                let ch = if r == c { '·' } else { letter(*v) };
                let _ = write!(s, "{:>3}", ch);
            }
            let _ = writeln!(s);
        }
        s
    }

    /// A self-contained SVG heatmap with a legend and a tooltip per cell.
    pub fn to_svg(&self) -> String {
        let n = self.ids.len();
        let cell = 22;
        let left = 60;
        let top = 90;
        let width = left + n * cell + 20;
        let height = top + n * cell + 70;
        let mut s = String::new();
        let _ = writeln!(
            s,
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"##
        );
        let _ = writeln!(
            s,
            r#"<text x="{left}" y="20" font-size="14" font-weight="bold">Cross-border transfer verdicts: {} data, as of {}</text>"#,
            esc(&self.data.join("+")),
            self.as_of
        );
        let _ = writeln!(
            s,
            r#"<text x="{left}" y="38" fill="gray">rows: exporting jurisdiction · columns: destination</text>"#
        );
        for (i, id) in self.ids.iter().enumerate() {
            let x = left + i * cell + cell / 2;
            let _ = writeln!(
                s,
                r#"<text x="{x}" y="{}" text-anchor="start" transform="rotate(-60 {x} {})">{}</text>"#,
                top - 6,
                top - 6,
                esc(id)
            );
            let y = top + i * cell + cell / 2 + 4;
            let _ = writeln!(s, r#"<text x="{}" y="{y}" text-anchor="end">{}</text>"#, left - 6, esc(id));
        }
        for (r, row) in self.cells.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let x = left + c * cell;
                let y = top + r * cell;
                let (fill, label) = if r == c {
                    ("#eeeeee", "same jurisdiction")
                } else {
                    (colour(*v), v.map_or("not in force", |v| v.as_str()))
                };
                let _ = writeln!(
                    s,
                    r#"<rect x="{x}" y="{y}" width="{}" height="{}" fill="{fill}" stroke="white"><title>{} → {}: {label}</title></rect>"#,
                    cell - 1,
                    cell - 1,
                    esc(&self.names[r]),
                    esc(&self.names[c])
                );
            }
        }
        let ly = top + n * cell + 25;
        for (i, (v, name)) in [
            (Verdict::Allow, "allow"),
            (Verdict::Conditional, "conditional"),
            (Verdict::Approval, "approval"),
            (Verdict::Deny, "deny"),
        ]
        .iter()
        .enumerate()
        {
            let x = left + i * 110;
            let _ = writeln!(
                s,
                r#"<rect x="{x}" y="{ly}" width="14" height="14" fill="{}"/><text x="{}" y="{}">{name}</text>"#,
                colour(Some(*v)),
                x + 20,
                ly + 11
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
