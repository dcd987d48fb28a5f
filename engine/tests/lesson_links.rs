//! The links of the built-in lessons: every deep link (`#/lessons/ID/N`)
//! in a page opens a lesson and step that exist, every relative link
//! resolves to a lesson file, and every manifest a lesson runs or tells
//! the learner to apply (`-f web.yaml`, `-k overlays/dev`) is in its folder
//! or written by an earlier line of the lesson, and every dashboard a step's
//! picture opens exists.

use engine::lesson::{library, Action, Lesson};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::Path;

/// Steps per lesson id.
type Catalogue = BTreeMap<String, usize>;

fn catalogue() -> Catalogue {
    library::ids().into_iter().map(|id| (id.to_string(), library::load(id).map_or(0, |l| l.steps.len()))).collect()
}

/// Whether the built-in table holds `path` (under `lessons/`), as a file or
/// as a folder.
fn exists(path: &str) -> bool {
    library::files().iter().any(|(p, _)| *p == path || p.starts_with(&format!("{path}/")))
}

/// Resolves `target` against the folder `base` (both under `lessons/`),
/// `..` and `.` included; `None` when it climbs out of `lessons/`.
fn resolve(base: &str, target: &str) -> Option<String> {
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// What is wrong with the links of one page, `lesson/steps/page.md`.
fn page_problems(lesson: &str, page: &str, text: &str, catalogue: &Catalogue) -> Vec<String> {
    let links = Regex::new(r"\]\(([^)\s]+)\)").unwrap_or_else(|e| panic!("{e}"));
    let deep = Regex::new(r"^#/lessons/([^/]+)(?:/(\d+))?$").unwrap_or_else(|e| panic!("{e}"));
    let mut problems = Vec::new();
    for link in links.captures_iter(text).map(|c| c[1].to_string()) {
        let at = format!("{lesson}/{page}: link {link}");
        if link.starts_with("http://") || link.starts_with("https://") {
            continue;
        }
        if let Some(rest) = link.strip_prefix('#') {
            let Some(m) = deep.captures(&link) else {
                problems.push(format!("{at}: not a deep link (#/lessons/ID or #/lessons/ID/STEP); saw #{rest}"));
                continue;
            };
            match (catalogue.get(&m[1]), m.get(2).map(|n| n.as_str().parse::<usize>().unwrap_or(0))) {
                (None, _) => problems.push(format!("{at}: no lesson {}", &m[1])),
                (Some(&steps), Some(n)) if n == 0 || n > steps => {
                    problems.push(format!("{at}: {} has steps 1 to {steps}", &m[1]))
                }
                _ => {}
            }
            continue;
        }
        let folder = Path::new(page).parent().map(|p| format!("{lesson}/{}", p.display())).unwrap_or(lesson.into());
        let path = link.split('#').next().unwrap_or_default();
        match resolve(&folder, path) {
            Some(p) if exists(&p) => {}
            _ => problems.push(format!("{at}: no such file in the lessons")),
        }
    }
    problems
}

/// The manifests a command line reads: `-f NAME.yaml`, `--filename=…`,
/// `-k DIR`. Placeholders in capitals (`-f FILE`) and stdin are not files.
fn manifests(line: &str) -> Vec<(bool, String)> {
    let flags = Regex::new(r"(?:^|\s)(-f|--filename[= ]|-k|--kustomize[= ])\s*([a-z0-9][\w./-]*)")
        .unwrap_or_else(|e| panic!("{e}"));
    let commands = Regex::new(r"\b(kubectl|k|promtool)\s").unwrap_or_else(|e| panic!("{e}"));
    if !commands.is_match(line) {
        return Vec::new();
    }
    flags
        .captures_iter(line)
        .map(|c| (c[1].starts_with("-k") || c[1].starts_with("--k"), c[2].trim_end_matches(['.', ',']).to_string()))
        .filter(|(kustomize, name)| {
            *kustomize || name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json")
        })
        .collect()
}

/// Files a line writes for later lines to read (`> scratch.yaml`).
fn written(line: &str) -> Vec<String> {
    let redirect = Regex::new(r">>?\s*([\w./-]+)").unwrap_or_else(|e| panic!("{e}"));
    redirect.captures_iter(line).map(|c| c[1].to_string()).collect()
}

/// The command lines of a page: code blocks and inline code.
fn code_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            lines.push(line.trim().to_string());
        } else {
            lines.extend(line.split('`').skip(1).step_by(2).map(String::from));
        }
    }
    lines
}

fn manifest_problems(lesson: &Lesson) -> Vec<String> {
    let id = &lesson.id;
    let mut lines: Vec<(String, String)> = Vec::new();
    let actions = |at: &str, list: &[Action]| -> Vec<(String, String)> {
        list.iter()
            .filter_map(|a| match a {
                Action::Run(line) => Some((at.to_string(), line.clone())),
                Action::Wait(_) | Action::Dashboard(_) => None,
            })
            .collect()
    };
    let mut problems = Vec::new();
    // A dashboard action saves a JSON file of the lesson's folder.
    let steps = || lesson.steps.iter().flat_map(|s| s.setup.iter().chain(&s.solution).map(move |a| (s.id.as_str(), a)));
    for (at, action) in lesson.setup.iter().map(|a| ("setup", a)).chain(steps()) {
        if let Action::Dashboard(file) = action {
            if !exists(&format!("{id}/{file}")) {
                problems.push(format!("{id} {at}: `dashboard {file}` reads {file}, which the lesson does not have"));
            }
        }
    }
    // A step's dashboard picture opens one the lab has or the lesson saves.
    let mut uids: Vec<String> = engine::dashboards::builtin::all().into_iter().map(|d| d.uid).collect();
    for (_, action) in lesson.setup.iter().map(|a| ("setup", a)).chain(steps()) {
        if let Action::Dashboard(file) = action {
            let path = format!("{id}/{file}");
            let text = library::files().iter().find(|(p, _)| *p == path).map(|(_, t)| *t).unwrap_or_default();
            uids.extend(engine::dashboards::Dashboard::import(text).map(|d| d.uid));
        }
    }
    for step in &lesson.steps {
        let uid = step.picture.as_deref().and_then(|p| p.strip_prefix("dashboards/"));
        if let Some(uid) = uid.filter(|uid| !uids.iter().any(|u| u == uid)) {
            problems.push(format!("{id} {}: the picture opens dashboard {uid}, which no dashboard has", step.id));
        }
    }
    lines.extend(actions("setup", &lesson.setup));
    for step in &lesson.steps {
        for lang in ["en", "ko"] {
            let page = lesson.pages.get(&step.id).map(|p| p.get(lang)).unwrap_or_default();
            let at = format!("steps/{}.{lang}.md", step.id);
            lines.extend(code_lines(page).into_iter().map(|l| (at.clone(), l)));
        }
        lines.extend(actions(&step.id, &step.setup));
        lines.extend(actions(&step.id, &step.solution));
    }
    let mut made = Vec::new();
    for (at, line) in lines {
        for (kustomize, name) in manifests(&line) {
            let path = format!("{id}/{}", name.trim_start_matches("./").trim_end_matches('/'));
            let found = match kustomize {
                true => exists(&format!("{path}/kustomization.yaml")),
                false => exists(&path),
            };
            if !found && !made.contains(&name) {
                problems.push(format!("{id} {at}: `{line}` reads {name}, which the lesson does not have"));
            }
        }
        made.extend(written(&line));
    }
    problems
}

#[test]
fn every_deep_link_and_relative_link_resolves() {
    let catalogue = catalogue();
    let mut problems = Vec::new();
    for id in library::ids() {
        let lesson = library::load(id).unwrap_or_else(|e| panic!("{e}"));
        for (step, page) in &lesson.pages {
            for lang in ["en", "ko"] {
                problems.extend(page_problems(id, &format!("steps/{step}.{lang}.md"), page.get(lang), &catalogue));
            }
        }
    }
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn every_manifest_a_lesson_names_exists() {
    let mut problems = Vec::new();
    for id in library::ids() {
        problems.extend(manifest_problems(&library::load(id).unwrap_or_else(|e| panic!("{e}"))));
    }
    assert_eq!(problems, Vec::<String>::new());
}

#[test]
fn the_built_in_lessons_are_the_folders_on_disk() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../lessons");
    let mut on_disk: Vec<String> = std::fs::read_dir(&root)
        .map(|entries| entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).collect())
        .unwrap_or_default();
    on_disk.retain(|id| root.join(id).join("lesson.yaml").is_file());
    on_disk.sort();
    assert_eq!(library::ids(), on_disk);
    for (path, text) in library::files() {
        let disk = std::fs::read_to_string(root.join(path)).unwrap_or_default();
        assert_eq!(*text, disk, "{path}: the built-in copy differs from the file");
    }
}

/// The checker itself: a broken link of each sort is caught.
#[test]
fn broken_links_are_caught() {
    let catalogue: Catalogue = [("01-the-lab".to_string(), 6), ("12-services".to_string(), 5)].into();
    let cases: [(&str, &[&str]); 7] = [
        ("see [services](#/lessons/12-services/3)", &[]),
        ("see [services](#/lessons/12-services)", &[]),
        ("see [the web](https://kubernetes.io/docs/)", &[]),
        ("see [services](#/lessons/12-services/6)", &["01-the-lab/steps/nodes.en.md: link #/lessons/12-services/6: 12-services has steps 1 to 5"]),
        ("see [nothing](#/lessons/99-nothing/1)", &["01-the-lab/steps/nodes.en.md: link #/lessons/99-nothing/1: no lesson 99-nothing"]),
        ("see [step 0](#/lessons/01-the-lab/0) and [odd](#top)", &[
            "01-the-lab/steps/nodes.en.md: link #/lessons/01-the-lab/0: 01-the-lab has steps 1 to 6",
            "01-the-lab/steps/nodes.en.md: link #top: not a deep link (#/lessons/ID or #/lessons/ID/STEP); saw #top",
        ]),
        ("see [the page](control-plane.ko.md) and [gone](../gone.yaml)", &[
            "01-the-lab/steps/nodes.en.md: link ../gone.yaml: no such file in the lessons",
        ]),
    ];
    for (text, want) in cases {
        assert_eq!(page_problems("01-the-lab", "steps/nodes.en.md", text, &catalogue), *want, "{text}");
    }
    let lines = [
        ("kubectl apply -f web.yaml", vec![(false, "web.yaml".to_string())]),
        ("k apply -k overlays/dev", vec![(true, "overlays/dev".into())]),
        ("kubectl apply -f FILE", vec![]),
        ("kubectl apply -f -", vec![]),
        ("kubectl get pods -l app=web", vec![]),
        ("kubectl port-forward svc/web 8080:80", vec![]),
    ];
    for (line, want) in lines {
        assert_eq!(manifests(line), want, "{line}");
    }
    // In a lesson: a file the folder lacks is reported, one an earlier line
    // wrote is not.
    let yaml = [
        "id: 03-pods",
        "title: {en: a, ko: b}",
        "summary: {en: a, ko: b}",
        "setup:",
        "- run: kubectl apply -f pod.yaml",
        "steps:",
        "- id: s",
        "  title: {en: a, ko: b}",
        "  checks:",
        "  - ran: kubectl",
        "    message: {en: a, ko: b}",
        "  solution:",
        "  - run: kubectl get pod web -o yaml > copy.yaml",
        "  - run: kubectl apply -f copy.yaml",
        "  - run: kubectl apply -f missing.yaml",
    ]
    .join("\n");
    let lesson = Lesson::parse(&yaml).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        manifest_problems(&lesson),
        ["03-pods s: `kubectl apply -f missing.yaml` reads missing.yaml, which the lesson does not have"]
    );
}
