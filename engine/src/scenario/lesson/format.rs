//! The lesson file format, read with serde so a misspelt key is an error
//! that names its line rather than a silently ignored field.

use crate::files::{Entry, Files};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Words in both of the playground's languages.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// English.
    pub en: String,
    /// Korean.
    pub ko: String,
}

impl Text {
    /// The text in `language` (`en` or `ko`); English for any other.
    pub fn get(&self, language: &str) -> &str {
        if language == "ko" {
            &self.ko
        } else {
            &self.en
        }
    }
}

/// One lesson: `lesson.yaml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lesson {
    /// The folder's name, `NN-slug`; deep links use it.
    pub id: String,
    /// Shown in the lesson list.
    pub title: Text,
    /// One or two sentences under the title.
    pub summary: Text,
    /// The cluster preset the lesson starts from (`default`, `single`, …).
    #[serde(default = "default_preset")]
    pub preset: String,
    /// The seed of the cluster's random choices, so every learner sees the
    /// same pod names.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// A challenge: a broken cluster to repair, checked by its state only.
    #[serde(default)]
    pub challenge: bool,
    /// What happens before the first step.
    #[serde(default)]
    pub setup: Vec<Action>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Each step's page, by step id, then language (filled by [`Lesson::load`]).
    #[serde(skip)]
    pub pages: BTreeMap<String, Text>,
}

/// The pictures a step may open.
pub const PICTURES: [&str; 7] = ["map", "explainer", "timeline", "services", "objects", "events", "dashboards"];

fn default_preset() -> String {
    "default".into()
}

fn default_seed() -> u64 {
    1
}

/// One step: a page to read, a task, and how the task is checked.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Step {
    /// Unique within the lesson; the page is `steps/<id>.<language>.md`.
    pub id: String,
    /// Shown in the step list.
    pub title: Text,
    /// The picture the app opens for this step (`map`, `explainer`,
    /// `timeline`, `services`, `events`, `dashboards` or
    /// `dashboards/UID` for one dashboard of the lab's Grafana).
    #[serde(default)]
    pub picture: Option<String>,
    /// What happens when the step opens: faults, waiting, objects.
    #[serde(default)]
    pub setup: Vec<Action>,
    /// What must hold for the step to be done.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Hints, given one at a time on request.
    #[serde(default)]
    pub hints: Vec<Text>,
    /// What a learner would type: it makes every check pass.
    #[serde(default)]
    pub solution: Vec<Action>,
    /// A question where a concept is better asked than done.
    #[serde(default)]
    pub quiz: Option<Quiz>,
}

/// Something the runner does: a terminal line, or letting time pass.
/// Written `- run: LINE` or `- wait: 30s`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(try_from = "ActionKeys")]
pub enum Action {
    /// A terminal line, as typed (`kubectl apply -f web.yaml`, `fault node off w1-k8s`).
    Run(String),
    /// Simulated time passing: `30s`, `5m`.
    Wait(String),
    /// A dashboard saved in the lab's Grafana from a Grafana JSON file in
    /// the lesson's folder, as the dashboard editor's Save does.
    Dashboard(String),
}

/// An action as written: a map with exactly one of the keys.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionKeys {
    run: Option<String>,
    wait: Option<String>,
    dashboard: Option<String>,
}

impl TryFrom<ActionKeys> for Action {
    type Error = String;

    fn try_from(keys: ActionKeys) -> Result<Action, String> {
        match (keys.run, keys.wait, keys.dashboard) {
            (Some(line), None, None) => Ok(Action::Run(line)),
            (None, Some(duration), None) => Ok(Action::Wait(duration)),
            (None, None, Some(file)) => Ok(Action::Dashboard(file)),
            _ => Err("an action is one of `run: LINE`, `wait: DURATION` or `dashboard: FILE.json`".into()),
        }
    }
}

/// A multiple-choice question.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Quiz {
    /// The question.
    pub question: Text,
    /// The choices, in the order shown.
    pub choices: Vec<Text>,
    /// The right choice, counted from 0.
    pub answer: usize,
    /// Why, shown after answering.
    pub explanation: Text,
}

/// A condition and what to tell the learner while it does not hold.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// What must hold.
    #[serde(flatten)]
    pub condition: Condition,
    /// Precisely what is still missing.
    pub message: Text,
    /// A guard holds from the start and must still hold at the end: what
    /// the learner must not break on the way (a taint another team needs).
    #[serde(default)]
    pub guard: bool,
}

/// What a check can ask of the live cluster and the terminal.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Condition {
    /// An object exists, and each JSONPath in `fields` prints the given text
    /// (`{.spec.replicas}: "3"`).
    Object {
        /// Kind as kubectl takes it: `deployment`, `svc`, `Pod`.
        kind: String,
        /// Name.
        name: String,
        /// Namespace; `default` when left out (ignored for cluster-wide kinds).
        #[serde(default)]
        namespace: Option<String>,
        /// JSONPath → expected text.
        #[serde(default)]
        fields: BTreeMap<String, String>,
    },
    /// No such object.
    Absent {
        /// Kind as kubectl takes it.
        kind: String,
        /// Name.
        name: String,
        /// Namespace; `default` when left out.
        #[serde(default)]
        namespace: Option<String>,
    },
    /// Pods matching a label selector: how many, and in what state.
    Pods {
        /// A label selector as `-l` takes it (`app=web`).
        selector: String,
        /// Namespace; `default` when left out.
        #[serde(default)]
        namespace: Option<String>,
        /// Exactly this many match (after the state filters).
        #[serde(default)]
        count: Option<usize>,
        /// At least this many match (after the state filters).
        #[serde(default)]
        min: Option<usize>,
        /// Only pods whose kubectl STATUS column reads this (`Running`,
        /// `Pending`, `CrashLoopBackOff`, `Completed`).
        #[serde(default)]
        status: Option<String>,
        /// Only pods whose every container is ready.
        #[serde(default)]
        ready: Option<bool>,
        /// Only pods on this node.
        #[serde(default)]
        node: Option<String>,
    },
    /// A Deployment's rollout is complete, as `kubectl rollout status` says.
    Rollout {
        /// The Deployment.
        deployment: String,
        /// Namespace; `default` when left out.
        #[serde(default)]
        namespace: Option<String>,
    },
    /// A node's state.
    Node {
        /// The node.
        name: String,
        /// Ready (or not).
        #[serde(default)]
        ready: Option<bool>,
        /// Schedulable (false once cordoned).
        #[serde(default)]
        schedulable: Option<bool>,
        /// Carries this taint, `key=value:Effect` or `key:Effect`.
        #[serde(default)]
        taint: Option<String>,
        /// Carries none of this key's taints.
        #[serde(default)]
        untainted: Option<String>,
        /// Carries this label, `key=value`.
        #[serde(default)]
        label: Option<String>,
    },
    /// A request from the control-plane node answers (and its body contains
    /// the text).
    Curl {
        /// The URL, as `curl` takes it.
        url: String,
        /// Text the answer must contain.
        #[serde(default)]
        contains: Option<String>,
    },
    /// An Event has been recorded.
    Event {
        /// Its reason (`Scheduled`, `Killing`, `FailedScheduling`).
        reason: String,
        /// Namespace; `default` when left out.
        #[serde(default)]
        namespace: Option<String>,
        /// The involved object's kind (`Pod`).
        #[serde(default)]
        kind: Option<String>,
        /// The start of the involved object's name.
        #[serde(default)]
        name: Option<String>,
        /// Text its message contains.
        #[serde(default)]
        message: Option<String>,
    },
    /// A PromQL query against the cluster's Prometheus returns something,
    /// and its first value lies within the bounds.
    Promql {
        /// The query.
        query: String,
        /// The smallest acceptable value.
        #[serde(default)]
        min: Option<f64>,
        /// The largest acceptable value.
        #[serde(default)]
        max: Option<f64>,
    },
    /// A terminal line matching this regular expression has been typed
    /// since the step opened.
    Ran(String),
    /// A dashboard saved in the lab's Grafana, with the given title, has
    /// what is asked of it.
    Dashboard(DashboardWant),
}

/// What a `dashboard` check asks of a saved dashboard.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DashboardWant {
    /// The dashboard's title, exactly.
    pub title: String,
    /// Some panel (rows' panels included) has all of this.
    #[serde(default)]
    pub panel: Option<PanelWant>,
    /// A variable with this name (`namespace` for `$namespace`).
    #[serde(default)]
    pub variable: Option<String>,
    /// The dashboard refreshes every so often (`10s`).
    #[serde(default)]
    pub refresh: Option<String>,
}

/// What a `dashboard` check asks of one of its panels. The query fields
/// (`expr_contains`, `legend`, `instant`) must hold for the same query.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PanelWant {
    /// The visualisation: `timeseries`, `stat`, `gauge`, `bargauge`, `table`.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// The panel's title, exactly.
    #[serde(default)]
    pub title: Option<String>,
    /// Text a query's PromQL contains.
    #[serde(default)]
    pub expr_contains: Option<String>,
    /// That query's legend format, exactly (`{{pod}}`).
    #[serde(default)]
    pub legend: Option<String>,
    /// That query runs as an instant query (or as a range one).
    #[serde(default)]
    pub instant: Option<bool>,
    /// The panel's unit (`percent`, `bytes`).
    #[serde(default)]
    pub unit: Option<String>,
    /// A threshold step starts at this value.
    #[serde(default)]
    pub threshold: Option<f64>,
}

/// Every file a lesson's folder must have for each of its steps: the page
/// in each language.
fn page_path(dir: &str, step: &str, language: &str) -> String {
    format!("{dir}/steps/{step}.{language}.md")
}

impl Lesson {
    /// Reads `dir/lesson.yaml` and every step's pages from `files`; an error
    /// names what is wrong and where.
    pub fn load(files: &dyn Files, dir: &str) -> Result<Lesson, String> {
        let path = format!("{dir}/lesson.yaml");
        let text = match files.read(&path) {
            Some(Entry::File(text)) => text,
            _ => return Err(format!("{path}: no such file")),
        };
        let mut lesson = Lesson::parse(&text).map_err(|e| format!("{path}: {e}"))?;
        for step in &lesson.steps {
            let mut page = Text::default();
            for (language, slot) in [("en", &mut page.en), ("ko", &mut page.ko)] {
                let path = page_path(dir, &step.id, language);
                match files.read(&path) {
                    Some(Entry::File(text)) => *slot = text,
                    _ => return Err(format!("{path}: no such file")),
                }
            }
            lesson.pages.insert(step.id.clone(), page);
        }
        Ok(lesson)
    }

    /// Reads a lesson from its `lesson.yaml` text, checking what serde
    /// cannot: unique step ids, both languages everywhere, quiz answers that
    /// exist, regular expressions that compile.
    pub fn parse(text: &str) -> Result<Lesson, String> {
        let lesson: Lesson = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        lesson.validate()?;
        Ok(lesson)
    }

    fn validate(&self) -> Result<(), String> {
        let mut texts: Vec<(String, &Text)> = vec![("title".into(), &self.title), ("summary".into(), &self.summary)];
        if self.steps.is_empty() {
            return Err("a lesson needs at least one step".into());
        }
        let mut seen = std::collections::BTreeSet::new();
        for step in &self.steps {
            let at = format!("steps[{}]", step.id);
            if !seen.insert(step.id.as_str()) {
                return Err(format!("{at}: step id used twice"));
            }
            if step.checks.is_empty() && step.quiz.is_none() {
                return Err(format!("{at}: a step needs a check or a quiz"));
            }
            texts.push((format!("{at}.title"), &step.title));
            texts.extend(step.hints.iter().map(|h| (format!("{at}.hints"), h)));
            texts.extend(step.checks.iter().map(|c| (format!("{at}.checks.message"), &c.message)));
            if let Some(picture) = &step.picture {
                if !PICTURES.contains(&picture.as_str())
                    && picture.strip_prefix("dashboards/").is_none_or(|uid| uid.trim().is_empty())
                {
                    return Err(format!(
                        "{at}.picture: {picture:?} is not one of {}, dashboards/UID",
                        PICTURES.join(", ")
                    ));
                }
            }
            for action in step.setup.iter().chain(&step.solution) {
                action.validate().map_err(|e| format!("{at}: {e}"))?;
            }
            for check in &step.checks {
                if let Condition::Ran(pattern) = &check.condition {
                    regex::Regex::new(pattern).map_err(|e| format!("{at}: ran: {e}"))?;
                }
            }
            if let Some(quiz) = &step.quiz {
                if quiz.answer >= quiz.choices.len() {
                    return Err(format!("{at}.quiz: answer {} but {} choices", quiz.answer, quiz.choices.len()));
                }
                texts.push((format!("{at}.quiz.question"), &quiz.question));
                texts.push((format!("{at}.quiz.explanation"), &quiz.explanation));
                texts.extend(quiz.choices.iter().map(|c| (format!("{at}.quiz.choices"), c)));
            }
        }
        for action in &self.setup {
            action.validate().map_err(|e| format!("setup: {e}"))?;
        }
        match texts.iter().find(|(_, t)| t.en.trim().is_empty() || t.ko.trim().is_empty()) {
            Some((at, _)) => Err(format!("{at}: needs both en and ko text")),
            None => Ok(()),
        }
    }

    /// The step with this id, and its index.
    pub fn step(&self, id: &str) -> Option<(usize, &Step)> {
        self.steps.iter().enumerate().find(|(_, s)| s.id == id)
    }
}

impl Action {
    /// The action as written, for error messages.
    pub fn describe(&self) -> String {
        match self {
            Action::Run(line) => line.clone(),
            Action::Wait(d) => format!("wait {d}"),
            Action::Dashboard(file) => format!("dashboard {file}"),
        }
    }

    fn validate(&self) -> Result<(), String> {
        match self {
            Action::Run(line) if line.trim().is_empty() => Err("run: empty line".into()),
            Action::Dashboard(file) if !file.ends_with(".json") => {
                Err(format!("dashboard: {file:?} is not a Grafana JSON file (FILE.json)"))
            }
            Action::Wait(d) if crate::time::parse_duration(d).is_none() => {
                Err(format!("wait: {d:?} is not a duration such as 30s or 5m"))
            }
            _ => Ok(()),
        }
    }
}
