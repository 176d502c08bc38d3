//! otscan's detection back end: `otwire-detect`'s [`Engine`] with its built-in detectors,
//! fed through its Modbus, DNP3 and IEC 104 adapters (DESIGN.md §3).

use std::path::{Path, PathBuf};

use otwire_detect::adapters::dnp3::Dnp3Adapter;
use otwire_detect::adapters::iec104::{Iec104Adapter, apdu_event};
use otwire_detect::adapters::modbus::ModbusAdapter;
use otwire_detect::{Config, Direction, Endpoint, Engine, Flow, Meta, Mode};

use crate::detection::Detection;
use crate::dnp3::Dnp3Pdu;
use crate::flow::FlowInfo;
use crate::iec104::Iec104Pdu;
use crate::modbus::ModbusPdu;
use crate::record::{AlertRecord, Dir, PduRecord};

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
    dnp3: Dnp3Adapter,
    iec104: Iec104Adapter,
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
            dnp3: Dnp3Adapter::new(),
            iec104: Iec104Adapter::new(),
            learned: None,
        }
    }
}

fn meta(p: &ModbusPdu<'_>) -> Meta {
    meta_of(p.record, p.flow)
}

fn meta_of(r: &PduRecord, flow: &FlowInfo) -> Meta {
    Meta {
        ts: u64::try_from(r.ts_us).unwrap_or(0),
        frame: r.frame,
        flow_id: r.flow,
        flow: Flow::new(
            Endpoint::from(flow.client_addr()),
            Endpoint::from(flow.server()),
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
        observe(&mut self.engine, &mut self.learned, &ev, out);
    }

    fn dnp3(&mut self, p: &Dnp3Pdu<'_>, out: &mut Vec<AlertRecord>) {
        if p.raw.is_empty() {
            // Junk the stream decoder skipped: nothing to show the engine.
            return;
        }
        let meta = meta_of(p.record, p.flow);
        if let Some(ev) = self.dnp3.frame(meta, direction(p.record.dir), p.raw) {
            observe(&mut self.engine, &mut self.learned, &ev, out);
        }
    }

    fn iec104(&mut self, p: &Iec104Pdu<'_>, out: &mut Vec<AlertRecord>) {
        if p.raw.is_empty() {
            return;
        }
        let meta = meta_of(p.record, p.flow);
        let dir = direction(p.record.dir);
        let ev = match &p.apdu {
            Some(parsed) => apdu_event(meta, dir, parsed, p.raw),
            None => self.iec104.apdu(meta, dir, p.raw),
        };
        observe(&mut self.engine, &mut self.learned, &ev, out);
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

fn direction(d: Dir) -> Direction {
    match d {
        Dir::Request => Direction::Request,
        Dir::Response => Direction::Response,
    }
}

/// Feeds one event; keeps the baseline as it was when learning ended.
fn observe(
    engine: &mut Engine,
    learned: &mut Option<Result<String, String>>,
    ev: &otwire_detect::Event<'_>,
    out: &mut Vec<AlertRecord>,
) {
    let learning = engine.mode() == Mode::Learning;
    out.extend_from_slice(engine.observe(ev));
    if learning && engine.mode() != Mode::Learning {
        *learned = Some(engine.save_baseline_json().map_err(|e| e.to_string()));
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
