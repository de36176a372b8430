//! Reports: turns an assessment into files (one module per format) and draws on frames.

pub mod overlay;
pub mod terminal;
pub mod video;
