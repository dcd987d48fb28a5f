//! Where a rule file's groups and rule fields sit (line:column, 1-based),
//! so faults carry the positions promtool prints. serde_yaml gives no node
//! positions, so block-style YAML (what people write) is scanned by
//! indentation; anything else yields `None` and faults go without them.

/// A line and column, 1-based.
pub type Pos = (usize, usize);

/// Positions of one rule's `record`, `alert` and `expr` values.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RulePos {
    /// The `record:` value.
    pub record: Option<Pos>,
    /// The `alert:` value.
    pub alert: Option<Pos>,
    /// The `expr:` value.
    pub expr: Option<Pos>,
}

/// Positions of a group: its mapping's first key, and its rules.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupPos {
    /// Where the group's mapping starts.
    pub at: Pos,
    /// Its rules in order.
    pub rules: Vec<RulePos>,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `key: value` at the start of `s`: the key and the value's offset in `s`
/// (`None` when the value is empty).
fn key_value(s: &str) -> Option<(&str, Option<usize>)> {
    let colon = s.find(':')?;
    let key = s[..colon].trim().trim_matches(|c| c == '"' || c == '\'');
    let after = &s[colon + 1..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    let value_off = colon + 1 + (after.len() - after.trim_start().len());
    let rest = after.trim();
    Some((key, (!rest.is_empty() && !rest.starts_with('#')).then_some(value_off)))
}

/// A sequence item `- …` at `line`: the offset of its content.
fn item(line: &str) -> Option<usize> {
    let i = indent(line);
    let rest = &line[i..];
    if rest == "-" {
        return Some(i + 1);
    }
    rest.strip_prefix("- ").map(|r| i + 2 + (r.len() - r.trim_start().len()))
}

/// Scans block-style YAML for the groups' and rules' positions.
pub fn scan(text: &str) -> Option<Vec<GroupPos>> {
    let lines: Vec<&str> = text.lines().collect();
    let meaningful = |l: &str| !l.trim().is_empty() && !l.trim_start().starts_with('#') && l.trim() != "---";
    let mut k = lines.iter().position(|l| indent(l) == 0 && l.starts_with("groups:"))? + 1;
    let mut groups = Vec::new();
    // The indentation of group items, fixed by the first one.
    let mut group_indent: Option<usize> = None;
    // (content column of the current group's keys, rules item indent).
    let mut group_keys: Option<usize> = None;
    let mut in_rules = false;
    let mut rule_indent: Option<usize> = None;
    let mut rule_keys: Option<usize> = None;
    while k < lines.len() {
        let line = lines[k];
        let n = k + 1;
        k += 1;
        if !meaningful(line) {
            continue;
        }
        let ind = indent(line);
        if ind == 0 && !line.starts_with('-') {
            break; // Another top-level key.
        }
        if let Some(off) = item(line) {
            if group_indent.is_none_or(|g| g == ind) {
                group_indent = Some(ind);
                groups.push(GroupPos { at: (n, off + 1), rules: Vec::new() });
                group_keys = Some(off);
                in_rules = false;
                rule_indent = None;
                rule_keys = None;
                if let Some((key, _)) = key_value(&line[off..]) {
                    in_rules = key == "rules";
                }
                continue;
            }
            if in_rules && rule_indent.is_none_or(|r| r == ind) && group_indent.is_some_and(|g| ind > g) {
                rule_indent = Some(ind);
                rule_keys = Some(off);
                let g = groups.last_mut()?;
                let mut r = RulePos::default();
                if let Some((key, Some(v))) = key_value(&line[off..]) {
                    set(&mut r, key, (n, off + v + 1));
                }
                g.rules.push(r);
                continue;
            }
            continue; // An item deeper down (a list value).
        }
        if Some(ind) == group_keys {
            in_rules = matches!(key_value(line.trim_start()), Some(("rules", _)));
            rule_indent = None;
            rule_keys = None;
            continue;
        }
        if Some(ind) == rule_keys {
            if let Some((key, Some(v))) = key_value(&line[ind..]) {
                let r = groups.last_mut()?.rules.last_mut()?;
                set(r, key, (n, ind + v + 1));
            }
        }
    }
    Some(groups)
}

fn set(r: &mut RulePos, key: &str, pos: Pos) {
    match key {
        "record" => r.record = Some(pos),
        "alert" => r.alert = Some(pos),
        "expr" => r.expr = Some(pos),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_promtool_points_at() {
        let text = "groups:\n- name: g\n  rules:\n  - record: \"bad name\"\n    expr: up\n  - alert: X\n    record: y\n    expr: up\n- name: h\n  interval: 1m\n  rules:\n    - expr: |\n        up\n      alert: Z\n";
        let g = scan(text).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].at, (2, 3));
        assert_eq!(g[0].rules[0], RulePos { record: Some((4, 13)), alert: None, expr: Some((5, 11)) });
        assert_eq!(g[0].rules[1], RulePos { record: Some((7, 13)), alert: Some((6, 12)), expr: Some((8, 11)) });
        assert_eq!(g[1].at, (9, 3));
        assert_eq!(g[1].rules[0], RulePos { record: None, alert: Some((14, 14)), expr: Some((12, 13)) });
    }
}
