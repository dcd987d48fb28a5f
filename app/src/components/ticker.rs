//! The clock's ticks, paced so the page answers the keyboard whatever the
//! cluster's size. The engine runs on the page's main thread (see
//! ARCHITECTURE.md: a Web Worker was weighed and measured against this), so
//! no piece of a tick may hold that thread long:
//!
//! - every [`TICK_MS`] of real time, `TICK_MS × speed` of simulated time
//!   becomes due;
//! - it is stepped in slices sized from what the last slices cost, and the
//!   loop yields to the browser (a task boundary, where pending input runs)
//!   after [`TASK_MS`] of stepping;
//! - a tick steps for at most [`TICK_BUDGET_MS`] in all. What is still owed
//!   waits for the next tick, up to [`BACKLOG_TICKS`] ticks' worth; the rest
//!   is dropped, so a cluster too large for the speed asked runs slower, and
//!   the pace it really keeps is reported for the clock to show;
//! - the pictures are refreshed after the stepping, in a task of their own.

use crate::bridge::BridgeHandle;
use std::cell::Cell;
use std::collections::VecDeque;
use std::rc::Rc;
use yew::prelude::*;

/// How often simulated time becomes due, in real milliseconds.
pub const TICK_MS: u32 = 200;
/// Real milliseconds of stepping before the loop yields to input.
const TASK_MS: f64 = 6.0;
/// Real milliseconds of stepping per tick, over all its tasks: a fifth of
/// the tick, so drawing, typing and saving keep the rest.
const TICK_BUDGET_MS: f64 = 40.0;
/// How many ticks' worth of simulated time may be owed before the rest is
/// dropped.
const BACKLOG_TICKS: i64 = 2;
/// The smallest slice of simulated time one step takes (ms).
const MIN_SLICE: i64 = 10;
/// The ticks over which the pace kept is averaged.
const PACE_TICKS: usize = 10;

fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Resolves after `ms` of real time through the browser's timer queue: a
/// task boundary, where input waiting to be handled runs first.
async fn sleep(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let timer = web_sys::window()
            .and_then(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.max(0.0) as i32).ok());
        if timer.is_none() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The next slice of simulated time (ms): the last one scaled to take about
/// half a task's budget at the cost it had.
fn next_slice(slice: i64, took: f64) -> i64 {
    let want = TASK_MS / 2.0;
    let scaled = if took < 0.5 { slice.saturating_mul(2) } else { (slice as f64 * want / took) as i64 };
    scaled.clamp(MIN_SLICE, 3_600_000)
}

/// Runs the clock at `speed` (0: paused) while the page shows; after each
/// tick's stepping calls `after` (redraw, poll the terminal). Returns the
/// speed the cluster really keeps when it falls behind (`None` while it
/// keeps up).
#[hook]
pub fn use_ticker(bridge: &BridgeHandle, speed: u32, after: Rc<dyn Fn()>) -> Option<f64> {
    let behind = use_state_eq(|| None::<u64>);
    {
        let bridge = bridge.clone();
        let behind = behind.setter();
        use_effect_with(speed, move |&speed| {
            let alive = Rc::new(Cell::new(true));
            behind.set(None);
            if speed > 0 {
                let alive = alive.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let due = i64::from(TICK_MS) * i64::from(speed);
                    let mut owed = 0i64;
                    let mut slice = i64::from(TICK_MS);
                    let mut next = now() + f64::from(TICK_MS);
                    let mut kept: VecDeque<i64> = VecDeque::new();
                    loop {
                        sleep(next - now()).await;
                        if !alive.get() {
                            return;
                        }
                        // A late tick does not make the next one early.
                        next = (next + f64::from(TICK_MS)).max(now() + f64::from(TICK_MS) / 2.0);
                        owed = (owed + due).min(due * BACKLOG_TICKS);
                        let (mut spent, mut stepped) = (0.0, 0i64);
                        while owed > 0 && spent < TICK_BUDGET_MS {
                            let task = now();
                            while owed > 0 && now() - task < TASK_MS {
                                let s = slice.min(owed);
                                let t = now();
                                bridge.0.step(s);
                                slice = next_slice(s, now() - t);
                                owed -= s;
                                stepped += s;
                            }
                            spent += now() - task;
                            sleep(0.0).await;
                            if !alive.get() {
                                return;
                            }
                        }
                        after();
                        kept.push_back(stepped);
                        if kept.len() > PACE_TICKS {
                            kept.pop_front();
                        }
                        let pace = kept.iter().sum::<i64>() as f64 / (kept.len() as f64 * f64::from(TICK_MS));
                        // Behind when under 90% of the speed asked, averaged
                        // over whole ticks; shown to a tenth.
                        let full = kept.len() == PACE_TICKS;
                        behind.set((full && pace < 0.9 * f64::from(speed)).then(|| (pace * 10.0).round() as u64));
                    }
                });
            }
            move || alive.set(false)
        });
    }
    (*behind).map(|tenths| tenths as f64 / 10.0)
}
