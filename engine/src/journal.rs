//! The journal a session is saved as, and a scenario shared as a link.
//!
//! The engine is deterministic (virtual clock, seeded RNG), so a preset, a
//! seed and the ordered inputs rebuild the very same cluster when replayed
//! (`tests/replay.rs` holds the engine to that). The browser saves a session
//! as such a journal; the same journal, without the page's own parts (the
//! editor buffer, the terminal history), is what a shared link carries.
//!
//! A link's fragment is the scenario's JSON, deflated (journals repeat
//! themselves: `kubectl`, manifest keys) and written in URL-safe base64, so
//! it survives being pasted into a chat. Decoding never trusts the link: a
//! damaged one is an error that says what is wrong, never a panic, and the
//! inflated size is capped so a crafted link cannot exhaust the page.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// One input to the engine, in the order it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", content = "arg", rename_all = "snake_case")]
pub enum Input {
    /// A terminal line.
    Run(String),
    /// The editor's Apply.
    Apply(String),
    /// The end of a `kubectl edit`: saved text, or abandoned.
    Edit(Option<String>),
    /// Ctrl-C.
    Interrupt,
    /// Simulated milliseconds that passed (consecutive ticks are summed:
    /// the engine ends in the same state either way).
    Step(i64),
    /// The lesson moved on to its next step (whose setup then ran).
    Next,
    /// The open step's solution was applied.
    Solve,
    /// The open step's quiz was answered with this choice (from 0).
    Answer(usize),
    /// A dashboard (Grafana JSON) saved in the lab's Grafana.
    SaveDashboard(String),
    /// A saved dashboard deleted, by uid.
    DeleteDashboard(String),
}

/// Where a lesson session's journal starts: the lesson's step `step`
/// (from 0) opened directly, as `LessonRun::at` does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LessonAt {
    /// The lesson's id (its folder's name).
    pub id: String,
    /// The step, from 0.
    pub step: usize,
}

/// What a shared link says it is.
pub const SCENARIO_FORMAT: &str = "kubeplay-scenario";
/// Bumped when an older kubeplay could not replay what this one links.
pub const SCENARIO_VERSION: u32 = 1;
/// The most a link may inflate to. A day of a busy session is far less;
/// more is a damaged or hostile link.
const MAX_INFLATED: usize = 4 << 20;
/// Deflate's best ratio: links are written once and read by people.
const LEVEL: u8 = 9;

/// A cluster's story to hand to someone else: where it starts and what was
/// done to it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Always [`SCENARIO_FORMAT`].
    pub format: String,
    /// Always [`SCENARIO_VERSION`] when written by this kubeplay.
    pub version: u32,
    /// The preset the cluster starts from (or the lesson's).
    pub preset: String,
    /// The seed of its random choices.
    pub seed: u64,
    /// The lesson step the journal starts from, `None` in free play.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lesson: Option<LessonAt>,
    /// The inputs, in order.
    pub journal: Vec<Input>,
}

impl Scenario {
    /// A scenario of this kubeplay's format.
    pub fn new(preset: &str, seed: u64, lesson: Option<LessonAt>, journal: Vec<Input>) -> Scenario {
        Scenario {
            format: SCENARIO_FORMAT.into(),
            version: SCENARIO_VERSION,
            preset: preset.into(),
            seed,
            lesson,
            journal,
        }
    }

    /// The scenario as the text of a link's fragment (URL-safe, no padding).
    pub fn encode(&self) -> String {
        // Serialising strings and numbers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&json, LEVEL))
    }

    /// Reads what [`Scenario::encode`] wrote, saying in plain words what is
    /// wrong with a link that cannot be used.
    pub fn decode(text: &str) -> Result<Scenario, String> {
        // Chat programs and mail wrap long links; the padding some base64
        // writers add means nothing here.
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let text = text.trim_end_matches('=');
        if text.is_empty() {
            return Err("the link holds no scenario".into());
        }
        let packed = URL_SAFE_NO_PAD.decode(text).map_err(|e| match e {
            base64::DecodeError::InvalidByte(..) => "the link is damaged: it has characters a scenario never has",
            // A length or a last character no encoder writes: the end is missing.
            _ => "the link is damaged or cut short",
        })?;
        let json =
            miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_INFLATED).map_err(|e| match e.status {
                miniz_oxide::inflate::TINFLStatus::HasMoreOutput => {
                    format!("the scenario is larger than {} MiB", MAX_INFLATED >> 20)
                }
                _ => "the link is damaged or cut short".to_string(),
            })?;
        let value: serde_json::Value = serde_json::from_slice(&json)
            .map_err(|_| "the link is damaged: its scenario is not readable".to_string())?;
        if value.get("format").and_then(|f| f.as_str()) != Some(SCENARIO_FORMAT) {
            return Err("the link is not a kubeplay scenario".into());
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(SCENARIO_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "the scenario has format version {v}, this kubeplay reads version {SCENARIO_VERSION}"
                ))
            }
            None => return Err("the scenario has no format version".into()),
        }
        serde_json::from_value(value).map_err(|e| format!("the scenario is damaged ({e})"))
    }

    /// The terminal lines the journal ran, oldest first: the history a
    /// receiver can go back through with ↑.
    pub fn commands(&self) -> Vec<String> {
        self.journal
            .iter()
            .filter_map(|input| match input {
                Input::Run(line) if !line.trim().is_empty() => Some(line.clone()),
                _ => None,
            })
            .collect()
    }

    /// The last manifest applied from the editor, if any: what the sender's
    /// editor last held that the cluster saw.
    pub fn last_manifest(&self) -> Option<&str> {
        self.journal.iter().rev().find_map(|input| match input {
            Input::Apply(manifest) => Some(manifest.as_str()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n";

    fn scenarios() -> Vec<Scenario> {
        vec![
            Scenario::new("default", 1, None, vec![]),
            Scenario::new(
                "default",
                1,
                None,
                vec![
                    Input::Run("kubectl create deployment web --image=nginx --replicas=2".into()),
                    Input::Step(12_400),
                    Input::Apply(DEPLOY.into()),
                    Input::Edit(None),
                    Input::Edit(Some("# 한국어 주석\n".into())),
                    Input::Interrupt,
                    Input::SaveDashboard("{\"title\":\"mine\"}".into()),
                    Input::DeleteDashboard("mine".into()),
                ],
            ),
            Scenario::new(
                "monitoring",
                u64::MAX,
                Some(LessonAt { id: "01-lab".into(), step: 2 }),
                vec![Input::Next, Input::Solve, Input::Answer(3)],
            ),
        ]
    }

    #[test]
    fn a_link_gives_back_the_scenario_it_was_made_from() {
        for scenario in scenarios() {
            let link = scenario.encode();
            assert!(
                link.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                "only URL-safe characters: {link}"
            );
            assert_eq!(Scenario::decode(&link), Ok(scenario));
        }
    }

    #[test]
    fn a_wrapped_or_padded_link_still_reads() {
        let scenario = scenarios().remove(1);
        let link = scenario.encode();
        let (a, b) = link.split_at(link.len() / 2);
        assert_eq!(Scenario::decode(&format!("{a}\n  {b}==")), Ok(scenario));
    }

    #[test]
    fn links_stay_short_for_what_a_learner_shares() {
        // Five commands, a manifest and a few minutes of time: the length a
        // chat message or a slide can hold.
        let mut journal: Vec<Input> = (1..=5)
            .flat_map(|n| [Input::Run(format!("kubectl scale deployment web --replicas={n}")), Input::Step(15_000)])
            .collect();
        journal.push(Input::Apply(DEPLOY.into()));
        let scenario = Scenario::new("default", 1, None, journal);
        let json = serde_json::to_string(&scenario).unwrap();
        let link = scenario.encode();
        assert!(link.len() < json.len() / 2, "{} characters for {} of JSON", link.len(), json.len());
        assert!(link.len() < 600, "{} characters", link.len());
    }

    #[test]
    fn a_damaged_link_says_what_is_wrong() {
        let good = scenarios().remove(1).encode();
        let packed = |json: &str| URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(json.as_bytes(), 6));
        let bomb = URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(&vec![b' '; MAX_INFLATED + 1], 9));
        let cases = [
            ("", "the link holds no scenario"),
            ("   ", "the link holds no scenario"),
            ("not a link!", "the link is damaged: it has characters a scenario never has"),
            ("%7B%22format%22", "the link is damaged: it has characters a scenario never has"),
            ("aGVsbG8gd29ybGQ", "the link is damaged or cut short"),
            (&good[..good.len() / 2], "the link is damaged or cut short"),
            (&good[..(good.len() / 2) & !3], "the link is damaged or cut short"),
            (&good[..(good.len() / 2) & !3 | 1], "the link is damaged or cut short"),
            (&packed("{\"format\":"), "the link is damaged: its scenario is not readable"),
            (&packed("[1,2,3]"), "the link is not a kubeplay scenario"),
            (&packed("{\"format\":\"kubeplay-session\",\"version\":1}"), "the link is not a kubeplay scenario"),
            (
                &packed("{\"format\":\"kubeplay-scenario\",\"version\":2}"),
                "the scenario has format version 2, this kubeplay reads version 1",
            ),
            (&packed("{\"format\":\"kubeplay-scenario\"}"), "the scenario has no format version"),
            (&bomb, "the scenario is larger than 4 MiB"),
        ];
        for (link, want) in cases {
            assert_eq!(Scenario::decode(link), Err(want.to_string()), "link {link:?}");
        }
        let odd = packed(
            "{\"format\":\"kubeplay-scenario\",\"version\":1,\"preset\":\"default\",\"seed\":1,\"journal\":[{\"op\":\"fly\"}]}",
        );
        let err = Scenario::decode(&odd).unwrap_err();
        assert!(err.starts_with("the scenario is damaged (unknown variant `fly`"), "{err}");
    }

    #[test]
    fn commands_and_the_last_manifest_come_from_the_journal() {
        let scenario = Scenario::new(
            "default",
            1,
            None,
            vec![
                Input::Run("kubectl get nodes".into()),
                Input::Apply("first".into()),
                Input::Run("   ".into()),
                Input::Step(1_000),
                Input::Apply(DEPLOY.into()),
                Input::Run("kubectl get deploy".into()),
            ],
        );
        assert_eq!(scenario.commands(), ["kubectl get nodes", "kubectl get deploy"]);
        assert_eq!(scenario.last_manifest(), Some(DEPLOY));
        assert_eq!(Scenario::new("default", 1, None, vec![]).last_manifest(), None);
    }
}
