#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]
mod common;
use common::*;
use otwire_s7::*;
use std::collections::{BTreeMap, HashMap};

#[test]
fn smoke() {
    let dir = captures_dir("smoke").unwrap();
    let mut files: Vec<_> = std::fs::read_dir(dir.join("s7comm"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.extend(
        std::fs::read_dir(dir.join("mixed"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    files.sort();
    for f in files {
        let bytes = read(&f);
        let mut re = Reassembler::default();
        let mut dirs: HashMap<(Endpoint, Endpoint), DirectionParser> = HashMap::new();
        let mut sessions: HashMap<(Endpoint, Endpoint), PlusSession> = HashMap::new();
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut errors = 0;
        let mut msgs = 0;
        let mut ntp = 0;
        for rec in records(&bytes) {
            let Some(seg) = tcp_segment(&rec) else {
                continue;
            };
            if seg.src.1 != 102 && seg.dst.1 != 102 {
                continue;
            }
            let Some(chunk) = re.push(&seg, rec.frame) else {
                continue;
            };
            let key = (seg.src, seg.dst);
            let ckey = if seg.src.1 == 102 {
                (seg.dst, seg.src)
            } else {
                (seg.src, seg.dst)
            };
            let d = dirs.entry(key).or_default();
            if chunk.gap {
                d.gap();
            }
            let s = sessions.entry(ckey).or_default();
            d.push(&chunk.bytes, s, |ev| {
                ntp += 1;
                if ev.error.is_some() {
                    errors += 1;
                    eprintln!("{} frame {}: {:?}", f.display(), rec.frame, ev.error);
                }
                if ev.message.is_some() {
                    msgs += 1;
                }
                for n in ev.anomalies.names() {
                    *counts.entry(n.to_string()).or_default() += 1;
                    if counts[n] <= 2 {
                        eprintln!(
                            "  {} frame {} {}",
                            f.file_name().unwrap().to_string_lossy(),
                            rec.frame,
                            n
                        );
                    }
                }
            });
        }
        println!(
            "{}: tpkts {ntp} msgs {msgs} errors {errors} {:?}",
            f.file_name().unwrap().to_string_lossy(),
            counts
        );
    }
}
