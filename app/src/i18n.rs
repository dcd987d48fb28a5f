//! The interface's words in English and Korean. kubectl's own output is
//! never translated: learners must recognise it on a real cluster.

use serde::{Deserialize, Serialize};

/// An interface language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    En,
    Ko,
}

impl Lang {
    /// The `lang` attribute of the page.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }
}

/// Every phrase of the interface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    Cluster,
    Namespace,
    Time,
    Pause,
    Speed,
    StepBy,
    ThemeDark,
    ThemeLight,
    Presenter,
    ExitPresenter,
    Language,
    Export,
    Import,
    Lesson,
    FreePlay,
    FreePlayNote,
    Terminal,
    Command,
    TerminalHint,
    Editor,
    Manifest,
    Apply,
    Save,
    Cancel,
    Pictures,
    NodesAndPods,
    WaitingForNode,
    Events,
    AllNamespaces,
    AllKinds,
    AllTypes,
    NoEvents,
    Resize,
    Dismiss,
    RestoreFailed,
    KeptAsideUnder,
    FreshCluster,
    ImportFailed,
    SaveFailed,
    CannotStart,
    Settings,
}

/// `msg` in `lang`.
pub fn t(lang: Lang, msg: Msg) -> &'static str {
    use Msg::*;
    match lang {
        Lang::En => match msg {
            Cluster => "Cluster",
            Namespace => "Namespace",
            Time => "Simulated time",
            Pause => "Pause",
            Speed => "Speed",
            StepBy => "Step",
            ThemeDark => "Dark",
            ThemeLight => "Light",
            Presenter => "Presenter",
            ExitPresenter => "Exit presenter mode",
            Language => "Language",
            Export => "Export",
            Import => "Import",
            Lesson => "Lesson",
            FreePlay => "Free play",
            FreePlayNote => {
                "No lesson is open. Use the terminal and the editor as you like: \
                             the cluster map and the events follow what you do, and time runs \
                             at the speed chosen above."
            }
            Terminal => "Terminal",
            Command => "Command",
            TerminalHint => "Try: kubectl get nodes   (help lists more)",
            Editor => "YAML editor",
            Manifest => "Manifest",
            Apply => "Apply",
            Save => "Save",
            Cancel => "Cancel",
            Pictures => "Pictures",
            NodesAndPods => "Nodes and pods",
            WaitingForNode => "Waiting for a node",
            Events => "Events",
            AllNamespaces => "All namespaces",
            AllKinds => "All kinds",
            AllTypes => "All types",
            NoEvents => "No events match.",
            Resize => "Resize",
            Dismiss => "Dismiss",
            RestoreFailed => "Your saved session could not be restored",
            KeptAsideUnder => "It was kept aside in this browser's storage under the key",
            FreshCluster => "A fresh cluster was started.",
            ImportFailed => "The session file could not be imported",
            SaveFailed => "The session could not be saved in this browser",
            CannotStart => "The cluster could not start",
            Settings => "Settings",
        },
        Lang::Ko => match msg {
            Cluster => "클러스터",
            Namespace => "네임스페이스",
            Time => "시뮬레이션 시각",
            Pause => "일시정지",
            Speed => "속도",
            StepBy => "앞으로",
            ThemeDark => "어두운 테마",
            ThemeLight => "밝은 테마",
            Presenter => "발표 모드",
            ExitPresenter => "발표 모드 끝내기",
            Language => "언어",
            Export => "내보내기",
            Import => "가져오기",
            Lesson => "레슨",
            FreePlay => "자유 실습",
            FreePlayNote => {
                "열려 있는 레슨이 없습니다. 터미널과 편집기를 마음껏 써 보세요. \
                             클러스터 지도와 이벤트가 작업을 그대로 따라가고, 시간은 위에서 \
                             고른 속도로 흐릅니다."
            }
            Terminal => "터미널",
            Command => "명령",
            TerminalHint => "예: kubectl get nodes   (명령 목록은 help)",
            Editor => "YAML 편집기",
            Manifest => "매니페스트",
            Apply => "적용",
            Save => "저장",
            Cancel => "취소",
            Pictures => "그림",
            NodesAndPods => "노드와 파드",
            WaitingForNode => "노드 배정을 기다리는 파드",
            Events => "이벤트",
            AllNamespaces => "모든 네임스페이스",
            AllKinds => "모든 종류",
            AllTypes => "모든 유형",
            NoEvents => "조건에 맞는 이벤트가 없습니다.",
            Resize => "크기 조절",
            Dismiss => "닫기",
            RestoreFailed => "저장된 세션을 복원하지 못했습니다",
            KeptAsideUnder => "이 브라우저 저장소에 다음 키로 따로 보관해 두었습니다:",
            FreshCluster => "새 클러스터로 시작합니다.",
            ImportFailed => "세션 파일을 가져오지 못했습니다",
            SaveFailed => "이 브라우저에 세션을 저장하지 못했습니다",
            CannotStart => "클러스터를 시작하지 못했습니다",
            Settings => "설정",
        },
    }
}
