//! The Objects picture's words in English and Korean. Kinds, names,
//! `kubectl get`'s columns and the YAML are kubectl's and stay as they are.

use crate::i18n::Lang;

/// Every phrase of the Objects picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    Tree,
    Filter,
    ClusterScoped,
    /// `{n}` is replaced by a count.
    More,
    /// `{n}` is replaced by a count.
    Count,
    NoMatch,
    EditInEditor,
    Close,
    Gone,
    Pick,
}

/// `text` in `lang`.
pub fn tx(lang: Lang, text: Text) -> &'static str {
    use Text::*;
    match lang {
        Lang::En => match text {
            Tree => "Object tree",
            Filter => "Filter by name",
            ClusterScoped => "Cluster-scoped",
            More => "{n} more: filter by name to narrow",
            Count => "{n} objects",
            NoMatch => "No objects match.",
            EditInEditor => "Edit in editor",
            Close => "Close",
            Gone => "This object is gone from the cluster.",
            Pick => "Choose an object to see its YAML (Enter on the keyboard).",
        },
        Lang::Ko => match text {
            Tree => "오브젝트 트리",
            Filter => "이름으로 거르기",
            ClusterScoped => "클러스터 범위",
            More => "{n}개 더 있음: 이름으로 걸러 좁혀 보세요",
            Count => "오브젝트 {n}개",
            NoMatch => "일치하는 오브젝트가 없습니다.",
            EditInEditor => "편집기에서 수정",
            Close => "닫기",
            Gone => "이 오브젝트는 클러스터에서 삭제되었습니다.",
            Pick => "오브젝트를 고르면 YAML이 보입니다 (키보드로는 Enter).",
        },
    }
}
