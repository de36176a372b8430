//! Ctrl-C and SIGTERM: the handler only raises a flag; long loops call [`check`] and stop with
//! [`RomcamError::Interrupted`], so that nothing half-written is left behind.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::RomcamError;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the SIGINT/SIGTERM handlers. Safe to call more than once.
pub fn install() {
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
    }
    std::thread::spawn(move || loop {
        if flag.load(Ordering::Relaxed) {
            INTERRUPTED.store(true, Ordering::Relaxed);
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    });
}

/// Fails with `Interrupted` once a signal has arrived.
pub fn check() -> Result<(), RomcamError> {
    if INTERRUPTED.load(Ordering::Relaxed) {
        Err(RomcamError::Interrupted)
    } else {
        Ok(())
    }
}
