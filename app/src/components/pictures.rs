//! Which picture a lesson step opens, and when. A step names one
//! (`map`, `services`, `objects`, `explainer`, `timeline`, `events`,
//! `dashboards`); the top of the pictures pane switches to the map, the
//! service picture or the object tree as the step opens, and the inspector
//! opens at the moment the step is about: the scheduling explainer when a pod stays Pending, the timeline
//! of the workload whose new pod appears (a rollout, a restart). Once the
//! learner picks or closes something themselves, the step stops choosing.

use super::cluster_map::{InspectorTab, Selected};
use crate::bridge::BridgeHandle;
use engine::{ClusterView, PodChip};
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

/// What the top of the pictures pane shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Top {
    Map,
    Services,
    /// The object tree with its YAML view.
    Objects,
}

/// What the step chose, and whether it may go on choosing.
#[derive(Clone, Default)]
struct Following {
    /// The step it follows: lesson id, step index.
    step: Option<(String, usize)>,
    /// Pods there when the step opened: not what the step is about.
    before: BTreeSet<(String, String)>,
    /// Still choosing (the learner has not chosen).
    on: bool,
}

fn key(p: &PodChip) -> (String, String) {
    (p.namespace.clone(), p.name.clone())
}

/// The pod the explainer should show: one the scheduler tried and could
/// not place.
fn pending_pod<'a>(bridge: &BridgeHandle, view: &'a ClusterView) -> Option<&'a PodChip> {
    view.pods
        .iter()
        .filter(|p| !p.system && p.node.is_none())
        .find(|p| bridge.0.scheduling_trace(&p.namespace, &p.name).is_some_and(|attempts| !attempts.is_empty()))
}

/// The pod whose workload's timeline tells the step's story.
fn timeline_pod<'a>(view: &'a ClusterView, before: &BTreeSet<(String, String)>) -> Option<&'a PodChip> {
    let new = |p: &&PodChip| !p.system && !before.contains(&key(p));
    view.pods.iter().rev().filter(new).find(|p| p.owner.is_some()).or_else(|| view.pods.iter().rev().find(new))
}

/// Follows the lesson's step: switches `top` as a step opens and, while the
/// learner has not chosen, points the inspector (`selected`, opened on
/// `tab`) at what the step is about. Returns what to call when the learner
/// chooses for themselves.
#[hook]
pub fn use_lesson_picture(
    bridge: &BridgeHandle,
    view: &Rc<ClusterView>,
    top: &UseStateHandle<Top>,
    selected: &UseStateHandle<Option<Selected>>,
    tab: &UseStateHandle<Option<InspectorTab>>,
) -> Callback<()> {
    let following = use_mut_ref(Following::default);
    let redraw = use_force_update();
    let lesson = bridge.0.lesson();
    let step = lesson.as_ref().map(|s| (s.lesson.id.clone(), s.index));
    let picture = lesson.as_ref().and_then(|s| s.lesson.steps.get(s.index)).and_then(|s| s.picture.clone());
    {
        let following = following.clone();
        let view = view.clone();
        let top = top.clone();
        let picture = picture.clone();
        let redraw = redraw.clone();
        let selected = selected.clone();
        use_effect_with(step.clone(), move |step| {
            // What the last step showed belongs to a cluster that is gone.
            selected.set(None);
            let mut f = following.borrow_mut();
            f.before = view.pods.iter().map(key).collect();
            f.on = step.is_some();
            match picture.as_deref() {
                Some("services") => top.set(Top::Services),
                Some("objects") => top.set(Top::Objects),
                Some(_) => top.set(Top::Map),
                None => {}
            }
            // Look again now: with the clock paused nothing else redraws.
            redraw.force_update();
        });
    }
    let wanted = {
        let f = following.borrow();
        let current = selected.as_ref().filter(|s| match s {
            Selected::Pod { namespace, name } => view.pods.iter().any(|p| p.namespace == *namespace && p.name == *name),
            Selected::Node(_) => true,
        });
        match picture.as_deref() {
            _ if !f.on || f.step != step => None,
            Some("explainer") if current.is_none() => {
                pending_pod(bridge, view).map(|p| (pod(p), InspectorTab::Scheduling))
            }
            Some("timeline") if current.is_none() => timeline_pod(view, &f.before).map(|p| {
                let tab = if p.owner.is_some() { InspectorTab::Workload } else { InspectorTab::Timeline };
                (pod(p), tab)
            }),
            _ => None,
        }
    };
    {
        let selected = selected.clone();
        let tab = tab.clone();
        use_effect_with(wanted, move |wanted| {
            if let Some((pod, open_on)) = wanted.clone() {
                if selected.as_ref() != Some(&pod) {
                    tab.set(Some(open_on));
                    selected.set(Some(pod));
                }
            }
        });
    }
    following.borrow_mut().step = step;
    // The learner chose: the step stops choosing.
    Callback::from(move |_: ()| following.borrow_mut().on = false)
}

fn pod(p: &PodChip) -> Selected {
    Selected::Pod { namespace: p.namespace.clone(), name: p.name.clone() }
}
