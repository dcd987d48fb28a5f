//! Every lesson in `lessons/` played natively, as the issue asks: each
//! step's checks fail before its solution and pass after it, a teacher can
//! open any step directly, and every text exists in both languages.

use engine::lesson::{library, Lesson, LessonRun};
use engine::MemFiles;

/// The built-in lessons, in order; `LESSON=NN-slug` plays one. These are
/// the files the browser ships (`engine/build.rs`), not a second copy.
fn lesson_ids() -> Vec<&'static str> {
    let only = std::env::var("LESSON").ok();
    let mut ids = library::ids();
    ids.retain(|id| only.as_deref().is_none_or(|o| o == *id));
    ids
}

fn load(id: &str) -> (Lesson, MemFiles) {
    let lesson = library::load(id).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(lesson.id, id, "a lesson's id is its folder's name");
    // The runner reads manifests relative to the lesson's folder.
    (lesson, library::folder(id))
}

fn failing(run: &LessonRun) -> Vec<String> {
    run.check().into_iter().filter(|v| !v.passed).map(|v| v.message.en).collect()
}

#[test]
fn every_lesson_plays_from_start_to_end() {
    let ids = lesson_ids();
    assert!(!ids.is_empty(), "no lessons built in");
    for id in ids {
        let (lesson, files) = load(id);
        let mut run = LessonRun::start(lesson.clone(), &files).unwrap_or_else(|e| panic!("{id}: {e}"));
        loop {
            let step = run.lesson().steps[run.index()].clone();
            let at = format!("{id} step {} ({})", run.index() + 1, step.id);
            let before = run.check();
            for (check, verdict) in step.checks.iter().zip(&before) {
                match check.guard {
                    false => assert!(!verdict.passed, "{at}: check holds before the solution: {:?}", check.condition),
                    true => assert!(verdict.passed, "{at}: guard fails before the solution: {:?}", check.condition),
                }
            }
            assert!(!run.done(), "{at}: done before the solution");
            for out in run.solve(&files) {
                assert_eq!(out.exit_code, 0, "{at}: a solution line failed: {}", out.stderr);
            }
            assert_eq!(failing(&run), Vec::<String>::new(), "{at}: checks still failing after the solution");
            assert!(run.done(), "{at}: not done after the solution");
            if !run.next(&files).unwrap_or_else(|e| panic!("{at}: next step: {e}")) {
                break;
            }
        }
    }
}

#[test]
fn a_teacher_can_open_every_step_directly_and_reset_it() {
    for id in lesson_ids() {
        let (lesson, files) = load(id);
        for index in 0..lesson.steps.len() {
            let at = format!("{id} step {}", index + 1);
            let mut run = LessonRun::at(lesson.clone(), index, &files).unwrap_or_else(|e| panic!("{at}: {e}"));
            assert_eq!(run.index(), index);
            run.solve(&files);
            assert!(run.done(), "{at}: opened directly, the solution does not finish it: {:?}", failing(&run));
            run.reset_step(&files).unwrap_or_else(|e| panic!("{at}: reset: {e}"));
            assert!(!run.done(), "{at}: still done after a reset");
        }
    }
}

#[test]
fn every_step_has_hints_and_a_solution() {
    for id in lesson_ids() {
        let (lesson, _) = load(id);
        for step in &lesson.steps {
            let at = format!("{id} {}", step.id);
            assert!(!step.hints.is_empty() || step.quiz.is_some(), "{at}: no hint");
            assert!(!step.solution.is_empty() || step.quiz.is_some(), "{at}: no solution");
            let page = &lesson.pages[&step.id];
            assert!(page.en.trim().len() > 80 && page.ko.trim().len() > 40, "{at}: its page is too short to teach");
        }
    }
}

#[test]
fn bad_lesson_files_are_refused_with_where_and_why() {
    let cases = [
        ("id: x\ntitle: {en: a, ko: b}\nsummary: {en: a, ko: b}\nsteps: []\n", "a lesson needs at least one step"),
        (
            "id: x\ntitle: {en: a, ko: b}\nsummary: {en: a, ko: b}\nsteps:\n- id: s\n  title: {en: a, ko: b}\n  checks:\n  - ran: kubectl\n    message: {en: a, ko: ''}\n",
            "steps[s].checks.message: needs both en and ko text",
        ),
        (
            "id: x\ntitle: {en: a, ko: b}\nsummary: {en: a, ko: b}\nsteps:\n- id: s\n  title: {en: a, ko: b}\n  solution:\n  - wait: soon\n  checks:\n  - ran: kubectl\n    message: {en: a, ko: b}\n",
            "steps[s]: wait: \"soon\" is not a duration such as 30s or 5m",
        ),
        (
            "id: x\ntitle: {en: a, ko: b}\nsummary: {en: a, ko: b}\nsteps:\n- id: s\n  title: {en: a, ko: b}\n",
            "steps[s]: a step needs a check or a quiz",
        ),
        (
            "id: x\ntitle: {en: a, ko: b}\nsummary: {en: a, ko: b}\nsteps:\n- id: s\n  titel: {en: a, ko: b}\n",
            "steps[0]: unknown field `titel`",
        ),
        (
            "id: x\ntitle: {en: a, ko: b}\nsummary: {en: a, ko: b}\nsteps:\n- id: s\n  title: {en: a, ko: b}\n  picture: graph\n  checks:\n  - ran: kubectl\n    message: {en: a, ko: b}\n",
            "steps[s].picture: \"graph\" is not one of map, explainer, timeline, services, objects, events, dashboards, dashboards/UID",
        ),
    ];
    for (yaml, want) in cases {
        let err = Lesson::parse(yaml).err().unwrap_or_default();
        assert!(err.contains(want), "{yaml}\nwanted an error containing {want:?}, got {err:?}");
    }
}
