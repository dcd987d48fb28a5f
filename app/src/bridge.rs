//! The one seam between the page and the engine. Components never touch the
//! engine directly, so the engine can later move into a Web Worker behind
//! this same interface. Every input that changes the engine passes here and
//! is written to the journal the session is saved as (`session.rs`).

use crate::session::{Input, LessonAt, Saved, FORMAT, VERSION};
use engine::journal::Scenario;
use engine::lesson::{library, Action, Lesson, LessonRun, Verdict};
use engine::rewind::{Player, Rewind};
use engine::scheduling::Attempt;
use engine::{Cluster, ClusterView, Completion, EventRow, Mark, MemFiles, Output, Shell};
use std::cell::{Cell, Ref, RefCell, RefMut};
use std::rc::Rc;

/// The cluster a fresh session starts with.
const PRESET: &str = "default";
const SEED: u64 = 1;

/// The playground's cluster and terminal session.
pub struct Bridge {
    /// Whose terminal the page shows: free play's, or a lesson's.
    mode: RefCell<Player>,
    /// What the terminal reads: a lesson's folder (its manifests), and
    /// what the editor applied.
    files: RefCell<MemFiles>,
    preset: RefCell<String>,
    seed: RefCell<u64>,
    /// Where a lesson's journal starts.
    lesson: RefCell<Option<LessonAt>>,
    journal: RefCell<Vec<Input>>,
    /// What the last solution's lines printed, for `solve` to hand on.
    solved: RefCell<Vec<Output>>,
    /// The open lesson, shared with the views (the run keeps its own).
    current: RefCell<Option<Rc<Lesson>>>,
    /// The simulated time (ms) the journal starts at.
    start_ms: Cell<i64>,
    /// The session's past, replayed from the journal and kept between
    /// looks so a later moment steps on from the last one.
    rewind: RefCell<Option<Rewind>>,
    /// The moment being looked at; `None` shows the live cluster.
    viewing: Cell<Option<i64>>,
}

/// The open lesson step, as the lesson pane draws it.
#[derive(Clone)]
pub struct LessonState {
    pub lesson: Rc<Lesson>,
    /// The open step, from 0.
    pub index: usize,
}

impl PartialEq for LessonState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.lesson, &other.lesson) && self.index == other.index
    }
}

/// Terminal lines (with their prompt; `None` for the editor's applies) and
/// what they printed.
pub type Transcript = Vec<(Option<String>, Output)>;

/// A shared handle; equal when it is the same bridge.
#[derive(Clone)]
pub struct BridgeHandle(pub Rc<Bridge>);

impl PartialEq for BridgeHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Bridge {
    /// A fresh default cluster, or why none could be built.
    pub fn start() -> Result<BridgeHandle, String> {
        Bridge::new(PRESET, SEED).map(|b| BridgeHandle(Rc::new(b)))
    }

    /// The saved session's cluster, rebuilt by replaying its journal on
    /// the preset, or on its lesson's step opened directly.
    pub fn restore(saved: &Saved) -> Result<BridgeHandle, String> {
        Bridge::replay(saved, |_, _| {})
    }

    /// A shared scenario's cluster, rebuilt as `restore` does, with what
    /// its terminal lines and editor applies printed, for the receiver's
    /// terminal to show.
    pub fn restore_shared(saved: &Saved) -> Result<(BridgeHandle, Transcript), String> {
        let mut transcript = Vec::new();
        let bridge = Bridge::replay(saved, |line, out| {
            if line.is_some() || !out.stdout.is_empty() || !out.stderr.is_empty() {
                transcript.push((line, out));
            }
        })?;
        Ok((bridge, transcript))
    }

    /// Replays `saved`, handing each terminal line (with its prompt) or
    /// editor apply and its output to `seen`.
    fn replay(saved: &Saved, mut seen: impl FnMut(Option<String>, Output)) -> Result<BridgeHandle, String> {
        let bridge = Bridge::new(&saved.preset, saved.seed)?;
        if let Some(at) = &saved.lesson {
            bridge.open_lesson(&at.id, at.step)?;
        }
        for input in &saved.journal {
            let prompt = bridge.prompt();
            let out = bridge.play(input);
            match input {
                Input::Run(line) => seen(Some(format!("{prompt}{line}")), out),
                Input::Apply(_) | Input::Edit(_) => seen(None, out),
                _ => {}
            }
        }
        // A reload closes the terminal: a watch that was printing has ended.
        bridge.shell_mut().interrupt();
        Ok(BridgeHandle(Rc::new(bridge)))
    }

    fn new(preset: &str, seed: u64) -> Result<Bridge, String> {
        Ok(Bridge {
            mode: RefCell::new(Player::Free(Box::new(Bridge::free_shell(preset, seed)?))),
            files: RefCell::default(),
            preset: RefCell::new(preset.to_string()),
            seed: RefCell::new(seed),
            lesson: RefCell::default(),
            journal: RefCell::default(),
            solved: RefCell::default(),
            current: RefCell::default(),
            start_ms: Cell::new(0),
            rewind: RefCell::default(),
            viewing: Cell::new(None),
        })
        .inspect(|bridge| bridge.start_ms.set(bridge.live_ms()))
    }

    fn free_shell(preset: &str, seed: u64) -> Result<Shell, String> {
        let mut shell = Shell::new(Cluster::new(preset, seed)?);
        // `kubectl edit` opens the page's YAML editor.
        shell.attach_editor();
        Ok(shell)
    }

    /// The terminal the views read: the past's while looking back.
    fn shell(&self) -> Ref<'_, Shell> {
        if self.viewing.get().is_some() {
            if let Ok(past) = Ref::filter_map(self.rewind.borrow(), |r| r.as_ref().map(Rewind::shell)) {
                return past;
            }
        }
        self.live()
    }

    fn live(&self) -> Ref<'_, Shell> {
        Ref::map(self.mode.borrow(), Player::shell)
    }

    fn shell_mut(&self) -> RefMut<'_, Shell> {
        RefMut::map(self.mode.borrow_mut(), Player::shell_mut)
    }

    /// Replaces the cluster with a fresh one of `preset` for free play; the
    /// journal starts again.
    pub fn free_play(&self, preset: &str) -> Result<(), String> {
        let shell = Bridge::free_shell(preset, SEED)?;
        *self.mode.borrow_mut() = Player::Free(Box::new(shell));
        *self.files.borrow_mut() = MemFiles::default();
        *self.preset.borrow_mut() = preset.to_string();
        *self.seed.borrow_mut() = SEED;
        *self.lesson.borrow_mut() = None;
        *self.current.borrow_mut() = None;
        self.journal.borrow_mut().clear();
        self.forget_past();
        Ok(())
    }

    /// Opens step `index` (from 0) of lesson `id` on a fresh cluster, as a
    /// learner who solved the earlier steps would have it; the journal
    /// starts again from there.
    pub fn open_lesson(&self, id: &str, index: usize) -> Result<(), String> {
        let lesson = library::load(id)?;
        let files = library::folder(id);
        let (preset, seed) = (lesson.preset.clone(), lesson.seed);
        let shared = Rc::new(lesson.clone());
        let mut run = LessonRun::at(lesson, index, &files)?;
        run.shell_mut().attach_editor();
        *self.mode.borrow_mut() = Player::Lesson(Box::new(run));
        *self.files.borrow_mut() = files;
        *self.preset.borrow_mut() = preset;
        *self.seed.borrow_mut() = seed;
        *self.lesson.borrow_mut() = Some(LessonAt { id: id.to_string(), step: index });
        *self.current.borrow_mut() = Some(shared);
        self.journal.borrow_mut().clear();
        self.forget_past();
        Ok(())
    }

    /// The open lesson and step, `None` in free play.
    pub fn lesson(&self) -> Option<LessonState> {
        match (&*self.mode.borrow(), &*self.current.borrow()) {
            (Player::Lesson(run), Some(lesson)) => Some(LessonState { lesson: lesson.clone(), index: run.index() }),
            _ => None,
        }
    }

    /// The open step's checks, in order; empty in free play.
    pub fn check(&self) -> Vec<Verdict> {
        match &*self.mode.borrow() {
            Player::Free(_) => Vec::new(),
            Player::Lesson(run) => run.check(),
        }
    }

    /// Whether the open step is done (its checks hold, its quiz is answered).
    pub fn done(&self) -> bool {
        matches!(&*self.mode.borrow(), Player::Lesson(run) if run.done())
    }

    /// Moves to the next step; false on the last one.
    pub fn next(&self) -> bool {
        self.play(&Input::Next).exit_code == 0
    }

    /// Applies the open step's solution: each line as the terminal shows it
    /// (with its prompt; a wait as the `sleep` that would do it) and what it
    /// printed.
    pub fn solve(&self) -> Vec<(String, Output)> {
        let solution = self.lesson().map(|s| s.lesson.steps[s.index].solution.clone()).unwrap_or_default();
        let prompt = self.prompt();
        self.play(&Input::Solve);
        let mut outs = std::mem::take(&mut *self.solved.borrow_mut()).into_iter();
        solution
            .iter()
            .map(|action| match action {
                Action::Run(line) => (format!("{prompt}{line}"), outs.next().unwrap_or_default()),
                Action::Wait(duration) => (format!("{prompt}sleep {duration}"), Output::default()),
                // Saved through the Dashboards page in a learner's hands; a
                // comment line keeps the terminal's story whole.
                Action::Dashboard(_) => (format!("{prompt}# {}", action.describe()), outs.next().unwrap_or_default()),
            })
            .collect()
    }

    /// Whether the open step's quiz has been answered right (a reload
    /// shows the answer again).
    pub fn answered(&self) -> bool {
        matches!(&*self.mode.borrow(), Player::Lesson(run) if run.answered())
    }

    /// Answers the open step's quiz; whether the choice is right.
    pub fn answer(&self, choice: usize) -> bool {
        self.play(&Input::Answer(choice)).exit_code == 0
    }

    /// Gives one input to the engine and writes it to the journal. While
    /// looking back nothing is given or written: the past is read-only.
    fn play(&self, input: &Input) -> Output {
        if self.viewing.get().is_some() {
            return Output { exit_code: 1, ..Output::default() };
        }
        let (out, solved) = self.mode.borrow_mut().play(input, &self.files.borrow());
        if let Input::Solve = input {
            *self.solved.borrow_mut() = solved;
        }
        let mut journal = self.journal.borrow_mut();
        match (journal.last_mut(), input) {
            (Some(Input::Step(total)), Input::Step(ms)) => *total += ms,
            _ => journal.push(input.clone()),
        }
        out
    }

    /// Runs one terminal line.
    pub fn run(&self, line: &str) -> Output {
        self.play(&Input::Run(line.to_string()))
    }

    /// Applies the editor's manifest: kubectl's answer, and the lines its
    /// errors are about.
    pub fn apply(&self, manifest: &str) -> (Output, Vec<Mark>) {
        let out = self.play(&Input::Apply(manifest.to_string()));
        let marks = engine::marks(manifest, &out.stderr);
        (out, marks)
    }

    /// What `kubectl diff` prints for the editor's manifest. Not journaled:
    /// it runs on a copy of the cluster and changes nothing.
    pub fn diff(&self, manifest: &str) -> Output {
        self.shell().cluster().diff(manifest)
    }

    /// The object a `kubectl edit` has opened, while it waits for the editor.
    pub fn editing(&self) -> Option<String> {
        self.shell().editing().map(String::from)
    }

    /// Saves (`Some`) or abandons (`None`) the waiting edit.
    pub fn finish_edit(&self, text: Option<String>) -> Output {
        self.play(&Input::Edit(text))
    }

    /// New rows of a running `kubectl get -w`. Not journaled: watches only
    /// read, and a replay ends them anyway.
    pub fn poll(&self) -> Output {
        self.shell_mut().poll()
    }

    /// Ctrl-C: ends a running watch; whether there was one.
    pub fn interrupt(&self) -> bool {
        self.play(&Input::Interrupt).exit_code == 0
    }

    /// What Tab offers for the text before the cursor.
    pub fn complete(&self, line: &str) -> Completion {
        self.shell().complete(line)
    }

    /// Lets `ms` of simulated time pass.
    pub fn step(&self, ms: i64) {
        if ms > 0 {
            self.play(&Input::Step(ms));
        }
    }

    /// What the pictures draw.
    pub fn view(&self) -> ClusterView {
        self.shell().cluster().view()
    }

    /// What the pictures draw, without the nodes' use: for clusters whose
    /// map is a heat grid, which shades by requests alone.
    pub fn view_without_usage(&self) -> ClusterView {
        self.shell().cluster().view_without_usage()
    }

    /// Whether a pod or node changed after `version` (see
    /// [`engine::Cluster::map_changed_since`]).
    pub fn map_changed_since(&self, version: u64) -> bool {
        self.shell().cluster().map_changed_since(version)
    }

    /// What `kubectl describe RESOURCE NAME -n NAMESPACE` prints. Not
    /// journaled: it only reads.
    pub fn describe(&self, resource: &str, namespace: &str, name: &str) -> Output {
        self.shell().cluster().describe(resource, namespace, name)
    }

    /// What `kubectl logs POD -n NAMESPACE` prints.
    pub fn logs(&self, namespace: &str, pod: &str) -> Output {
        self.shell().cluster().logs(namespace, pod)
    }

    /// The scheduler's recent attempts at placing a pod, oldest first.
    pub fn scheduling_trace(&self, namespace: &str, pod: &str) -> Option<Vec<Attempt>> {
        self.shell().cluster().scheduling_trace(namespace, pod)
    }

    /// One pod's lifecycle timeline (read-only, not journaled).
    pub fn pod_timeline(&self, namespace: &str, pod: &str) -> Option<engine::timeline::PodTimeline> {
        self.shell().cluster().pod_timeline(namespace, pod)
    }

    /// The timelines of a workload's pods, past and present, oldest first.
    pub fn workload_timeline(&self, namespace: &str, owner: &engine::Owner) -> Vec<engine::timeline::PodTimeline> {
        self.shell().cluster().workload_timeline(namespace, owner, engine::Time(0))
    }

    /// The service picture of `namespace` (read-only, not journaled).
    pub fn service_view(&self, namespace: &str) -> engine::ServiceView {
        self.shell().cluster().service_view(namespace)
    }

    /// Every object as the Objects picture draws it (read-only, not journaled).
    pub fn object_tree(&self) -> engine::ObjectTree {
        self.shell().cluster().object_tree()
    }

    /// What `kubectl get KIND NAME -n NAMESPACE -o yaml` prints; `None`
    /// when the object is gone. Not journaled: it only reads.
    pub fn object_yaml(&self, kind: &str, namespace: &str, name: &str) -> Option<String> {
        self.shell().cluster().object_yaml(kind, namespace, name)
    }

    /// The simulated clock.
    pub fn now(&self) -> engine::Time {
        self.shell().cluster().now()
    }

    /// The cluster's Events, oldest first.
    pub fn events(&self) -> Vec<EventRow> {
        self.shell().cluster().events()
    }

    /// The store's resourceVersion: unchanged means nothing to redraw.
    pub fn version(&self) -> u64 {
        self.shell().cluster().version()
    }

    /// The current cluster's Namespaces.
    pub fn namespaces(&self) -> Vec<String> {
        self.shell().cluster().namespaces()
    }

    /// The current context, its namespace, and every context.
    pub fn contexts(&self) -> (String, String, Vec<String>) {
        self.shell().contexts()
    }

    /// The terminal prompt.
    pub fn prompt(&self) -> String {
        self.shell().prompt()
    }

    /// Runs `f` over the lab Prometheus's store and the clock's time in ms;
    /// `None` when the cluster has no Prometheus. Only reads.
    pub fn with_tsdb<R>(&self, f: impl FnOnce(&engine::promql::Storage, i64) -> R) -> Option<R> {
        let shell = self.shell();
        let cluster = shell.cluster();
        cluster.tsdb().map(|storage| f(storage, cluster.now().0))
    }

    /// Reads the cluster: dashboards run logs panels and alert lists over
    /// it as well as its Prometheus.
    pub fn with_cluster<R>(&self, f: impl FnOnce(&engine::Cluster) -> R) -> R {
        f(self.shell().cluster())
    }

    /// Saves a dashboard in the lab's Grafana: its uid, or why the text
    /// is not a dashboard (then nothing is journaled).
    pub fn save_dashboard(&self, json: &str) -> Result<String, String> {
        if let Err(e) = engine::dashboards::Dashboard::import(json) {
            return Err(e.to_string());
        }
        let out = self.play(&Input::SaveDashboard(json.to_string()));
        if out.exit_code == 0 {
            Ok(out.stdout)
        } else {
            Err(out.stderr)
        }
    }

    /// Deletes a saved dashboard; false when there was none.
    pub fn delete_dashboard(&self, uid: &str) -> bool {
        self.play(&Input::DeleteDashboard(uid.to_string())).exit_code == 0
    }

    /// The dashboards saved in the lab's Grafana, oldest first.
    pub fn dashboards(&self) -> Vec<engine::dashboards::Dashboard> {
        self.shell().cluster().dashboards().list().to_vec()
    }

    /// How many inputs the journal holds (consecutive steps count as one).
    pub fn journal_len(&self) -> usize {
        self.journal.borrow().len()
    }

    /// The simulated time in ms (the past's while looking back).
    pub fn now_ms(&self) -> i64 {
        self.shell().cluster().now().0
    }

    /// The live cluster's simulated time in ms, even while looking back.
    pub fn live_ms(&self) -> i64 {
        self.live().cluster().now().0
    }

    /// The simulated time (ms) the session's journal starts at: as far back
    /// as one can look.
    pub fn start_ms(&self) -> i64 {
        self.start_ms.get()
    }

    /// The moment being looked at, `None` when showing the live cluster.
    pub fn viewing(&self) -> Option<i64> {
        self.viewing.get()
    }

    /// Shows the cluster as it was at `ms` (clamped to the session's start
    /// and now): the journal replayed that far on a fresh cluster. Every
    /// view reads the past until [`Bridge::return_to_now`]; nothing typed
    /// meanwhile reaches the live cluster or the journal.
    pub fn look_back(&self, ms: i64) -> Result<i64, String> {
        let ms = ms.clamp(self.start_ms(), self.live_ms());
        let mut rewind = self.rewind.borrow_mut();
        if rewind.is_none() {
            *rewind = Some(Rewind::new(&self.preset.borrow(), *self.seed.borrow(), self.lesson.borrow().as_ref())?);
        }
        if let Some(rewind) = rewind.as_mut() {
            rewind.seek(&self.journal.borrow(), ms);
        }
        self.viewing.set(Some(ms));
        Ok(ms)
    }

    /// Shows the live cluster again. The replayed past is kept for the
    /// next look.
    pub fn return_to_now(&self) {
        self.viewing.set(None);
    }

    /// Runs a line on the past being looked at when it only reads;
    /// otherwise the command that would change something. Not journaled.
    pub fn run_past(&self, line: &str) -> Result<Output, String> {
        match &*self.rewind.borrow() {
            Some(rewind) if self.viewing.get().is_some() => rewind.run(line),
            _ => Err(line.to_string()),
        }
    }

    /// A new session has no past to look back on yet.
    fn forget_past(&self) {
        *self.rewind.borrow_mut() = None;
        self.viewing.set(None);
        self.start_ms.set(self.live_ms());
    }

    /// The cluster's story so far, to share as a link.
    pub fn scenario(&self) -> Scenario {
        Scenario::new(
            &self.preset.borrow(),
            *self.seed.borrow(),
            self.lesson.borrow().clone(),
            self.journal.borrow().clone(),
        )
    }

    /// The session as saved, with the page's own parts.
    pub fn saved(&self, editor: String, history: Vec<String>, speed: u32) -> Saved {
        Saved {
            format: FORMAT.into(),
            version: VERSION,
            preset: self.preset.borrow().clone(),
            seed: *self.seed.borrow(),
            journal: self.journal.borrow().clone(),
            editor,
            history,
            speed,
            lesson: self.lesson.borrow().clone(),
        }
    }
}
