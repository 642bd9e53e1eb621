//! Turns Cedar's `miette` diagnostics into serializable ones with line and column.

use crate::error::{Diagnostic, SourceLocation};

/// One entry per labelled span of `report` (at least one entry), located in `text`.
pub(crate) fn diagnostics_of(
    report: &dyn miette::Diagnostic,
    policy_id: Option<String>,
    source: &str,
    text: &str,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    collect(report, policy_id.as_deref(), source, text, &mut found);
    found
}

fn collect(
    report: &dyn miette::Diagnostic,
    policy_id: Option<&str>,
    source: &str,
    text: &str,
    found: &mut Vec<Diagnostic>,
) {
    // Parse errors come as a collection of related diagnostics; each one is a problem.
    let mut related = report.related().into_iter().flatten().peekable();
    if related.peek().is_some() && report.labels().is_none() {
        for inner in related {
            collect(inner, policy_id, source, text, found);
        }
        return;
    }
    let help = report.help().map(|h| h.to_string());
    let message = report.to_string();
    let location = report
        .labels()
        .and_then(|mut labels| labels.next())
        .map(|label| locate(source, text, label.offset(), label.len()));
    found.push(Diagnostic { message, help, policy_id: policy_id.map(str::to_owned), location });
}

/// Line and column (both 1-based) of a byte offset in `text`.
pub(crate) fn locate(source: &str, text: &str, offset: usize, length: usize) -> SourceLocation {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    SourceLocation { source: source.to_owned(), line, column, offset, length }
}
