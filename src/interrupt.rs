//! Ctrl-C and SIGTERM: signal-hook's handler only raises a flag; long loops call [`check`] and
//! stop with [`RomcamError::Interrupted`], so that nothing half-written is left behind.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use crate::error::RomcamError;

/// The flag the signal handlers set; it exists once [`install`] has run.
static INTERRUPTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// Installs the SIGINT/SIGTERM handlers (once; later calls do nothing).
pub fn install() {
    INTERRUPTED.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // without a handler the signal keeps its default action: the process ends at once
            let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
        }
        flag
    });
}

/// Fails with `Interrupted` once a signal has arrived.
pub fn check() -> Result<(), RomcamError> {
    if INTERRUPTED.get().is_some_and(|f| f.load(Ordering::Relaxed)) {
        Err(RomcamError::Interrupted)
    } else {
        Ok(())
    }
}
