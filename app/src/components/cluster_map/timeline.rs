//! Pod lifecycle timelines as a Gantt chart in SVG: one lane per pod (its
//! phase and readiness as thin strips, its Events and restarts as marks
//! with tooltips) and a sub-lane per container (init containers first),
//! coloured by waiting / running / terminated, on the simulated clock up
//! to "now". Used for one pod and for every pod of a workload, so a rolling
//! update or a drain reads as old lanes ending while new ones turn Ready.

use super::text::{tx, Text};
use crate::i18n::Lang;
use crate::style::palette::*;
use engine::timeline::{ContainerState, PodTimeline, Span};
use engine::Time;
use yew::prelude::*;

/// Width of the drawing in SVG units (it scales to the panel).
const WIDTH: f64 = 820.0;
/// Left column for lane names.
const LABELS: f64 = 170.0;
const ROW: f64 = 18.0;
const POD_ROW: f64 = 26.0;
const AXIS: f64 = 22.0;

/// A container span's colour, and its word in the legend.
fn container_colour(span: &Span) -> &'static str {
    match span.state {
        ContainerState::Waiting => WARN,
        ContainerState::Running => OK,
        ContainerState::Terminated if span.exit_code == Some(0) => DONE,
        ContainerState::Terminated => ERROR,
    }
}

fn phase_colour(phase: &str) -> &'static str {
    match phase {
        "Running" => OK,
        "Succeeded" => DONE,
        "Failed" => ERROR,
        "Terminating" => MUTED,
        _ => WARN,
    }
}

/// `hh:mm:ss` of the simulated clock (UTC, as kubectl's timestamps).
fn clock(t: Time) -> String {
    let s = t.0.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A tick step, in ms, giving at most about eight ticks over `range`.
fn tick_step(range: i64) -> i64 {
    const STEPS: [i64; 12] =
        [1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000];
    STEPS.into_iter().find(|s| range / s <= 8).unwrap_or(7_200_000)
}

fn span_text(span: &Span, lang: Lang) -> String {
    let what = match span.state {
        ContainerState::Waiting => format!("{}: {}", tx(lang, Text::Waiting), span.reason),
        ContainerState::Running => tx(lang, Text::Running).to_string(),
        ContainerState::Terminated => {
            format!("{} (exit code {})", span.reason, span.exit_code.unwrap_or_default())
        }
    };
    format!("{what} · {} {}", tx(lang, Text::Restarts), span.restarts)
}

/// The chart for `lines`, up to `now`.
pub fn timeline(lang: Lang, lines: &[PodTimeline], now: Time) -> Html {
    if lines.is_empty() {
        return html! { <p class="note" data-testid="timeline-empty">{ tx(lang, Text::NoTimeline) }</p> };
    }
    let start = lines.iter().map(|l| l.created).min().unwrap_or(now);
    let range = now.0.saturating_sub(start.0).max(1_000);
    let plot = WIDTH - LABELS - 10.0;
    let x = move |t: Time| LABELS + (t.0.saturating_sub(start.0)) as f64 / range as f64 * plot;
    let bar = move |s: &Span| {
        let x0 = x(s.start);
        let x1 = x(s.end.unwrap_or(now));
        (x0, (x1 - x0).max(1.5))
    };
    let mut y = AXIS;
    let mut rows = Vec::new();
    for line in lines {
        let top = y;
        let restarts: i32 = line.containers.iter().map(|c| c.restarts).sum();
        let phase = line.phases.last().map(|s| s.reason.as_str()).unwrap_or("Pending");
        let phases = line.phases.iter().map(|s| {
            let (x0, w) = bar(s);
            html! { <rect x={x0.to_string()} y={(top + 3.0).to_string()} width={w.to_string()} height="6"
            fill={phase_colour(&s.reason)} data-phase={s.reason.clone()}>
            <title>{ format!("{}: {}", tx(lang, Text::Phase), s.reason) }</title></rect> }
        });
        let ready = line.readiness.iter().filter(|s| s.reason == "Ready").map(|s| {
            let (x0, w) = bar(s);
            html! { <rect x={x0.to_string()} y={(top + 11.0).to_string()} width={w.to_string()} height="4"
            fill={ACCENT} data-ready="true"><title>{ tx(lang, Text::Ready) }</title></rect> }
        });
        let marks = line.marks.iter().map(|m| {
            let mx = x(m.time);
            let warn = m.type_ == "Warning";
            let points = format!("{},{} {},{} {},{}", mx - 4.0, top + 17.0, mx + 4.0, top + 17.0, mx, top + 24.0);
            let tip = format!(
                "{} {} {}{}: {}",
                clock(m.time),
                m.type_,
                m.reason,
                m.container.as_deref().map(|c| format!(" [{c}]")).unwrap_or_default(),
                m.message
            );
            html! { <polygon points={points} class={if warn { "mark warning" } else { "mark" }}
            data-mark={m.reason.clone()}><title>{ tip }</title></polygon> }
        });
        let label = format!("{} · {} {}", line.name, tx(lang, Text::Restarts), restarts);
        let deleted = line.deleted.is_some();
        rows.push(html! {
            <g data-pod={line.name.clone()} data-restarts={restarts.to_string()} data-phase={phase.to_string()}
                data-deleted={deleted.to_string()}>
                <text x="4" y={(top + 15.0).to_string()} class={if deleted { "pod gone" } else { "pod" }}>
                    { label.clone() }<title>{ format!("{label}{}", line.node.as_deref().map(|n| format!(" · {n}")).unwrap_or_default()) }</title>
                </text>
                { for phases }
                { for ready }
                { for marks }
            </g>
        });
        y += POD_ROW;
        for lane in &line.containers {
            let ly = y;
            let spans = lane.spans.iter().map(|s| {
                let (x0, w) = bar(s);
                let state = match s.state {
                    ContainerState::Waiting => "Waiting",
                    ContainerState::Running => "Running",
                    ContainerState::Terminated => "Terminated",
                };
                html! { <rect x={x0.to_string()} y={(ly + 2.0).to_string()} width={w.to_string()} height={(ROW - 5.0).to_string()}
                    rx="2" fill={container_colour(s)} data-state={state} data-reason={s.reason.clone()}
                    data-restarts={s.restarts.to_string()}><title>{ span_text(s, lang) }</title></rect> }
            });
            let name = if lane.init { format!("  init: {}", lane.name) } else { format!("  {}", lane.name) };
            rows.push(html! {
                <g data-container={lane.name.clone()} data-init={lane.init.to_string()}>
                    <text x="4" y={(ly + 12.0).to_string()} class="container">{ name }</text>
                    { for spans }
                </g>
            });
            y += ROW;
        }
        y += 6.0;
        rows.push(html! { <line x1="0" x2={WIDTH.to_string()} y1={(y - 3.0).to_string()} y2={(y - 3.0).to_string()} class="sep" /> });
    }
    let height = y + 4.0;
    let step = tick_step(range);
    let first = (start.0 + step - 1).div_euclid(step) * step;
    let ticks = (0..).map(|i| Time(first + i * step)).take_while(|t| t.0 <= now.0).map(|t| {
        let tx_ = x(t);
        // The "now" label takes the axis at the right end.
        let labelled = x(now) - tx_ > 80.0;
        html! { <g class="tick">
            <line x1={tx_.to_string()} x2={tx_.to_string()} y1={(AXIS - 4.0).to_string()} y2={height.to_string()} />
            if labelled { <text x={tx_.to_string()} y="12" text-anchor="middle">{ clock(t) }</text> }
        </g> }
    });
    let nx = x(now);
    let legend = [
        (WARN, Text::Waiting),
        (OK, Text::Running),
        (DONE, Text::Completed),
        (ERROR, Text::Failed),
        (ACCENT, Text::Ready),
        (MUTED, Text::Terminating),
    ];
    html! {
        <div class="timeline" data-testid="timeline">
            <ul class="legend" data-testid="timeline-legend">
                { for legend.iter().map(|(c, t)| html! {
                    <li><span class="swatch" style={format!("background:{c}")}></span>{ tx(lang, *t) }</li>
                }) }
                <li><span class="tri"></span>{ tx(lang, Text::Events) }</li>
            </ul>
            <svg viewBox={format!("0 0 {WIDTH} {height}")} width="100%" role="img" data-testid="timeline-svg"
                aria-label={tx(lang, Text::Timeline)}>
                { for ticks }
                { for rows }
                <line class="now" data-testid="timeline-now" x1={nx.to_string()} x2={nx.to_string()} y1="14" y2={height.to_string()} />
                <text class="now-label" x={(nx - 2.0).to_string()} y="12" text-anchor="end">{ clock(now) }</text>
            </svg>
        </div>
    }
}
