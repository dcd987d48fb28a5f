//! Numbers and `printf` as Go's `fmt` writes them, since Prometheus and
//! Alertmanager templates print through it: `%v` of a float is `%g` with
//! the shortest digits (so 1e6 is `1e+06`), `humanize` uses `%.4g`.

/// A float's decimal digits (no trailing zeros) and the position of the
/// decimal point, as Go's `strconv` holds them: 0.0123 is ("123", -1).
fn digits(v: f64, prec: Option<usize>) -> (String, i32) {
    let s = match prec {
        None => format!("{:e}", v.abs()),
        Some(p) => format!("{:.*e}", p.max(1) - 1, v.abs()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    while d.len() > 1 && d.ends_with('0') {
        d.pop();
    }
    if d == "0" {
        return ("0".to_string(), 1);
    }
    (d, exp + 1)
}

fn special(v: f64) -> Option<String> {
    if v.is_nan() {
        Some("NaN".into())
    } else if v.is_infinite() {
        Some(if v > 0.0 { "+Inf" } else { "-Inf" }.into())
    } else {
        None
    }
}

/// `%e` from digits: `d.ddde±XX`, with `frac` digits after the point.
fn fmt_e(neg: bool, d: &str, dp: i32, frac: usize) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let mut chars = d.chars();
    out.push(chars.next().unwrap_or('0'));
    if frac > 0 {
        out.push('.');
        let rest: String = chars.chain(std::iter::repeat('0')).take(frac).collect();
        out.push_str(&rest);
    }
    let exp = if d == "0" { 0 } else { dp - 1 };
    out.push_str(&format!("e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs()));
    out
}

/// `%f` from digits with `frac` digits after the point.
fn fmt_f(neg: bool, d: &str, dp: i32, frac: usize) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let digit = |i: i32| -> char {
        if i < 0 {
            '0'
        } else {
            d.as_bytes().get(i as usize).map(|b| *b as char).unwrap_or('0')
        }
    };
    if dp > 0 {
        for i in 0..dp {
            out.push(digit(i));
        }
    } else {
        out.push('0');
    }
    if frac > 0 {
        out.push('.');
        for i in 0..frac as i32 {
            out.push(digit(dp + i));
        }
    }
    out
}

/// Go's `%g` (`prec` None = shortest, as `%v` prints a float).
pub fn fmt_g(v: f64, prec: Option<usize>) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    let neg = v.is_sign_negative() && v != 0.0;
    let (d, dp) = digits(v, prec);
    let nd = d.len() as i32;
    let mut p = prec.map(|p| p.max(1) as i32).unwrap_or(nd);
    let mut eprec = p;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if prec.is_none() {
        eprec = 6;
    }
    let exp = dp - 1;
    if exp < -4 || exp >= eprec {
        if p > nd {
            p = nd;
        }
        return fmt_e(neg, &d, dp, (p - 1).max(0) as usize);
    }
    if p > dp {
        p = nd;
    }
    fmt_f(neg, &d, dp, (p - dp).max(0) as usize)
}

/// Go's `%.Nf`.
pub fn fmt_fixed(v: f64, frac: usize) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    format!("{v:.frac$}")
}

/// Go's `%.Ne`.
pub fn fmt_exp(v: f64, frac: usize) -> String {
    if let Some(s) = special(v) {
        return s;
    }
    let neg = v.is_sign_negative() && v != 0.0;
    let (d, dp) = digits(v, Some(frac + 1));
    fmt_e(neg, &d, dp, frac)
}

/// An argument to [`sprintf`].
#[derive(Clone, Debug, PartialEq)]
pub enum Arg {
    /// A string.
    Str(String),
    /// A float64.
    Float(f64),
    /// An int.
    Int(i64),
    /// A bool.
    Bool(bool),
    /// Anything else, already printed as `%v` would.
    Other(String),
}

impl Arg {
    fn go_type(&self) -> &'static str {
        match self {
            Arg::Str(_) => "string",
            Arg::Float(_) => "float64",
            Arg::Int(_) => "int",
            Arg::Bool(_) => "bool",
            Arg::Other(_) => "interface {}",
        }
    }

    /// The argument as `%v` prints it.
    pub fn plain(&self) -> String {
        match self {
            Arg::Str(s) | Arg::Other(s) => s.clone(),
            Arg::Float(f) => fmt_g(*f, None),
            Arg::Int(i) => i.to_string(),
            Arg::Bool(b) => b.to_string(),
        }
    }
}

/// Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %f %g %e %q
/// %x %%`, with width, precision and the `-`, `+`, `0` flags. A verb that
/// does not fit its argument prints Go's `%!verb(type=value)`.
pub fn sprintf(format: &str, args: &[Arg]) -> String {
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    let mut next = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let (mut minus, mut plus, mut zero) = (false, false, false);
        while let Some(&f) = chars.peek() {
            match f {
                '-' => minus = true,
                '+' => plus = true,
                '0' => zero = true,
                ' ' | '#' => {}
                _ => break,
            }
            chars.next();
        }
        let mut width = String::new();
        while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            width.push(d);
            chars.next();
        }
        let mut prec: Option<usize> = None;
        if chars.peek() == Some(&'.') {
            chars.next();
            let mut p = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                p.push(d);
                chars.next();
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        next += 1;
        let bad = || format!("%!{verb}({}={})", arg.go_type(), arg.plain());
        let mut s = match (verb, arg) {
            ('v', a) => match (a, prec) {
                (Arg::Float(f), p) => fmt_g(*f, p),
                _ => a.plain(),
            },
            ('s', Arg::Str(s)) => match prec {
                Some(p) => s.chars().take(p).collect(),
                None => s.clone(),
            },
            ('q', Arg::Str(s)) => format!("{s:?}"),
            ('d', Arg::Int(i)) => i.to_string(),
            ('x', Arg::Int(i)) => format!("{i:x}"),
            ('x', Arg::Str(s)) => s.bytes().map(|b| format!("{b:02x}")).collect(),
            ('f' | 'F', Arg::Float(f)) => fmt_fixed(*f, prec.unwrap_or(6)),
            ('e', Arg::Float(f)) => fmt_exp(*f, prec.unwrap_or(6)),
            ('g', Arg::Float(f)) => fmt_g(*f, prec),
            ('t', Arg::Bool(b)) => b.to_string(),
            _ => bad(),
        };
        if plus && matches!(arg, Arg::Float(_) | Arg::Int(_)) && !s.starts_with(['-', '+']) {
            s.insert(0, '+');
        }
        let width: usize = width.parse().unwrap_or(0);
        let len = s.chars().count();
        if len < width {
            let pad = width - len;
            if minus {
                s.push_str(&" ".repeat(pad));
            } else if zero && matches!(arg, Arg::Float(_) | Arg::Int(_)) {
                let sign = if s.starts_with(['-', '+']) { s.remove(0).to_string() } else { String::new() };
                s = format!("{sign}{}{s}", "0".repeat(pad));
            } else {
                s = format!("{}{s}", " ".repeat(pad));
            }
        }
        out.push_str(&s);
    }
    if next < args.len() {
        let extra: Vec<String> = args[next..].iter().map(|a| format!("{}={}", a.go_type(), a.plain())).collect();
        out.push_str(&format!("%!(EXTRA {})", extra.join(", ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        let cases: &[(f64, Option<usize>, &str)] = &[
            (0.1234, None, "0.1234"),
            (1e6, None, "1e+06"),
            (123456.0, None, "123456"),
            (1234567.0, None, "1.234567e+06"),
            (0.00001, None, "1e-05"),
            (0.0001234, None, "0.0001234"),
            (1e21, None, "1e+21"),
            (0.0, None, "0"),
            (-2.5, None, "-2.5"),
            (123.4, Some(4), "123.4"),
            (1000.0, Some(4), "1000"),
            (12345.0, Some(4), "1.234e+04"),
            (12355.0, Some(4), "1.236e+04"),
            (1.5, Some(4), "1.5"),
            (0.0, Some(4), "0"),
            (120.5625, Some(4), "120.6"),
            (f64::INFINITY, Some(4), "+Inf"),
        ];
        for (v, p, want) in cases {
            assert_eq!(fmt_g(*v, *p), *want, "{v} {p:?}");
        }
    }

    #[test]
    fn sprintf_covers_the_verbs_templates_use() {
        assert_eq!(sprintf("%.2f", &[Arg::Float(0.1234)]), "0.12");
        assert_eq!(sprintf("%d%%", &[Arg::Int(42)]), "42%");
        assert_eq!(sprintf("%s=%v", &[Arg::Str("a".into()), Arg::Float(1e6)]), "a=1e+06");
        assert_eq!(sprintf("%5.1f|%-4s|", &[Arg::Float(4.25831), Arg::Str("ab".into())]), "  4.3|ab  |");
        assert_eq!(sprintf("%d", &[Arg::Float(1.5)]), "%!d(float64=1.5)");
        assert_eq!(sprintf("%s", &[]), "%!s(MISSING)");
        assert_eq!(sprintf("%.3e", &[Arg::Float(12345.678)]), "1.235e+04");
    }
}
