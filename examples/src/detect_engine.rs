//! otscan's detection: `otwire-detect`'s [`Engine`] with its built-in detectors, fed the
//! events the protocols' analyzers decode (DESIGN.md §3), and the baseline it learned.

use std::path::{Path, PathBuf};

use otwire_detect::{Alert, Config, Engine, Event, Mode};

/// Detection options of otscan.
#[derive(Debug, Clone, Default)]
pub struct DetectArgs {
    /// Learning period, seconds of capture time (overrides the configuration's).
    pub learn_seconds: Option<f64>,
    /// Baseline to load (detection starts at once unless `learn_seconds` is given).
    pub baseline_in: Option<PathBuf>,
    /// Configuration file (TOML, `otwire_detect::Config`).
    pub config: Option<PathBuf>,
}

/// The engine, and the baseline as it was when learning ended (detectors keep updating
/// their tables while detecting, so the end-of-scan state would include what was alerted
/// on).
#[derive(Debug)]
pub struct DetectEngine {
    /// The engine.
    pub engine: Engine,
    learned: Option<Result<String, String>>,
}

impl DetectEngine {
    /// An engine from a configuration, learning for `config.learning_secs`.
    pub fn new(config: Config) -> Self {
        DetectEngine {
            engine: Engine::new(config),
            learned: None,
        }
    }

    /// Observes one event; returns the alerts it raised. Keeps the baseline as it was when
    /// learning ended.
    pub fn observe(&mut self, ev: &Event<'_>) -> &[Alert] {
        let learning = self.engine.mode() == Mode::Learning;
        self.engine.observe(ev);
        if learning && self.engine.mode() != Mode::Learning {
            self.learned = Some(self.engine.save_baseline_json().map_err(|e| e.to_string()));
        }
        self.engine.last_alerts()
    }

    /// Observes a batch of events in order, the detectors spread over `threads`; returns
    /// the alerts with the index of the event that raised each (the same as event by event,
    /// whatever `threads`).
    pub fn observe_batch(&mut self, events: &[&Event<'_>], threads: usize) -> Vec<(usize, Alert)> {
        let mut alerts = Vec::new();
        let mut learned = None;
        self.engine.observe_batch(
            events,
            threads,
            |e| learned = Some(e.save_baseline_json().map_err(|e| e.to_string())),
            |i, a| alerts.push((i, a.clone())),
        );
        if learned.is_some() {
            self.learned = learned;
        }
        alerts
    }

    /// The learned baseline as JSON.
    pub fn baseline(&self) -> Result<String, String> {
        match &self.learned {
            Some(snapshot) => snapshot.clone(),
            // Still learning at the end of the input: everything seen is the baseline.
            None => self.engine.save_baseline_json().map_err(|e| e.to_string()),
        }
    }
}

/// The detection back end for these options.
pub fn build(args: &DetectArgs) -> Result<DetectEngine, String> {
    let mut config = match &args.config {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            Config::from_toml(&text).map_err(|e| format!("{}: {e}", path.display()))?
        }
        None => Config::default(),
    };
    if let Some(secs) = args.learn_seconds {
        if !(secs.is_finite() && secs >= 0.0) {
            return Err(format!("--learn {secs}: expected a number of seconds"));
        }
        config.learning_secs = secs.ceil() as u64;
    }
    let mut d = DetectEngine::new(config);
    if let Some(path) = &args.baseline_in {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        d.engine
            .load_baseline_json(&text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if args.learn_seconds.is_none() {
            d.engine.finish_learning();
        }
    } else if args.learn_seconds == Some(0.0) {
        d.engine.finish_learning();
        d.learned = Some(d.engine.save_baseline_json().map_err(|e| e.to_string()));
    }
    Ok(d)
}

/// Saves the baseline the engine learned.
pub fn save_baseline(detection: Option<&DetectEngine>, path: &Path) -> Result<(), String> {
    match detection {
        Some(d) => {
            std::fs::write(path, d.baseline()?).map_err(|e| format!("{}: {e}", path.display()))
        }
        None => Err(format!(
            "{}: this scan ran without detection: no baseline",
            path.display()
        )),
    }
}
