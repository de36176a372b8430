//! Counts the errors FFmpeg reports while decoding, so that a damaged clip is not measured
//! without a word. OpenCV does not pass FFmpeg's decoding errors on (a damaged frame comes out
//! concealed, as if whole), so romcam installs its own FFmpeg log callback, which counts the
//! messages at error level and prints nothing (romcam reports problems itself, in one
//! sentence). The callback is looked up in the libavutil that OpenCV already loaded; where it
//! cannot be found, counting is unavailable and [`available`] says so.

use std::ffi::{c_char, c_int, c_void};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// FFmpeg's `AV_LOG_ERROR`: this level and the more severe ones (fatal, panic) are counted.
const AV_LOG_ERROR: c_int = 16;

static ERRORS: AtomicU64 = AtomicU64::new(0);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// The callback FFmpeg calls for every log message (`va_list` is passed as a pointer on the
/// platforms romcam supports, and is never read).
extern "C" fn count_errors(_avcl: *mut c_void, level: c_int, _fmt: *const c_char, _args: *mut c_void) {
    if level <= AV_LOG_ERROR {
        ERRORS.fetch_add(1, Ordering::Relaxed);
    }
}

type SetCallback =
    unsafe extern "C" fn(Option<extern "C" fn(*mut c_void, c_int, *const c_char, *mut c_void)>);

/// Installs the counting callback. Call it after OpenCV has opened a clip (OpenCV sets its own
/// callback on its first open); calling it again is harmless.
pub fn install() {
    let set = lookup();
    if let Some(set) = set {
        // SAFETY: av_log_set_callback only stores the function pointer; `count_errors` has the
        // signature FFmpeg expects and is safe to call from any thread.
        unsafe { set(Some(count_errors)) };
        INSTALLED.store(true, Ordering::Relaxed);
    }
}

/// Whether FFmpeg's errors are being counted.
pub fn available() -> bool {
    INSTALLED.load(Ordering::Relaxed)
}

/// FFmpeg errors reported so far in this process.
pub fn count() -> u64 {
    ERRORS.load(Ordering::Relaxed)
}

fn lookup() -> Option<SetCallback> {
    for name in [c"libavutil.so.57", c"libavutil.so.58", c"libavutil.so.59", c"libavutil.so.56"] {
        // SAFETY: RTLD_NOLOAD only returns a handle to a library that is already loaded (the
        // one OpenCV uses); nothing new is loaded or initialised. The handle is never closed.
        let handle = unsafe { libc::dlopen(name.as_ptr(), libc::RTLD_NOW | libc::RTLD_NOLOAD) };
        if handle.is_null() {
            continue;
        }
        // SAFETY: dlsym on a valid handle; the symbol is av_log_set_callback, whose C signature
        // is `void (*)(void (*)(void*, int, const char*, va_list))`.
        let sym = unsafe { libc::dlsym(handle, c"av_log_set_callback".as_ptr()) };
        if !sym.is_null() {
            // SAFETY: see above: the symbol has this signature.
            return Some(unsafe { std::mem::transmute::<*mut c_void, SetCallback>(sym) });
        }
    }
    log::debug!("libavutil's av_log_set_callback was not found: FFmpeg's decoding errors are not counted");
    None
}
