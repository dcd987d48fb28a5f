//! The past: a session's cluster as it was at an earlier simulated time.
//!
//! The engine is deterministic, so the cluster at time T is the session's
//! journal replayed on a fresh cluster of its preset and seed (or its
//! lesson's step opened directly) up to T: every input played while the
//! clock is at or before T, the clock step that crosses T cut at T. A line
//! that lets time pass itself (`sleep`, a lesson's wait) is played whole,
//! as the live session played it.
//!
//! Scrubbing moves back and forth, so a [`Rewind`] keeps the start, the
//! last cluster it replayed, and checkpoints: copies of the replayed
//! cluster taken every [`CHECKPOINT_MS`] of simulated time on the way. Any
//! time steps on from whichever is latest before it, the last cluster or a
//! checkpoint, so moving the slider anywhere already visited costs at most
//! one checkpoint's interval of replay, not the whole session. Their
//! number is bounded, by [`MAX_CHECKPOINTS`] and by the cluster's size
//! ([`CHECKPOINT_OBJECTS`]): when full, every other one goes and the
//! interval doubles.

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

impl Cursor {
    /// Whether the replay can go on from here in `journal`: the journal
    /// only grows (its last clock step may lengthen), so this fails only
    /// for a different journal.
    fn fits(self, journal: &[Input]) -> bool {
        match journal.get(self.index) {
            Some(Input::Step(total)) => self.stepped <= *total,
            Some(_) => self.stepped == 0,
            None => self.index <= journal.len() && self.stepped == 0,
        }
    }
}

/// Simulated time between checkpoints, at first.
pub const CHECKPOINT_MS: i64 = 60_000;

/// The most checkpoints a [`Rewind`] keeps.
pub const MAX_CHECKPOINTS: usize = 16;

/// Fewer checkpoints for a bigger cluster: about this many API objects in
/// all the copies together, and never fewer than two. A lab cluster keeps
/// all sixteen; the `large` preset (5,000 nodes, some 25,000 objects, a
/// hundred MiB a copy) two.
pub const CHECKPOINT_OBJECTS: usize = 40_000;

/// The replayed terminal at one point of the journal.
#[derive(Clone, Debug)]
struct Checkpoint {
    past: Player,
    files: MemFiles,
    cursor: Cursor,
}

impl Checkpoint {
    fn now(&self) -> i64 {
        self.past.shell().cluster().now().0
    }
}

/// A session's past, replayed on demand.
#[derive(Clone, Debug)]
pub struct Rewind {
    start: Checkpoint,
    past: Checkpoint,
    /// In journal order, the start not among them.
    checkpoints: Vec<Checkpoint>,
    every_ms: i64,
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
        let start = Checkpoint { past: start, files, cursor: Cursor::default() };
        Ok(Rewind { past: start.clone(), start, checkpoints: Vec::new(), every_ms: CHECKPOINT_MS })
    }

    /// The simulated time (ms) the session starts at.
    pub fn start_ms(&self) -> i64 {
        self.start.now()
    }

    /// The replayed terminal, at the time last sought.
    pub fn shell(&self) -> &Shell {
        self.past.past.shell()
    }

    /// The files the replayed terminal reads (the lesson's, the editor's).
    pub fn files(&self) -> &MemFiles {
        &self.past.files
    }

    /// How many checkpoints are kept now.
    pub fn checkpoints(&self) -> usize {
        self.checkpoints.len()
    }

    /// Replays `journal` up to `ms` simulated milliseconds. Any `ms` is
    /// fine: before the start gives the start, after the journal's end its
    /// end. `journal` must be the one earlier calls were given, or that one
    /// with inputs added (a clock step may have grown): anything else is a
    /// different session, which needs a new `Rewind`.
    pub fn seek(&mut self, journal: &[Input], ms: i64) -> &Shell {
        if !self.checkpoints.last().is_none_or(|c| c.cursor.fits(journal)) {
            self.checkpoints.clear();
        }
        // The latest copy at or before `ms` to step on from: a checkpoint
        // when the last replay is past `ms`, or further behind than it.
        let from = self.checkpoints.iter().rev().find(|c| c.now() <= ms).unwrap_or(&self.start);
        let past = self.past.now();
        if !self.past.cursor.fits(journal) || ms < past || from.now() > past {
            self.past = from.clone();
        }
        let mut next_checkpoint = self.checkpoints.last().unwrap_or(&self.start).now() + self.every_ms;
        while let Some(input) = journal.get(self.past.cursor.index) {
            let now = self.past.now();
            if let Input::Step(total) = input {
                let left = total - self.past.cursor.stepped;
                let room = ms.saturating_sub(now);
                if left > 0 && room <= 0 {
                    break;
                }
                // Cut at the next checkpoint's time, so a long step leaves
                // checkpoints inside it too.
                let dt = left.min(room).min(next_checkpoint.saturating_sub(now).max(1)).max(0);
                if dt > 0 {
                    self.past.past.shell_mut().step(dt);
                }
                self.past.cursor.stepped += dt;
                if self.past.cursor.stepped >= *total {
                    self.past.cursor = Cursor { index: self.past.cursor.index + 1, stepped: 0 };
                }
            } else {
                if now > ms {
                    break;
                }
                drop(self.past.past.play(input, &self.past.files));
                self.past.cursor = Cursor { index: self.past.cursor.index + 1, stepped: 0 };
            }
            if self.past.now() >= next_checkpoint {
                self.keep_checkpoint();
                next_checkpoint = self.past.now() + self.every_ms;
            }
        }
        self.shell()
    }

    /// Keeps the replayed terminal as a checkpoint, unless one at least as
    /// late is kept already (a replay from an earlier checkpoint passing it
    /// again).
    fn keep_checkpoint(&mut self) {
        let at = self.past.cursor;
        if self.checkpoints.last().is_some_and(|c| (c.cursor.index, c.cursor.stepped) >= (at.index, at.stepped)) {
            return;
        }
        let objects = self.past.past.shell().cluster().object_count().max(1);
        while self.checkpoints.len() >= (CHECKPOINT_OBJECTS / objects).clamp(2, MAX_CHECKPOINTS) {
            let mut i = 0;
            self.checkpoints.retain(|_| {
                i += 1;
                i % 2 == 0
            });
            self.every_ms = self.every_ms.saturating_mul(2);
        }
        self.checkpoints.push(self.past.clone());
    }

    /// Runs a line on a copy of the replayed terminal when it only reads
    /// (`read_only`), so the past stays exactly as it was; otherwise the
    /// command that would change something.
    pub fn run(&self, line: &str) -> Result<Output, String> {
        crate::shell::read_only(line)?;
        let mut shell = self.shell().clone();
        Ok(shell.run(line, &self.past.files))
    }
}
