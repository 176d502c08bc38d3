//! Builds the detection back end from otscan's options.

use std::path::{Path, PathBuf};

use crate::detection::{Detection, NoDetection};

/// Detection options of otscan.
#[derive(Debug, Clone, Default)]
pub struct DetectArgs {
    /// Learning period, seconds of capture time.
    pub learn_seconds: Option<f64>,
    /// Baseline to load.
    pub baseline_in: Option<PathBuf>,
    /// Configuration file (TOML).
    pub config: Option<PathBuf>,
}

/// The detection back end for these options.
pub fn build(args: &DetectArgs) -> Result<Box<dyn Detection>, String> {
    if args.learn_seconds.is_some() || args.baseline_in.is_some() || args.config.is_some() {
        return Err("detection options need the otwire-detect engine, not built in yet".into());
    }
    Ok(Box::new(NoDetection))
}

/// Saves the baseline the back end learned.
pub fn save_baseline(_detection: &mut dyn Detection, path: &Path) -> Result<(), String> {
    Err(format!(
        "{}: no baseline to save without the otwire-detect engine",
        path.display()
    ))
}
