//! The Dashboards page's words in English and Korean, kept apart from
//! `i18n.rs` so the page stays one folder.

use crate::i18n::Lang;

/// Every phrase the Dashboards page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum D {
    Dashboards,
    Playground,
    Dashboard,
    TimeRange,
    Last,
    Refresh,
    Off,
    Import,
    ImportPaste,
    ImportFile,
    ImportDo,
    Export,
    Remove,
    NoData,
    NoPrometheus,
    StartLab,
    Unsupported,
    Imported,
    ImportFailed,
    Value,
    Name,
    Min,
    Max,
    Mean,
    LastValue,
    Now,
    Save,
    SaveAs,
    Saved,
    Copy,
}

pub fn tr(lang: Lang, d: D) -> &'static str {
    use D::*;
    match lang {
        Lang::En => match d {
            Dashboards => "Dashboards",
            Playground => "Playground",
            Dashboard => "Dashboard",
            TimeRange => "Time range",
            Last => "Last",
            Refresh => "Refresh",
            Off => "Off",
            Import => "Import",
            ImportPaste => "Paste Grafana dashboard JSON",
            ImportFile => "or pick a .json file",
            ImportDo => "Load",
            Export => "Export JSON",
            Remove => "Remove",
            NoData => "No data",
            NoPrometheus => "This cluster has no Prometheus, so there is nothing to chart. The monitored lab is the cluster after the Prometheus chapter: Prometheus, node-exporter and kube-state-metrics already running. Starting it replaces the current session.",
            StartLab => "Start the monitored lab",
            Unsupported => "Panel type not supported here",
            Imported => "Imported",
            ImportFailed => "Not a dashboard",
            Value => "Value",
            Name => "Name",
            Min => "Min",
            Max => "Max",
            Mean => "Mean",
            LastValue => "Last",
            Now => "now",
            Save => "Save",
            SaveAs => "Save as",
            Saved => "Saved",
            Copy => "Copy",
        },
        Lang::Ko => match d {
            Dashboards => "대시보드",
            Playground => "실습장",
            Dashboard => "대시보드",
            TimeRange => "시간 범위",
            Last => "최근",
            Refresh => "새로 고침",
            Off => "끔",
            Import => "가져오기",
            ImportPaste => "Grafana 대시보드 JSON 을 붙여 넣으세요",
            ImportFile => "또는 .json 파일을 고르세요",
            ImportDo => "불러오기",
            Export => "JSON 내보내기",
            Remove => "삭제",
            NoData => "데이터 없음",
            NoPrometheus => "이 클러스터에는 Prometheus 가 없어 그릴 것이 없습니다. 모니터링 실습 클러스터는 Prometheus 장을 마친 뒤의 클러스터로, Prometheus, node-exporter, kube-state-metrics 가 이미 돌고 있습니다. 시작하면 지금 세션을 바꿉니다.",
            StartLab => "모니터링 실습 클러스터 시작",
            Unsupported => "여기서 지원하지 않는 패널 종류",
            Imported => "가져옴",
            ImportFailed => "대시보드가 아닙니다",
            Value => "값",
            Name => "이름",
            Min => "최소",
            Max => "최대",
            Mean => "평균",
            LastValue => "마지막",
            Now => "현재",
            Save => "저장",
            SaveAs => "다른 이름으로 저장",
            Saved => "저장함",
            Copy => "사본",
        },
    }
}

/// A legend calculation's column header (`lastNotNull` → Last).
pub fn calc_name(lang: Lang, calc: &str) -> &'static str {
    match calc {
        "min" => tr(lang, D::Min),
        "max" => tr(lang, D::Max),
        "mean" => tr(lang, D::Mean),
        _ => tr(lang, D::LastValue),
    }
}
