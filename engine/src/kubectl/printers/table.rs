//! kubectl's table layout: Go's text/tabwriter with minwidth 6, tabwidth 4,
//! padding 3 and spaces, so every column but the last is as wide as its widest
//! cell plus three spaces.

/// Lays out rows of cells (the first row usually the header).
pub fn render(rows: &[Vec<String>]) -> String {
    render_with_padding(rows, 3)
}

/// The same layout with another padding (`rollout history` uses 2) and no
/// minimum width.
pub fn render_with_padding(rows: &[Vec<String>], padding: usize) -> String {
    let min = if padding == 3 { 6 } else { 0 };
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0usize; columns];
    for row in rows {
        // The last cell of a row is not tab-terminated, so it never sets a width.
        for (i, cell) in row.iter().enumerate().take(row.len().saturating_sub(1)) {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            out.push_str(cell);
            if i + 1 < row.len() {
                // minwidth 6 applies to the cell including its padding.
                let width = (widths[i] + padding).max(min);
                out.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&[&str]]) -> Vec<Vec<String>> {
        lines.iter().map(|l| l.iter().map(|c| c.to_string()).collect()).collect()
    }

    #[test]
    fn matches_kubectls_golden_tables() {
        // From kubectl's get_test.go (TestGetTableObjects, TestGetObjectsShowKind).
        let table = rows(&[&["NAME", "READY", "STATUS", "RESTARTS", "AGE"], &["foo", "0/0", "", "0", "<unknown>"]]);
        assert_eq!(
            render(&table),
            "NAME   READY   STATUS   RESTARTS   AGE\nfoo    0/0              0          <unknown>\n"
        );
        let kinds = rows(&[&["NAME", "AGE"], &["pod/foo", "<unknown>"]]);
        assert_eq!(render(&kinds), "NAME      AGE\npod/foo   <unknown>\n");
    }

    #[test]
    fn minimum_width_is_six() {
        let table = rows(&[&["A", "B"], &["x", "y"]]);
        assert_eq!(render(&table), "A     B\nx     y\n");
    }
}
