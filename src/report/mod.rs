//! Reports: turns an assessment into files (one module per format) and draws on frames.

pub mod overlay;
pub mod store_views;
pub mod terminal;
pub mod thumbnail;
pub mod video;
