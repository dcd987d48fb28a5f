//! The one seam between the page and the engine. Components never touch the
//! engine directly, so the engine can later move into a Web Worker behind
//! this same interface.

use engine::{Cluster, ClusterView, Completion, MemFiles, Output, Shell};
use std::cell::RefCell;
use std::rc::Rc;

/// The playground's cluster and terminal session.
pub struct Bridge {
    shell: RefCell<Shell>,
    files: MemFiles,
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
        let cluster = Cluster::new("default", 1)?;
        let mut shell = Shell::new(cluster);
        // `kubectl edit` opens the page's YAML editor.
        shell.attach_editor();
        Ok(BridgeHandle(Rc::new(Bridge { shell: RefCell::new(shell), files: MemFiles::default() })))
    }

    /// Runs one terminal line.
    pub fn run(&self, line: &str) -> Output {
        self.shell.borrow_mut().run(line, &self.files)
    }

    /// Applies the editor's manifest, keeping it as `editor.yaml` so the
    /// terminal can `kubectl apply -f editor.yaml` too.
    pub fn apply(&self, manifest: &str) -> Output {
        self.files.insert("editor.yaml", manifest);
        self.shell.borrow_mut().cluster_mut().apply(manifest)
    }

    /// The object a `kubectl edit` has opened, while it waits for the editor.
    pub fn editing(&self) -> Option<String> {
        self.shell.borrow().editing().map(String::from)
    }

    /// Saves (`Some`) or abandons (`None`) the waiting edit.
    pub fn finish_edit(&self, text: Option<String>) -> Output {
        self.shell.borrow_mut().finish_edit(text.as_deref(), &self.files)
    }

    /// New rows of a running `kubectl get -w`.
    pub fn poll(&self) -> Output {
        self.shell.borrow_mut().poll()
    }

    /// Ctrl-C: ends a running watch; whether there was one.
    pub fn interrupt(&self) -> bool {
        self.shell.borrow_mut().interrupt()
    }

    /// What Tab offers for the text before the cursor.
    pub fn complete(&self, line: &str) -> Completion {
        self.shell.borrow().complete(line)
    }

    /// Lets `ms` of simulated time pass.
    pub fn step(&self, ms: i64) {
        self.shell.borrow_mut().step(ms);
    }

    /// What the pictures draw.
    pub fn view(&self) -> ClusterView {
        self.shell.borrow().cluster().view()
    }

    /// The terminal prompt.
    pub fn prompt(&self) -> String {
        self.shell.borrow().prompt()
    }
}
