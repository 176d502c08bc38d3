//! The `Engine`: runs detectors, switches from learning to detecting, aggregates and
//! suppresses alerts, saves and loads baselines (DESIGN.md §3 `Engine`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::aggregate::{Aggregator, Ctx};
use crate::alert::{Alert, Finding};
use crate::config::Config;
use crate::detector::{Detector, Mode, Sink};
use crate::event::{Event, Marks};
use crate::protocol::Enrich;
use crate::table::TableStats;

/// Counters of an engine's work.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EngineStats {
    /// Events observed.
    pub events: u64,
    /// Alerts emitted (aggregates included).
    pub alerts: u64,
    /// Aggregates emitted.
    pub aggregates: u64,
    /// Findings folded into an aggregate instead of alerting at once.
    pub suppressed: u64,
    /// Per detector: its name and table counters.
    pub tables: Vec<(String, TableStats)>,
    /// The aggregation table's counters (open groups; evictions are groups closed early
    /// for room, their aggregates emitted).
    pub aggregation: TableStats,
}

/// A saved engine state: every detector's learned tables plus the engine's own clock,
/// mode and aggregation state. Loading it into an engine built from the same `Config`
/// reproduces the original's decisions exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Format version (1).
    pub format: u32,
    /// Learning or detecting.
    pub mode: Mode,
    /// The first event's time.
    pub first_ts: Option<u64>,
    /// The latest event time seen.
    pub clock: u64,
    /// When learning ends, if set by duration.
    pub learn_until: Option<u64>,
    /// Events observed.
    pub events: u64,
    /// Alert aggregation state.
    pub aggregation: Value,
    /// Each detector's name and state, in engine order.
    pub detectors: Vec<(String, Value)>,
}

/// Runs a set of detectors over events (DESIGN.md §3 `Engine`).
pub struct Engine {
    config: Config,
    detectors: Vec<Box<dyn Detector>>,
    /// Each protocol's cross-connection enrichment, run before the detectors.
    enrichers: Vec<Box<dyn Enrich>>,
    sink: Sink,
    mode: Mode,
    first_ts: Option<u64>,
    clock: u64,
    learn_until: Option<u64>,
    aggregation: Aggregator,
    /// Each detector's name, by index.
    names: Vec<&'static str>,
    out: Vec<Alert>,
    stats: EngineStats,
    /// What each detector took on the last batch run on threads (the order they start in).
    costs: Vec<u64>,
}

impl core::fmt::Debug for Engine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Engine")
            .field("mode", &self.mode)
            .field("clock", &self.clock)
            .field(
                "detectors",
                &self.detectors.iter().map(|d| d.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Engine {
    /// An engine with every built-in detector that `config.enable` turns on, in learning
    /// mode.
    pub fn new(config: Config) -> Self {
        let mut e = Self::empty(config);
        for d in crate::detectors::builtin(&e.config) {
            e.add(d);
        }
        e
    }

    /// An engine with no detector (add them with [`Engine::add`]), in learning mode.
    pub fn empty(config: Config) -> Self {
        Self {
            config,
            detectors: Vec::new(),
            enrichers: crate::protocol::registry()
                .iter()
                .filter_map(|p| p.enricher())
                .collect(),
            sink: Sink::new(Mode::Learning),
            mode: Mode::Learning,
            first_ts: None,
            clock: 0,
            learn_until: None,
            aggregation: Aggregator::default(),
            names: Vec::new(),
            out: Vec::new(),
            stats: EngineStats::default(),
            costs: Vec::new(),
        }
    }

    /// Adds a detector (at most 255).
    pub fn add(&mut self, detector: Box<dyn Detector>) {
        if self.detectors.len() < usize::from(u8::MAX) {
            self.names.push(detector.name());
            self.detectors.push(detector);
            self.costs.push(0);
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The latest event time seen (microseconds).
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// Ends learning now: baselines freeze and deviations are reported from the next event.
    pub fn finish_learning(&mut self) {
        self.mode = Mode::Detecting;
        self.learn_until = None;
    }

    /// Returns to learning (baselines grow again) until [`Engine::finish_learning`].
    pub fn learn(&mut self) {
        self.mode = Mode::Learning;
        self.learn_until = None;
    }

    /// The marks each protocol's enrichment adds to `ev` (learning from it, in order).
    fn enrich(&mut self, ev: &Event<'_>) -> Marks {
        let mut extra = Marks::NONE;
        for e in &mut self.enrichers {
            if e.protocol() == ev.protocol {
                extra |= e.marks(ev);
            }
        }
        extra
    }

    /// Moves the clock to `ts` (the first event starts the learning period); ends learning
    /// when its time is up.
    fn tick(&mut self, ts: u64) {
        self.stats.events += 1;
        self.clock = self.clock.max(ts);
        if self.first_ts.is_none() {
            self.first_ts = Some(ts);
            if self.mode == Mode::Learning && self.config.learning_secs > 0 {
                self.learn_until =
                    Some(ts.saturating_add(self.config.learning_secs.saturating_mul(1_000_000)));
            }
        }
        if self.mode == Mode::Learning && self.learn_until.is_some_and(|u| self.clock >= u) {
            self.finish_learning();
        }
    }

    /// Observes one event; returns the alerts it raised (after aggregation). The slice is
    /// valid until the next call. Events marked [`Event::record_only`] are skipped.
    pub fn observe(&mut self, ev: &Event<'_>) -> &[Alert] {
        self.out.clear();
        if ev.record_only {
            return &self.out;
        }
        let extra = self.enrich(ev);
        let enriched;
        let ev = if extra.is_empty() {
            ev
        } else {
            enriched = Event {
                marks: ev.marks | extra,
                ..*ev
            };
            &enriched
        };
        self.tick(ev.ts);
        self.sink.set_mode(self.mode);
        let Self {
            config,
            detectors,
            sink,
            aggregation,
            names,
            out,
            stats,
            ..
        } = self;
        let ctx = ctx(config, names);
        let mut emit = |a: Alert| {
            count(stats, &a);
            out.push(a);
        };
        aggregation.advance(ev.ts, &ctx, &mut emit);
        let mut folded = 0;
        let network = ev.is_network();
        for (i, d) in detectors.iter_mut().enumerate() {
            if network && !d.network() {
                continue;
            }
            d.observe(ev, sink);
            if sink.findings().is_empty() {
                continue;
            }
            for f in sink.drain() {
                folded += fold(
                    aggregation,
                    &ctx,
                    u8::try_from(i).unwrap_or(u8::MAX),
                    ev,
                    f,
                    &mut emit,
                );
            }
        }
        self.stats.suppressed += folded;
        &self.out
    }

    /// Ends the input: emits the aggregate of every open group that folded something
    /// (oldest first) and closes them all. The slice is valid until the next call.
    pub fn finish(&mut self) -> &[Alert] {
        self.out.clear();
        let Self {
            config,
            aggregation,
            names,
            out,
            stats,
            ..
        } = self;
        aggregation.flush(&ctx(config, names), &mut |a| {
            count(stats, &a);
            out.push(a);
        });
        &self.out
    }

    /// Observes a batch of events in order, running the detectors on up to `threads`
    /// threads (each detector sees every event, in order, on one thread; findings are then
    /// aggregated in the order [`Engine::observe`] would make them, so the alerts, and the
    /// engine's state after the batch, are the same whatever `threads`). `f` gets each
    /// alert with the index of the event that raised it, in order; `learned` is called
    /// with the engine right after the event that ends learning, as a caller of
    /// [`Engine::observe`] would see it.
    pub fn observe_batch(
        &mut self,
        events: &[&Event<'_>],
        threads: usize,
        mut learned: impl FnMut(&Engine),
        mut f: impl FnMut(usize, &Alert),
    ) {
        let mut start = 0;
        while start < events.len() {
            // The events that run in the current mode; the one that ends learning (if any)
            // runs alone after them, in the new mode.
            let mode = self.mode;
            let mut enriched: Vec<(usize, Event<'_>)> = Vec::new();
            let mut list: Vec<(usize, &Event<'_>)> = Vec::new();
            let mut switch = None;
            let mut i = start;
            while let Some(&ev) = events.get(i) {
                i += 1;
                if ev.record_only {
                    continue;
                }
                let extra = self.enrich(ev);
                self.tick(ev.ts);
                let at = i - 1;
                if extra.is_empty() {
                    list.push((at, ev));
                } else {
                    enriched.push((
                        at,
                        Event {
                            marks: ev.marks | extra,
                            ..*ev
                        },
                    ));
                }
                if self.mode != mode {
                    switch = Some(at);
                    break;
                }
            }
            list.extend(enriched.iter().map(|(i, e)| (*i, e)));
            list.sort_unstable_by_key(|(i, _)| *i);
            let last = switch.and_then(|_| list.pop());
            self.judge(&list, mode, threads, &mut f);
            if let Some(last) = last {
                let new_mode = self.mode;
                self.judge(&[last], new_mode, 1, &mut f);
                learned(self);
            }
            start = i;
        }
    }

    /// Runs the detectors on `list` in `mode`, then aggregates their findings in order.
    fn judge(
        &mut self,
        list: &[(usize, &Event<'_>)],
        mode: Mode,
        threads: usize,
        f: &mut impl FnMut(usize, &Alert),
    ) {
        if list.is_empty() {
            return;
        }
        let findings = self.run_detectors(list, mode, threads);
        let Self {
            config,
            aggregation,
            names,
            stats,
            ..
        } = self;
        let ctx = ctx(config, names);
        let mut findings = findings.into_iter().peekable();
        let mut folded = 0;
        // In event order: the windows the event's time closes, then its findings.
        for &(i, ev) in list {
            let mut emit = |a: Alert| {
                count(stats, &a);
                f(i, &a);
            };
            aggregation.advance(ev.ts, &ctx, &mut emit);
            while let Some((_, d, finding)) = findings.next_if(|(j, _, _)| *j == i) {
                folded += fold(aggregation, &ctx, d, ev, finding, &mut emit);
            }
        }
        self.stats.suppressed += folded;
        self.out.clear();
    }

    /// The findings of `list` by every detector, as (event index, detector index, finding)
    /// in the order `observe` would make them.
    fn run_detectors(
        &mut self,
        list: &[(usize, &Event<'_>)],
        mode: Mode,
        threads: usize,
    ) -> Vec<(usize, u8, Finding)> {
        let one = |(d, det): (usize, &mut Box<dyn Detector>)| {
            let mut sink = Sink::new(mode);
            let mut out = Vec::new();
            let d = u8::try_from(d).unwrap_or(u8::MAX);
            let network = det.network();
            for &(i, ev) in list {
                if ev.is_network() && !network {
                    continue;
                }
                det.observe(ev, &mut sink);
                if !sink.findings().is_empty() {
                    out.extend(sink.drain().map(|f| (i, d, f)));
                }
            }
            out
        };
        let mut all: Vec<(usize, u8, Finding)> = if threads <= 1 || list.len() < 64 {
            self.detectors
                .iter_mut()
                .enumerate()
                .flat_map(one)
                .collect()
        } else {
            // Longest first (by what each took on the last batch), so that no thread is
            // left with a long detector while the others are done.
            let mut jobs: Vec<_> = self.detectors.iter_mut().enumerate().collect();
            let costs = &mut self.costs;
            jobs.sort_by_key(|(d, _)| core::cmp::Reverse(costs.get(*d).copied().unwrap_or(0)));
            let n = threads.min(jobs.len().max(1));
            let queue = std::sync::Mutex::new(jobs.into_iter());
            let (found, took): (Vec<_>, Vec<_>) = std::thread::scope(|s| {
                let workers: Vec<_> = (0..n)
                    .map(|_| {
                        s.spawn(|| {
                            let mut found = Vec::new();
                            let mut took = Vec::new();
                            loop {
                                let next = queue.lock().ok().and_then(|mut q| q.next());
                                let Some(job) = next else { break };
                                let (d, start) = (job.0, std::time::Instant::now());
                                found.extend(one(job));
                                took.push((d, start.elapsed()));
                            }
                            (found, took)
                        })
                    })
                    .collect();
                workers
                    .into_iter()
                    .map(|w| w.join().unwrap_or_default())
                    .unzip()
            });
            for (d, t) in took.into_iter().flatten() {
                if let Some(c) = costs.get_mut(d) {
                    *c = u64::try_from(t.as_nanos()).unwrap_or(u64::MAX);
                }
            }
            found.into_iter().flatten().collect()
        };
        all.sort_by_key(|(i, d, _)| (*i, *d));
        all
    }

    /// The alerts the last [`Engine::observe`] raised.
    pub fn last_alerts(&self) -> &[Alert] {
        &self.out
    }

    /// Counters, including every table's fill and evictions.
    pub fn stats(&self) -> EngineStats {
        let mut s = self.stats.clone();
        s.tables = self
            .detectors
            .iter()
            .map(|d| (d.name().to_string(), d.stats()))
            .collect();
        s.aggregation = self.aggregation.stats(self.config.caps.alerts);
        s
    }

    /// The detectors' names, in order.
    pub fn detector_names(&self) -> Vec<&'static str> {
        self.detectors.iter().map(|d| d.name()).collect()
    }

    /// Saves the learned state.
    pub fn save_baseline(&self) -> Result<Baseline, Error> {
        let detectors = self
            .detectors
            .iter()
            .map(|d| Ok((d.name().to_string(), d.save()?)))
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(Baseline {
            format: 1,
            mode: self.mode,
            first_ts: self.first_ts,
            clock: self.clock,
            learn_until: self.learn_until,
            events: self.stats.events,
            aggregation: self
                .aggregation
                .save()
                .map_err(|e| Error::Baseline(e.to_string()))?,
            detectors,
        })
    }

    /// Loads a state saved by [`Engine::save_baseline`] from an engine with the same
    /// detectors (matched by name, in order).
    pub fn load_baseline(&mut self, b: Baseline) -> Result<(), Error> {
        if b.format != 1 {
            return Err(Error::Baseline(format!(
                "unknown baseline format {}",
                b.format
            )));
        }
        if b.detectors.len() != self.detectors.len()
            || b.detectors
                .iter()
                .zip(&self.detectors)
                .any(|((n, _), d)| n != d.name())
        {
            return Err(Error::Baseline(
                "the baseline's detectors differ from the engine's".into(),
            ));
        }
        let aggregation =
            Aggregator::load(b.aggregation).map_err(|e| Error::Baseline(e.to_string()))?;
        for ((_, state), d) in b.detectors.into_iter().zip(self.detectors.iter_mut()) {
            d.load(state)?;
        }
        self.aggregation = aggregation;
        self.mode = b.mode;
        self.first_ts = b.first_ts;
        self.clock = b.clock;
        self.learn_until = b.learn_until;
        self.stats.events = b.events;
        Ok(())
    }

    /// Saves the learned state as JSON text.
    pub fn save_baseline_json(&self) -> Result<String, Error> {
        serde_json::to_string(&self.save_baseline()?).map_err(|e| Error::Baseline(e.to_string()))
    }

    /// Loads a state saved by [`Engine::save_baseline_json`].
    pub fn load_baseline_json(&mut self, text: &str) -> Result<(), Error> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| Error::Baseline(e.to_string()))?;
        self.load_baseline(b)
    }
}

/// Aggregation's view of the configuration.
fn ctx<'a>(config: &Config, names: &'a [&'static str]) -> Ctx<'a> {
    Ctx {
        window: config.suppress_secs.saturating_mul(1_000_000),
        cap: config.caps.alerts,
        listed: config.aggregation.listed,
        by: config.aggregation.by,
        names,
    }
}

/// Counts an emitted alert.
fn count(stats: &mut EngineStats, a: &Alert) {
    stats.alerts += 1;
    stats.aggregates += u64::from(a.aggregate);
}

/// One finding through aggregation: an alert at once (0), or folded (1).
fn fold(
    aggregation: &mut Aggregator,
    ctx: &Ctx<'_>,
    detector: u8,
    ev: &Event<'_>,
    f: Finding,
    emit: &mut impl FnMut(Alert),
) -> u64 {
    match aggregation.fold(detector, ev, f, ctx, emit) {
        Some(a) => {
            emit(a);
            0
        }
        None => 1,
    }
}
