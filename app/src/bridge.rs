//! The one seam between the page and the engine. Components never touch the
//! engine directly, so the engine can later move into a Web Worker behind
//! this same interface. Every input that changes the engine passes here and
//! is written to the journal the session is saved as (`session.rs`).

use crate::session::{Input, Saved, FORMAT, VERSION};
use engine::{Cluster, ClusterView, Completion, EventRow, MemFiles, Output, Shell};
use std::cell::RefCell;
use std::rc::Rc;

/// The cluster a fresh session starts with.
const PRESET: &str = "default";
const SEED: u64 = 1;

/// The playground's cluster and terminal session.
pub struct Bridge {
    shell: RefCell<Shell>,
    files: MemFiles,
    preset: String,
    seed: u64,
    journal: RefCell<Vec<Input>>,
}

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

    /// The saved session's cluster, rebuilt by replaying its journal.
    pub fn restore(saved: &Saved) -> Result<BridgeHandle, String> {
        let bridge = Bridge::new(&saved.preset, saved.seed)?;
        for input in &saved.journal {
            bridge.play(input);
        }
        // A reload closes the terminal: a watch that was printing has ended.
        bridge.shell.borrow_mut().interrupt();
        Ok(BridgeHandle(Rc::new(bridge)))
    }

    fn new(preset: &str, seed: u64) -> Result<Bridge, String> {
        let cluster = Cluster::new(preset, seed)?;
        let mut shell = Shell::new(cluster);
        // `kubectl edit` opens the page's YAML editor.
        shell.attach_editor();
        Ok(Bridge {
            shell: RefCell::new(shell),
            files: MemFiles::default(),
            preset: preset.to_string(),
            seed,
            journal: RefCell::default(),
        })
    }

    /// Gives one input to the engine and writes it to the journal.
    fn play(&self, input: &Input) -> Output {
        let out = match input {
            Input::Run(line) => self.shell.borrow_mut().run(line, &self.files),
            Input::Apply(manifest) => {
                // Kept as `editor.yaml` so the terminal can `kubectl apply -f editor.yaml` too.
                self.files.insert("editor.yaml", manifest);
                self.shell.borrow_mut().cluster_mut().apply(manifest)
            }
            Input::Edit(text) => self.shell.borrow_mut().finish_edit(text.as_deref(), &self.files),
            Input::Interrupt => {
                let stopped = self.shell.borrow_mut().interrupt();
                Output { exit_code: i32::from(!stopped), ..Output::default() }
            }
            Input::Step(ms) => {
                self.shell.borrow_mut().step(*ms);
                Output::default()
            }
            Input::SaveDashboard(json) => match self.shell.borrow_mut().cluster_mut().save_dashboard(json) {
                Ok(uid) => Output::ok(uid),
                Err(e) => Output::err(e),
            },
            Input::DeleteDashboard(uid) => {
                let deleted = self.shell.borrow_mut().cluster_mut().delete_dashboard(uid);
                Output { exit_code: i32::from(!deleted), ..Output::default() }
            }
        };
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

    /// Applies the editor's manifest.
    pub fn apply(&self, manifest: &str) -> Output {
        self.play(&Input::Apply(manifest.to_string()))
    }

    /// The object a `kubectl edit` has opened, while it waits for the editor.
    pub fn editing(&self) -> Option<String> {
        self.shell.borrow().editing().map(String::from)
    }

    /// Saves (`Some`) or abandons (`None`) the waiting edit.
    pub fn finish_edit(&self, text: Option<String>) -> Output {
        self.play(&Input::Edit(text))
    }

    /// New rows of a running `kubectl get -w`. Not journaled: watches only
    /// read, and a replay ends them anyway.
    pub fn poll(&self) -> Output {
        self.shell.borrow_mut().poll()
    }

    /// Ctrl-C: ends a running watch; whether there was one.
    pub fn interrupt(&self) -> bool {
        self.play(&Input::Interrupt).exit_code == 0
    }

    /// What Tab offers for the text before the cursor.
    pub fn complete(&self, line: &str) -> Completion {
        self.shell.borrow().complete(line)
    }

    /// Lets `ms` of simulated time pass.
    pub fn step(&self, ms: i64) {
        if ms > 0 {
            self.play(&Input::Step(ms));
        }
    }

    /// What the pictures draw.
    pub fn view(&self) -> ClusterView {
        self.shell.borrow().cluster().view()
    }

    /// The cluster's Events, oldest first.
    pub fn events(&self) -> Vec<EventRow> {
        self.shell.borrow().cluster().events()
    }

    /// The store's resourceVersion: unchanged means nothing to redraw.
    pub fn version(&self) -> u64 {
        self.shell.borrow().cluster().version()
    }

    /// The current cluster's Namespaces.
    pub fn namespaces(&self) -> Vec<String> {
        self.shell.borrow().cluster().namespaces()
    }

    /// The current context, its namespace, and every context.
    pub fn contexts(&self) -> (String, String, Vec<String>) {
        self.shell.borrow().contexts()
    }

    /// The terminal prompt.
    pub fn prompt(&self) -> String {
        self.shell.borrow().prompt()
    }

    /// Runs `f` over the lab Prometheus's store and the clock's time in ms;
    /// `None` when the cluster has no Prometheus. Only reads.
    pub fn with_tsdb<R>(&self, f: impl FnOnce(&engine::promql::Storage, i64) -> R) -> Option<R> {
        let shell = self.shell.borrow();
        let cluster = shell.cluster();
        cluster.tsdb().map(|storage| f(storage, cluster.now().0))
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
        self.shell.borrow().cluster().dashboards().list().to_vec()
    }

    /// How many inputs the journal holds (consecutive steps count as one).
    pub fn journal_len(&self) -> usize {
        self.journal.borrow().len()
    }

    /// The simulated time in ms.
    pub fn now_ms(&self) -> i64 {
        self.shell.borrow().cluster().now().0
    }

    /// The session as saved, with the page's own parts.
    pub fn saved(&self, editor: String, history: Vec<String>, speed: u32) -> Saved {
        Saved {
            format: FORMAT.into(),
            version: VERSION,
            preset: self.preset.clone(),
            seed: self.seed,
            journal: self.journal.borrow().clone(),
            editor,
            history,
            speed,
            lesson: None,
        }
    }
}
