//! The past: a session's cluster as it was at an earlier simulated time.
//!
//! The engine is deterministic, so the cluster at time T is the session's
//! journal replayed on a fresh cluster of its preset and seed (or its
//! lesson's step opened directly) up to T: every input played while the
//! clock is at or before T, the clock step that crosses T cut at T. A line
//! that lets time pass itself (`sleep`, a lesson's wait) is played whole,
//! as the live session played it.
//!
//! Scrubbing moves back and forth, so a [`Rewind`] keeps the start and the
//! last cluster it replayed: a later time steps on from that one, an
//! earlier time starts again from a copy of the start (never rebuilding
//! the preset or the lesson's earlier steps).

use crate::cluster::Output;
use crate::files::MemFiles;
use crate::journal::{Input, LessonAt};
use crate::scenario::lesson::{library, LessonRun};
use crate::shell::Shell;
use crate::Cluster;

/// A terminal on a cluster, free play's or a lesson's.
#[derive(Clone, Debug)]
pub enum Player {
    /// Free play's terminal.
    Free(Box<Shell>),
    /// A lesson's run, with its terminal.
    Lesson(Box<LessonRun>),
}

impl Player {
    /// The terminal.
    pub fn shell(&self) -> &Shell {
        match self {
            Player::Free(shell) => shell,
            Player::Lesson(run) => run.shell(),
        }
    }

    /// The terminal, to change.
    pub fn shell_mut(&mut self) -> &mut Shell {
        match self {
            Player::Free(shell) => shell,
            Player::Lesson(run) => run.shell_mut(),
        }
    }

    /// Plays one input as the page does: what it printed (exit code 1 for a
    /// lesson's input in free play, a last step's Next, a wrong answer, an
    /// interrupt with nothing running, a dashboard not there to delete),
    /// and for a lesson's Solve what each solution line printed.
    pub fn play(&mut self, input: &Input, files: &MemFiles) -> (Output, Vec<Output>) {
        let failed = |stderr: String| Output { exit_code: 1, stderr, ..Output::default() };
        let out = match input {
            Input::Run(line) => self.shell_mut().run(line, files),
            Input::Apply(manifest) => {
                // Kept as `editor.yaml` so the terminal can `kubectl apply -f editor.yaml` too.
                files.insert("editor.yaml", manifest);
                self.shell_mut().cluster_mut().apply(manifest)
            }
            Input::Edit(text) => self.shell_mut().finish_edit(text.as_deref(), files),
            Input::Interrupt => {
                let stopped = self.shell_mut().interrupt();
                Output { exit_code: i32::from(!stopped), ..Output::default() }
            }
            Input::Step(ms) => {
                self.shell_mut().step(*ms);
                Output::default()
            }
            Input::SaveDashboard(json) => match self.shell_mut().cluster_mut().save_dashboard(json) {
                Ok(uid) => Output::ok(uid),
                Err(e) => Output::err(e),
            },
            Input::DeleteDashboard(uid) => {
                let deleted = self.shell_mut().cluster_mut().delete_dashboard(uid);
                Output { exit_code: i32::from(!deleted), ..Output::default() }
            }
            Input::Next | Input::Solve | Input::Answer(_) => {
                let Player::Lesson(run) = self else { return (failed(String::new()), Vec::new()) };
                match input {
                    Input::Next => match run.next(files) {
                        Ok(true) => Output::default(),
                        Ok(false) => failed(String::new()),
                        Err(e) => failed(format!("{e}\n")),
                    },
                    Input::Solve => return (Output::default(), run.solve(files)),
                    Input::Answer(choice) if run.answer(*choice) => Output::default(),
                    _ => failed(String::new()),
                }
            }
        };
        (out, Vec::new())
    }
}

/// How far into the journal the replayed cluster is: the next input, and
/// how much of it (a clock step) has already been played.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Cursor {
    index: usize,
    stepped: i64,
}

/// A session's past, replayed on demand.
#[derive(Clone, Debug)]
pub struct Rewind {
    start: Player,
    start_files: MemFiles,
    past: Player,
    files: MemFiles,
    cursor: Cursor,
}

impl Rewind {
    /// The past of a session that began on `preset` with `seed`, or at a
    /// lesson's step opened directly.
    pub fn new(preset: &str, seed: u64, lesson: Option<&LessonAt>) -> Result<Rewind, String> {
        let (start, files) = match lesson {
            None => (Player::Free(Box::new(Shell::new(Cluster::new(preset, seed)?))), MemFiles::default()),
            Some(at) => {
                let files = library::folder(&at.id);
                let run = LessonRun::at(library::load(&at.id)?, at.step, &files)?;
                (Player::Lesson(Box::new(run)), files)
            }
        };
        let mut start = start;
        // The page's terminal has an editor for `kubectl edit`; the journal
        // holds the editor's answer as its own input.
        start.shell_mut().attach_editor();
        Ok(Rewind { past: start.clone(), files: files.clone(), start, start_files: files, cursor: Cursor::default() })
    }

    /// The simulated time (ms) the session starts at.
    pub fn start_ms(&self) -> i64 {
        self.start.shell().cluster().now().0
    }

    /// The replayed terminal, at the time last sought.
    pub fn shell(&self) -> &Shell {
        self.past.shell()
    }

    /// The files the replayed terminal reads (the lesson's, the editor's).
    pub fn files(&self) -> &MemFiles {
        &self.files
    }

    /// Replays `journal` up to `ms` simulated milliseconds. Any `ms` is
    /// fine: before the start gives the start, after the journal's end its
    /// end. `journal` must be the one earlier calls were given, or that one
    /// with inputs added (a clock step may have grown): anything else is a
    /// different session, which needs a new `Rewind`.
    pub fn seek(&mut self, journal: &[Input], ms: i64) -> &Shell {
        let stale = match journal.get(self.cursor.index) {
            Some(Input::Step(total)) => self.cursor.stepped > *total,
            Some(_) => self.cursor.stepped != 0,
            None => self.cursor.index > journal.len(),
        };
        if stale || ms < self.now() {
            self.past = self.start.clone();
            self.files = self.start_files.clone();
            self.cursor = Cursor::default();
        }
        while let Some(input) = journal.get(self.cursor.index) {
            let now = self.now();
            if let Input::Step(total) = input {
                let left = total - self.cursor.stepped;
                let room = ms.saturating_sub(now);
                if left > 0 && room <= 0 {
                    break;
                }
                let dt = left.min(room).max(0);
                if dt > 0 {
                    self.past.shell_mut().step(dt);
                }
                self.cursor.stepped += dt;
                if self.cursor.stepped < *total {
                    break;
                }
            } else {
                if now > ms {
                    break;
                }
                drop(self.past.play(input, &self.files));
            }
            self.cursor = Cursor { index: self.cursor.index + 1, stepped: 0 };
        }
        self.past.shell()
    }

    /// Runs a line on a copy of the replayed terminal when it only reads
    /// (`read_only`), so the past stays exactly as it was; otherwise the
    /// command that would change something.
    pub fn run(&self, line: &str) -> Result<Output, String> {
        crate::shell::read_only(line)?;
        let mut shell = self.past.shell().clone();
        Ok(shell.run(line, &self.files))
    }

    fn now(&self) -> i64 {
        self.past.shell().cluster().now().0
    }
}
