//! romcam: hip range of motion (modified Thomas test) from a side-view video.
//!
//! Data flows one way: [`video`] → [`pose`] → [`measure`] → [`assess`]; [`cli`] only parses
//! arguments and dispatches.

pub mod assess;
pub mod cli;
pub mod error;
pub mod fsutil;
pub mod interrupt;
pub mod measure;
pub mod pose;
pub mod progress;
pub mod report;
pub mod runtime;
pub mod store;
pub mod video;
