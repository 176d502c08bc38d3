//! otscan's detection back end: `otwire-detect`'s [`Engine`] with its built-in detectors,
//! fed through its Modbus adapter (DESIGN.md §3).

use std::path::{Path, PathBuf};

use otwire_detect::adapters::modbus::ModbusAdapter;
use otwire_detect::{Config, Direction, Endpoint, Engine, Flow, Meta, Mode};

use crate::detection::Detection;
use crate::modbus::ModbusPdu;
use crate::record::{AlertRecord, Dir};

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

/// The engine and its adapter.
#[derive(Debug)]
pub struct DetectEngine {
    /// The engine.
    pub engine: Engine,
    modbus: ModbusAdapter,
    /// The baseline as it was when learning ended (detectors keep updating their tables
    /// while detecting, so the end-of-scan state would include what was alerted on).
    learned: Option<Result<String, String>>,
}

impl DetectEngine {
    /// An engine from a configuration, learning for `config.learning_secs`.
    pub fn new(config: Config) -> Self {
        DetectEngine {
            engine: Engine::new(config),
            modbus: ModbusAdapter::new(),
            learned: None,
        }
    }
}

fn meta(p: &ModbusPdu<'_>) -> Meta {
    let r = p.record;
    Meta {
        ts: u64::try_from(r.ts_us).unwrap_or(0),
        frame: r.frame,
        flow_id: r.flow,
        flow: Flow::new(
            Endpoint::from(p.flow.client_addr()),
            Endpoint::from(p.flow.server()),
        ),
    }
}

impl Detection for DetectEngine {
    fn modbus(&mut self, p: &ModbusPdu<'_>, out: &mut Vec<AlertRecord>) {
        let meta = meta(p);
        let dir = match p.record.dir {
            Dir::Request => Direction::Request,
            Dir::Response => Direction::Response,
        };
        let ev = match (&p.frame, &p.parsed) {
            (Some(f), Some(parsed)) => self.modbus.pdu(
                meta,
                u16::from(f.header.unit_id.0),
                Some(f.header.transaction_id.0),
                parsed,
            ),
            (Some(f), None) => self.modbus.frame(meta, dir, f),
            (None, _) => self.modbus.adu(meta, dir, p.raw),
        };
        let learning = self.engine.mode() == Mode::Learning;
        out.extend_from_slice(self.engine.observe(&ev));
        if learning && self.engine.mode() != Mode::Learning {
            self.learned = Some(self.engine.save_baseline_json().map_err(|e| e.to_string()));
        }
    }

    fn save_baseline(&self) -> Result<Option<String>, String> {
        match &self.learned {
            Some(snapshot) => snapshot.clone().map(Some),
            // Still learning at the end of the input: everything seen is the baseline.
            None => self
                .engine
                .save_baseline_json()
                .map(Some)
                .map_err(|e| e.to_string()),
        }
    }
}

/// The detection back end for these options.
pub fn build(args: &DetectArgs) -> Result<Box<dyn Detection>, String> {
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
    Ok(Box::new(d))
}

/// Saves the baseline the back end learned.
pub fn save_baseline(detection: &dyn Detection, path: &Path) -> Result<(), String> {
    match detection.save_baseline()? {
        Some(json) => std::fs::write(path, json).map_err(|e| format!("{}: {e}", path.display())),
        None => Err(format!(
            "{}: this detection back end has no baseline",
            path.display()
        )),
    }
}
