//! The service picture: how a request finds a pod in one namespace. Entry
//! points on the left (Ingress rules, load-balancer addresses, every node
//! with its kube-proxy), Services in the middle, their endpoints on the
//! right with their readiness, and the latest requests as dots travelling
//! the path the engine traced for them. A stopped kube-proxy is a red node
//! whose lines are cut; a failing readiness probe is an endpoint no line
//! carries traffic to.
//!
//! Drawn as one SVG in its own coordinates (scaled to the pane), so a dot's
//! path is in the same units as the boxes. Dots move with CSS keyframes
//! written per request: an animation starts when its element is inserted,
//! so each request is animated once, also while time is paused.

use super::cluster_map::text::{tx, Text};
use crate::bridge::BridgeHandle;
use crate::i18n::Lang;
use crate::style::palette::*;
use engine::{EndpointDot, Readiness, RequestDot, ServiceBox, ServiceView, Time};
use std::collections::BTreeMap;
use stylist::yew::styled_component;
use yew::prelude::*;

/// Narrow enough that a pictures column of 400 px draws 11 px text at
/// about 9 px; longer lines are squeezed into their box (`label`).
const WIDTH: f64 = 480.0;
const ENTRY_X: f64 = 4.0;
const ENTRY_W: f64 = 138.0;
const SERVICE_X: f64 = 170.0;
const SERVICE_W: f64 = 150.0;
const POD_X: f64 = 346.0;
const POD_W: f64 = 130.0;
const FONT: f64 = 11.0;
const LINE: f64 = 15.0;
const ENDPOINT_H: f64 = 34.0;
const GAP: f64 = 14.0;
/// Requests older than this (simulated) are not drawn.
const RECENT_MS: i64 = 30_000;
/// At most this many dots at once.
const DOTS: usize = 6;

#[derive(Properties, PartialEq)]
pub struct ServicePictureProps {
    pub bridge: BridgeHandle,
    pub namespace: String,
    /// The clock and the journal's length: the picture is read again when
    /// time moves or the learner does something (a curl changes no object).
    pub now: Time,
    pub inputs: usize,
}

type Point = (f64, f64);

/// Where each drawn thing is, in the SVG's units.
#[derive(Default)]
struct Geometry {
    height: f64,
    /// Right-edge anchors of entry points: ingress by name, node by name,
    /// load balancer by Service name.
    ingress: BTreeMap<String, Point>,
    node: BTreeMap<String, Point>,
    balancer: BTreeMap<String, Point>,
    /// Each Service's box: (top, height).
    service: BTreeMap<String, (f64, f64)>,
    /// Left-edge anchors of endpoints, by (Service, pod or IP).
    endpoint: BTreeMap<(String, String), Point>,
}

fn service_height(s: &ServiceBox) -> f64 {
    let text = LINE * (2.0 + s.ports.len() as f64) + 14.0;
    // No endpoints: room for the words saying so.
    let right = if s.endpoints.is_empty() { 4.0 * LINE } else { s.endpoints.len() as f64 * (ENDPOINT_H + 4.0) };
    text.max(right)
}

fn endpoint_key(e: &EndpointDot) -> String {
    e.pod.clone().unwrap_or_else(|| e.ip.clone())
}

/// Entry points worth drawing: nodes only when a Service opens a port on them.
fn exposed(view: &ServiceView) -> bool {
    view.services.iter().any(|s| s.ports.iter().any(|p| p.node_port.is_some()))
}

fn layout(view: &ServiceView) -> Geometry {
    let mut g = Geometry::default();
    let mut y = 8.0;
    for s in &view.services {
        let h = service_height(s);
        g.service.insert(s.name.clone(), (y, h));
        for (i, e) in s.endpoints.iter().enumerate() {
            g.endpoint.insert(
                (s.name.clone(), endpoint_key(e)),
                (POD_X, y + i as f64 * (ENDPOINT_H + 4.0) + ENDPOINT_H / 2.0),
            );
        }
        y += h + GAP;
    }
    let mut left = 8.0;
    for i in &view.ingresses {
        let h = LINE * (1.0 + i.routes.len() as f64) + 12.0;
        g.ingress.insert(i.name.clone(), (ENTRY_X + ENTRY_W, left + h / 2.0));
        left += h + GAP;
    }
    for s in view.services.iter().filter(|s| !s.load_balancer.is_empty()) {
        g.balancer.insert(s.name.clone(), (ENTRY_X + ENTRY_W, left + 17.0));
        left += 34.0 + GAP;
    }
    if exposed(view) {
        for n in &view.nodes {
            g.node.insert(n.name.clone(), (ENTRY_X + ENTRY_W, left + 17.0));
            left += 34.0 + 6.0;
        }
    }
    g.height = y.max(left) + 4.0;
    g
}

/// The points a request went through, entry first.
fn path(g: &Geometry, r: &RequestDot) -> Vec<Point> {
    let service = r.service.as_ref().and_then(|s| g.service.get(s).map(|b| (s, b)));
    let mut points = Vec::new();
    let entry = r
        .ingress
        .as_ref()
        .and_then(|i| g.ingress.get(i))
        .or_else(|| r.node.as_ref().and_then(|n| g.node.get(n)))
        .copied();
    match (entry, service) {
        (Some(p), _) => points.push(p),
        // From inside the cluster: the dot starts at the Service's door.
        (None, Some((_, (top, h)))) => points.push((ENTRY_X + ENTRY_W, top + h / 2.0)),
        (None, None) => return points,
    }
    if let Some((name, (top, h))) = service {
        points.push((SERVICE_X, top + h / 2.0));
        points.push((SERVICE_X + SERVICE_W, top + h / 2.0));
        if let Some(p) = r.pod.as_ref().and_then(|pod| g.endpoint.get(&(name.clone(), pod.clone()))) {
            points.push(*p);
        }
    }
    points
}

/// Keyframes carrying a dot along `points` (80% of the time), then fading.
fn keyframes(name: &str, points: &[Point]) -> String {
    let mut frames = format!("@keyframes {name} {{");
    let last = points.len().saturating_sub(1).max(1) as f64;
    for (i, (x, y)) in points.iter().enumerate() {
        frames +=
            &format!(" {:.0}% {{ transform: translate({x:.1}px, {y:.1}px); opacity: 1; }}", 80.0 * i as f64 / last);
    }
    if let Some((x, y)) = points.last() {
        frames += &format!(" 100% {{ transform: translate({x:.1}px, {y:.1}px); opacity: 0; }}");
    }
    frames + " }"
}

fn readiness(e: &EndpointDot) -> (&'static str, Text) {
    match e.readiness {
        Readiness::Ready => ("ready", Text::Ready),
        Readiness::NotReady => ("not-ready", Text::NotReady),
        Readiness::Terminating => ("terminating", Text::Terminating),
    }
}

/// How wide `text` is drawn (monospace: about 0.6 em per Latin glyph, 1 em
/// per Hangul).
fn width(text: &str) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.6 } else { 1.0 }).sum::<f64>() * FONT
}

/// A line of text at (x, y), squeezed into `room` when it would run out of
/// its box.
fn label(x: f64, y: f64, class: &'static str, text: String, room: f64) -> Html {
    let squeeze = (width(&text) > room).then(|| format!("{room:.0}"));
    let adjust = squeeze.as_ref().map(|_| "spacingAndGlyphs");
    html! { <text x={format!("{x:.1}")} y={format!("{y:.1}")} {class} textLength={squeeze} lengthAdjust={adjust}>{ text }</text> }
}

/// `text` over as many lines as it needs to stay within `room`.
fn wrapped(x: f64, y: f64, class: &'static str, text: &str, room: f64) -> Html {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ') {
        match lines.last_mut() {
            Some(line) if width(line) + width(word) + FONT * 0.6 <= room => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines.into_iter().enumerate().map(|(i, line)| label(x, y + LINE * i as f64, class, line, room)).collect()
}

fn link(from: Point, to: Point, class: &'static str) -> Html {
    let mid = (from.0 + to.0) / 2.0;
    let d =
        format!("M{:.1},{:.1} C{mid:.1},{:.1} {mid:.1},{:.1} {:.1},{:.1}", from.0, from.1, from.1, to.1, to.0, to.1);
    html! { <path class={classes!("link", class)} {d} /> }
}

fn services(lang: Lang, view: &ServiceView, g: &Geometry) -> Html {
    view.services
        .iter()
        .map(|s| {
            let (top, h) = g.service.get(&s.name).copied().unwrap_or_default();
            let top_of_service = top;
            let ports = s.ports.iter().enumerate().map(|(i, p)| {
                let node = p.node_port.map(|n| format!(" · node {n}")).unwrap_or_default();
                label(SERVICE_X + 8.0, top + 14.0 + LINE * (2.0 + i as f64), "port", format!("{} → {}{node}", p.port, p.target), SERVICE_W - 14.0)
            });
            let endpoints = s.endpoints.iter().map(|e| {
                let (x, y) = g.endpoint.get(&(s.name.clone(), endpoint_key(e))).copied().unwrap_or_default();
                let (class, word) = readiness(e);
                let top = y - ENDPOINT_H / 2.0;
                html! { <g class={classes!("endpoint", class)} data-pod={e.pod.clone().unwrap_or_default()} data-readiness={class}>
                    { link((SERVICE_X + SERVICE_W, top_of_service + h / 2.0), (x, y), class) }
                    <rect x={x.to_string()} y={top.to_string()} width={POD_W.to_string()} height={ENDPOINT_H.to_string()} rx="6" />
                    { label(x + 7.0, top + 14.0, "name", e.pod.clone().unwrap_or_else(|| e.ip.clone()), POD_W - 12.0) }
                    { label(x + 7.0, top + 28.0, "sub", format!("{} · {}", e.ip, tx(lang, word)), POD_W - 12.0) }
                </g> }
            });
            let ip = if s.load_balancer.is_empty() { s.cluster_ip.clone() } else { format!("{} · LB {}", s.cluster_ip, s.load_balancer.join(", ")) };
            html! {
                <g class="service" data-service={s.name.clone()} key={s.name.clone()}>
                    { for endpoints }
                    <rect x={SERVICE_X.to_string()} y={top.to_string()} width={SERVICE_W.to_string()} height={h.to_string()} rx="8" />
                    { label(SERVICE_X + 8.0, top + 16.0, "name", format!("svc/{} · {}", s.name, s.type_), SERVICE_W - 14.0) }
                    { label(SERVICE_X + 8.0, top + 16.0 + LINE, "sub", ip, SERVICE_W - 14.0) }
                    { for ports }
                    if s.endpoints.is_empty() {
                        { wrapped(POD_X, top + 14.0, "none", tx(lang, Text::NoEndpoints), POD_W) }
                    }
                </g>
            }
        })
        .collect()
}

fn entries(lang: Lang, view: &ServiceView, g: &Geometry) -> Html {
    let to_service = |name: &str| g.service.get(name).map(|(top, h)| (SERVICE_X, top + h / 2.0));
    let ingresses = view.ingresses.iter().map(|i| {
        let (x, y) = g.ingress.get(&i.name).copied().unwrap_or_default();
        let h = LINE * (1.0 + i.routes.len() as f64) + 12.0;
        let top = y - h / 2.0;
        let links = i.routes.iter().filter_map(|r| to_service(&r.service).map(|to| link((x, y), to, "ingress")));
        let routes = i.routes.iter().enumerate().map(|(k, r)| {
            let host = if r.host.is_empty() { "*" } else { r.host.as_str() };
            label(ENTRY_X + 8.0, top + 14.0 + LINE * (1.0 + k as f64), "port", format!("{host}{} → {}:{}", r.path, r.service, r.port), ENTRY_W - 14.0)
        });
        html! { <g class="ingress" data-ingress={i.name.clone()}>
            { for links }
            <rect x={ENTRY_X.to_string()} y={top.to_string()} width={ENTRY_W.to_string()} height={h.to_string()} rx="8" />
            { label(ENTRY_X + 8.0, top + 14.0, "name", format!("ingress/{}", i.name), ENTRY_W - 14.0) }
            { for routes }
        </g> }
    });
    let balancers = view.services.iter().filter(|s| !s.load_balancer.is_empty()).map(|s| {
        let (x, y) = g.balancer.get(&s.name).copied().unwrap_or_default();
        html! { <g class="balancer">
            { to_service(&s.name).map(|to| link((x, y), to, "ingress")).unwrap_or_default() }
            <rect x={ENTRY_X.to_string()} y={(y - 17.0).to_string()} width={ENTRY_W.to_string()} height="34" rx="8" />
            { label(ENTRY_X + 8.0, y - 3.0, "name", tx(lang, Text::LoadBalancer).to_string(), ENTRY_W - 14.0) }
            { label(ENTRY_X + 8.0, y + 11.0, "sub", s.load_balancer.join(", "), ENTRY_W - 14.0) }
        </g> }
    });
    let exposed: Vec<&ServiceBox> =
        view.services.iter().filter(|s| s.ports.iter().any(|p| p.node_port.is_some())).collect();
    let nodes = view.nodes.iter().filter_map(|n| g.node.get(&n.name).map(|a| (n, *a))).map(|(n, (x, y))| {
        let class = if n.proxy { "proxy-on" } else { "proxy-off" };
        let links = exposed.iter().filter_map(|s| to_service(&s.name).map(|to| link((x, y), to, class)));
        let proxy = tx(lang, if n.proxy { Text::ProxyRuns } else { Text::ProxyStopped });
        html! { <g class={classes!("node", class)} data-node={n.name.clone()}>
            { for links }
            <rect x={ENTRY_X.to_string()} y={(y - 17.0).to_string()} width={ENTRY_W.to_string()} height="34" rx="6" />
            { label(ENTRY_X + 8.0, y - 3.0, "name", format!("{} {}", n.name, n.ip), ENTRY_W - 14.0) }
            { label(ENTRY_X + 8.0, y + 11.0, "sub", proxy.to_string(), ENTRY_W - 14.0) }
        </g> }
    });
    html! { <>{ for ingresses }{ for balancers }{ for nodes }</> }
}

/// The recent requests, as dots and the CSS that moves them.
fn dots(view: &ServiceView, g: &Geometry, now: Time) -> (Html, String) {
    let recent: Vec<&RequestDot> =
        view.requests.iter().filter(|r| now.0 - r.at.0 <= RECENT_MS).rev().take(DOTS).collect();
    let mut css = String::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let html = recent
        .into_iter()
        .rev()
        .filter_map(|r| {
            let points = path(g, r);
            if points.is_empty() {
                return None;
            }
            let base = format!("{}-{}", r.at.0, r.url);
            let n = seen.entry(base.clone()).or_default();
            *n += 1;
            let key = format!("{base}-{n}");
            let name = format!("dot{}", key.bytes().fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))));
            css += &keyframes(&name, &points);
            let class = if r.answered { "dot answered" } else { "dot failed" };
            Some(html! { <circle {key} class={class} r="6" cx="0" cy="0" style={format!("animation: {name} 1.6s ease-in-out forwards")} /> })
        })
        .collect();
    (html, css)
}

fn last_request(lang: Lang, view: &ServiceView) -> Html {
    let Some(r) = view.requests.last() else {
        return html! {};
    };
    let hops: Vec<&str> = [&r.node, &r.ingress, &r.service, &r.pod].into_iter().flatten().map(String::as_str).collect();
    html! {
        <p class={classes!("last", if r.answered { "ok" } else { "failed" })} data-testid="last-request">
            { format!("{}: {} → {}", tx(lang, Text::LastRequest), r.url, r.outcome) }
            if !hops.is_empty() { <span>{ format!(" ({})", hops.join(" → ")) }</span> }
        </p>
    }
}

#[styled_component]
pub fn ServicePicture(props: &ServicePictureProps) -> Html {
    let lang = use_context::<Lang>().unwrap_or_default();
    let view = props.bridge.0.service_view(&props.namespace);
    let g = layout(&view);
    let (dots, keyframes) = dots(&view, &g, props.now);
    let style = css!(
        r#"
        background: ${panel}; border: 1px solid ${edge}; border-radius: 10px; padding: 12px;
        overflow-y: auto; min-height: 0; min-width: 0;
        h2 { margin: 0 0 10px; font-size: 14px; color: ${muted}; text-transform: uppercase; letter-spacing: 1px; }
        h2 code { text-transform: none; font-family: ${mono}; }
        .empty { color: ${muted}; font-size: 14px; }
        .empty code { font-family: ${mono}; color: ${text}; }
        svg { display: block; width: 100%; max-width: 720px; height: auto; font-family: ${mono}; font-size: 11px; }
        svg rect { fill: ${raised}; stroke: ${edge}; }
        svg text { fill: ${text}; }
        svg text.name { font-weight: 700; }
        svg text.sub, svg text.port { fill: ${muted}; }
        svg text.none { fill: ${warn}; }
        .service rect { stroke: ${accent}; stroke-width: 1.5; }
        .link { fill: none; stroke: ${muted}; stroke-width: 1.5; }
        .link.ready { stroke: ${ok}; }
        .link.not-ready, .link.terminating, .link.proxy-off { stroke-dasharray: 4 4; }
        .link.not-ready { stroke: ${warn}; }
        .link.proxy-off { stroke: ${error}; opacity: 0.6; }
        .endpoint.ready rect { stroke: ${ok}; }
        .endpoint.not-ready rect { stroke: ${warn}; stroke-dasharray: 4 3; }
        .endpoint.not-ready text.sub { fill: ${warn}; }
        .endpoint.terminating { opacity: 0.6; }
        .node.proxy-off rect { stroke: ${error}; }
        .node.proxy-off text.sub { fill: ${error}; font-weight: 700; }
        .dot { opacity: 0; }
        .dot.answered { fill: ${accent}; }
        .dot.failed { fill: ${error}; }
        .last { margin: 8px 0 0; font-family: ${mono}; font-size: 12.5px; }
        .last.ok { color: ${ok}; }
        .last.failed { color: ${error}; }
        .last span { color: ${muted}; }
        "#,
        panel = PANEL,
        edge = PANEL_EDGE,
        muted = MUTED,
        mono = MONO,
        text = TEXT,
        raised = RAISED,
        accent = ACCENT,
        ok = OK,
        warn = WARN,
        error = ERROR,
    );
    let nothing = view.services.is_empty() && view.ingresses.is_empty();
    html! {
        <section class={style} aria-label={tx(lang, Text::Services)} data-testid="service-picture">
            <h2>{ tx(lang, Text::Services) }{ " · " }<code>{ props.namespace.clone() }</code></h2>
            if nothing {
                <p class="empty">{ tx(lang, Text::NoServices) }<br />
                    <code>{ "kubectl expose deployment web --port=80 --type=NodePort" }</code></p>
            } else {
                <svg viewBox={format!("0 0 {WIDTH} {:.0}", g.height)} role="img" aria-label={tx(lang, Text::Services)}>
                    <style>{ keyframes }</style>
                    { entries(lang, &view, &g) }
                    { services(lang, &view, &g) }
                    { dots }
                </svg>
            }
            { last_request(lang, &view) }
        </section>
    }
}
