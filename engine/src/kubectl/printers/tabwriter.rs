//! Go's text/tabwriter (elastic tabstops), as kubectl's describe and tables
//! use it: a column's width is set by the block of consecutive lines that
//! have a cell in it; the text after a line's last tab belongs to no column.

/// Aligns `text` (lines of tab-terminated cells).
pub fn align(text: &str, minwidth: usize, padding: usize) -> String {
    let lines: Vec<Vec<&str>> =
        text.split_inclusive('\n').map(|l| l.strip_suffix('\n').unwrap_or(l).split('\t').collect()).collect();
    let ends: Vec<bool> = text.split_inclusive('\n').map(|l| l.ends_with('\n')).collect();
    let mut out = String::new();
    let mut widths = Vec::new();
    format(&lines, &ends, 0, lines.len(), &mut widths, minwidth, padding, &mut out);
    out
}

#[allow(clippy::too_many_arguments)]
fn format(
    lines: &[Vec<&str>],
    ends: &[bool],
    mut line0: usize,
    line1: usize,
    widths: &mut Vec<usize>,
    minwidth: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, ends, line0, this, widths, out);
        line0 = this;
        let mut width = minwidth;
        while this < line1 && column + 1 < lines[this].len() {
            width = width.max(lines[this][column].chars().count() + padding);
            this += 1;
        }
        widths.push(width);
        format(lines, ends, line0, this, widths, minwidth, padding, out);
        widths.pop();
        line0 = this;
    }
    write_lines(lines, ends, line0, line1, widths, out);
}

fn write_lines(lines: &[Vec<&str>], ends: &[bool], from: usize, to: usize, widths: &[usize], out: &mut String) {
    for i in from..to {
        let cells = &lines[i];
        for (j, cell) in cells.iter().enumerate() {
            out.push_str(cell);
            if j + 1 < cells.len() {
                let width = widths.get(j).copied().unwrap_or(0);
                let pad = width.saturating_sub(cell.chars().count());
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        if ends[i] {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_blocks_as_go_forms_them() {
        let text = "Name:\tweb\nService Account:\tdefault\nIPs:\n  IP:\t1.2.3.4\nEvents:\t<none>\n";
        assert_eq!(
            align(text, 0, 2),
            // "  IP:" and "Events:" are consecutive lines with cells: one block.
            "Name:             web\nService Account:  default\nIPs:\n  IP:    1.2.3.4\nEvents:  <none>\n"
        );
        assert_eq!(align("A\tB\nx\ty\n", 6, 3), "A     B\nx     y\n");
    }
}
