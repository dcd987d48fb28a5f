//! Splits a command line into words the way a POSIX shell does for simple
//! commands: whitespace separates, single quotes keep everything, double
//! quotes keep everything but `\"` and `\\`, a backslash escapes one character.

/// The words of `line`, or the shell's complaint about an unclosed quote.
pub fn split_words(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(ch) => word.push(ch),
                        None => return Err(unclosed('\'')),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(ch @ ('"' | '\\' | '$' | '`')) => word.push(ch),
                            Some(ch) => {
                                word.push('\\');
                                word.push(ch);
                            }
                            None => return Err(unclosed('"')),
                        },
                        Some(ch) => word.push(ch),
                        None => return Err(unclosed('"')),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(ch) = chars.next() {
                    word.push(ch);
                }
            }
            _ => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

fn unclosed(quote: char) -> String {
    format!("bash: unexpected EOF while looking for matching `{quote}'")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        let cases: &[(&str, &[&str])] = &[
            ("kubectl get pods", &["kubectl", "get", "pods"]),
            ("  a   b  ", &["a", "b"]),
            ("echo 'a b' \"c d\"", &["echo", "a b", "c d"]),
            ("sh -c \"echo \\\"hi\\\"\"", &["sh", "-c", "echo \"hi\""]),
            ("a\\ b", &["a b"]),
            ("''", &[""]),
            ("--jsonpath='{.items[*].metadata.name}'", &["--jsonpath={.items[*].metadata.name}"]),
        ];
        for (line, want) in cases {
            let want: Vec<String> = want.iter().map(|w| w.to_string()).collect();
            assert_eq!(split_words(line), Ok(want), "{line}");
        }
        assert!(split_words("echo 'oops").is_err());
    }
}
