//! Which terminal lines only read: what the past, a cluster replayed to an
//! earlier moment, may run. Anything that could change a cluster, a file,
//! the kubeconfig or start a stream is refused, so looking back never
//! alters what is being looked at nor the session it came from.

use super::line::{lists, redirects, stages};
use super::words::split_words;

/// kubectl commands that only read the cluster.
const KUBECTL: [&str; 12] = [
    "get",
    "describe",
    "logs",
    "top",
    "events",
    "explain",
    "api-resources",
    "api-versions",
    "version",
    "cluster-info",
    "auth",
    "kustomize",
];

/// Text tools and shell words that read their input and print.
const TOOLS: [&str; 15] =
    ["grep", "jq", "head", "tail", "wc", "nl", "sort", "uniq", "cut", "awk", "base64", "cat", "echo", "ls", "help"];

/// Flags that would turn a read into a stream the past cannot feed.
const STREAMS: [&str; 5] = ["-w", "--watch", "--watch-only", "-f", "--follow"];

/// `Ok` when every command of `line` only reads; otherwise the first
/// command that would not, as the terminal names it.
pub fn read_only(line: &str) -> Result<(), String> {
    if line.contains("$(") || line.contains('`') {
        return Err("$(…)".into());
    }
    for (_, pipeline) in lists(line) {
        for stage in stages(&pipeline) {
            let (command, to) = redirects(&stage);
            if to.stdout.is_some() || to.stderr.is_some() {
                return Err(stage.trim().to_string());
            }
            let words = split_words(&command).map_err(|_| stage.trim().to_string())?;
            if !stage_reads(&words) {
                return Err(words.join(" "));
            }
        }
    }
    Ok(())
}

fn stage_reads(words: &[String]) -> bool {
    let Some(first) = words.first() else { return true };
    match first.as_str() {
        "kubectl" | "k" => {
            // The first word that is not a flag is the command; flags
            // before it (`-n ns`) take values, which are never commands
            // on the list but could be mistaken for one, so skip them too.
            let mut rest = words[1..].iter().map(String::as_str);
            let mut command = None;
            while let Some(word) = rest.next() {
                if word.starts_with('-') {
                    if !word.contains('=') && matches!(word, "-n" | "--namespace" | "--context" | "--cluster") {
                        rest.next();
                    }
                    continue;
                }
                command = Some(word);
                break;
            }
            let Some(command) = command else { return true };
            let streams = words.iter().any(|w| STREAMS.contains(&w.as_str()) || w.starts_with("--watch="));
            match command {
                // `logs -f` follows; `get -f FILE` only reads a file's names.
                "logs" => !streams,
                "get" | "events" => !words.iter().any(|w| matches!(w.as_str(), "-w" | "--watch" | "--watch-only")),
                "auth" => words.iter().any(|w| w == "can-i" || w == "whoami"),
                "config" => words.iter().any(|w| matches!(w.as_str(), "view" | "get-contexts" | "current-context")),
                c => KUBECTL.contains(&c) || c == "help",
            }
        }
        tool => TOOLS.contains(&tool),
    }
}

#[cfg(test)]
mod tests {
    use super::read_only;

    #[test]
    fn reads_pass_and_changes_are_named() {
        let cases: &[(&str, Result<(), &str>)] = &[
            ("kubectl get pods -o wide", Ok(())),
            ("k get po -A | grep web | wc -l", Ok(())),
            ("kubectl -n kube-system get pods", Ok(())),
            ("kubectl describe pod web-1 && kubectl logs web-1 --tail 5", Ok(())),
            ("kubectl get -f web.yaml", Ok(())),
            ("kubectl top nodes; kubectl events -A", Ok(())),
            ("kubectl auth can-i delete pods", Ok(())),
            ("kubectl config view", Ok(())),
            ("kubectl explain pod.spec", Ok(())),
            ("", Ok(())),
            ("kubectl delete pod web-1", Err("kubectl delete pod web-1")),
            ("kubectl -n delete get pods", Ok(())),
            ("kubectl get pods && kubectl scale deploy web --replicas=3", Err("kubectl scale deploy web --replicas=3")),
            ("kubectl get pods -w", Err("kubectl get pods -w")),
            ("kubectl logs -f web-1", Err("kubectl logs -f web-1")),
            ("kubectl get pods > pods.txt", Err("kubectl get pods > pods.txt")),
            ("echo $(kubectl delete pod x)", Err("$(…)")),
            ("sleep 30", Err("sleep 30")),
            ("fault kubelet stop w1", Err("fault kubelet stop w1")),
            ("kubectl config use-context other", Err("kubectl config use-context other")),
            ("kubectl apply -f web.yaml", Err("kubectl apply -f web.yaml")),
            ("X=1", Err("X=1")),
            ("kubectl get pods 'unclosed", Err("kubectl get pods 'unclosed")),
        ];
        for (line, want) in cases {
            assert_eq!(read_only(line), want.map_err(String::from), "{line}");
        }
    }
}
