//! Playing a lesson: a shell on the lesson's cluster, the open step, and
//! what the learner has typed since it opened.

use super::check::holds;
use super::format::{Action, Lesson, Text};
use crate::cluster::{Cluster, Output};
use crate::files::Files;
use crate::shell::Shell;

/// One check's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether it holds.
    pub passed: bool,
    /// What to tell the learner while it does not.
    pub message: Text,
}

/// A lesson being played.
#[derive(Clone, Debug)]
pub struct LessonRun {
    lesson: Lesson,
    shell: Shell,
    step: usize,
    /// Where the open step's typing starts in the shell's history.
    typed_from: usize,
    /// Whether the open step's quiz has been answered right.
    answered: bool,
}

impl LessonRun {
    /// Starts `lesson` at its first step on a fresh cluster. `files` holds
    /// what its lines read (`kubectl apply -f web.yaml`).
    pub fn start(lesson: Lesson, files: &dyn Files) -> Result<LessonRun, String> {
        LessonRun::at(lesson, 0, files)
    }

    /// Opens step `index` directly, as a teacher does: a fresh cluster, the
    /// lesson's setup, each earlier step's setup and solution, then this
    /// step's setup. The cluster is deterministic, so this is the state a
    /// learner who solved the earlier steps would have.
    pub fn at(lesson: Lesson, index: usize, files: &dyn Files) -> Result<LessonRun, String> {
        if index >= lesson.steps.len() {
            return Err(format!("{}: no step {}", lesson.id, index + 1));
        }
        let cluster = Cluster::new(&lesson.preset, lesson.seed)?;
        let mut run = LessonRun { shell: Shell::new(cluster), lesson, step: 0, typed_from: 0, answered: false };
        run.perform(&run.lesson.setup.clone(), files).map_err(|e| format!("setup: {e}"))?;
        for i in 0..index {
            let step = &run.lesson.steps[i];
            let at = step.id.clone();
            let actions: Vec<Action> = step.setup.iter().chain(&step.solution).cloned().collect();
            run.perform(&actions, files).map_err(|e| format!("{at}: {e}"))?;
        }
        run.open(index, files)?;
        Ok(run)
    }

    /// Opens step `index` of this run's lesson again from scratch.
    pub fn reset_step(&mut self, files: &dyn Files) -> Result<(), String> {
        *self = LessonRun::at(self.lesson.clone(), self.step, files)?;
        Ok(())
    }

    fn open(&mut self, index: usize, files: &dyn Files) -> Result<(), String> {
        self.step = index;
        self.answered = false;
        let setup = self.lesson.steps[index].setup.clone();
        let at = self.lesson.steps[index].id.clone();
        self.perform(&setup, files).map_err(|e| format!("{at}: {e}"))?;
        self.typed_from = self.shell.history().len();
        Ok(())
    }

    /// Runs actions, failing on the first line that fails.
    fn perform(&mut self, actions: &[Action], files: &dyn Files) -> Result<(), String> {
        for action in actions {
            let out = self.act(action, files)?;
            if let Some(out) = out.filter(|o| o.exit_code != 0) {
                return Err(format!("`{}` failed: {}", action.describe(), out.stderr.trim_end()));
            }
        }
        Ok(())
    }

    /// Does one action: what a terminal line printed, `None` for a wait.
    fn act(&mut self, action: &Action, files: &dyn Files) -> Result<Option<Output>, String> {
        match action {
            Action::Run(line) => Ok(Some(self.shell.run(line, files))),
            Action::Wait(duration) => {
                let ms = crate::time::parse_duration(duration).ok_or_else(|| format!("bad wait {duration:?}"))?;
                self.shell.step(ms);
                Ok(None)
            }
            Action::Dashboard(path) => Ok(Some(match files.read(path) {
                Some(crate::files::Entry::File(json)) => match self.shell.cluster_mut().save_dashboard(&json) {
                    Ok(uid) => Output::ok(format!("dashboard {uid} saved\n")),
                    Err(e) => Output::err(format!("{path}: {e}\n")),
                },
                _ => Output::err(format!("{path}: no such file\n")),
            })),
        }
    }

    /// The lesson.
    pub fn lesson(&self) -> &Lesson {
        &self.lesson
    }

    /// The open step, counted from 0.
    pub fn index(&self) -> usize {
        self.step
    }

    /// The terminal of the lesson's cluster.
    pub fn shell(&self) -> &Shell {
        &self.shell
    }

    /// The terminal, to type into.
    pub fn shell_mut(&mut self) -> &mut Shell {
        &mut self.shell
    }

    /// Every check of the open step, in order.
    pub fn check(&self) -> Vec<Verdict> {
        let typed = &self.shell.history()[self.typed_from.min(self.shell.history().len())..];
        self.lesson.steps[self.step]
            .checks
            .iter()
            .map(|c| Verdict { passed: holds(&c.condition, self.shell.cluster(), typed), message: c.message.clone() })
            .collect()
    }

    /// Whether the open step is done: every check holds and its quiz, if
    /// any, has been answered right.
    pub fn done(&self) -> bool {
        self.check().iter().all(|v| v.passed) && (self.answered || self.lesson.steps[self.step].quiz.is_none())
    }

    /// Whether the open step's quiz has been answered right.
    pub fn answered(&self) -> bool {
        self.answered
    }

    /// Answers the open step's quiz with choice `choice` (from 0): whether
    /// it is right.
    pub fn answer(&mut self, choice: usize) -> bool {
        let right = self.lesson.steps[self.step].quiz.as_ref().is_some_and(|q| q.answer == choice);
        self.answered |= right;
        right
    }

    /// Does what the open step's solution says, as if typed, answering its
    /// quiz too. What each line printed, in order.
    pub fn solve(&mut self, files: &dyn Files) -> Vec<Output> {
        let step = &self.lesson.steps[self.step];
        if let Some(quiz) = &step.quiz {
            self.answered = quiz.answer < quiz.choices.len();
        }
        // A solution runs to its end, as a learner typing it would.
        step.solution.clone().iter().filter_map(|a| self.act(a, files).ok().flatten()).collect()
    }

    /// Moves to the next step, running its setup; false on the last step.
    pub fn next(&mut self, files: &dyn Files) -> Result<bool, String> {
        if self.step + 1 >= self.lesson.steps.len() {
            return Ok(false);
        }
        self.open(self.step + 1, files)?;
        Ok(true)
    }
}
