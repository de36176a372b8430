//! romcam: hip range of motion (modified Thomas test) from a side-view video.
//!
//! Data flows one way: [`video`] → [`pose`] → [`measure`] → [`assess`], then [`store`] and
//! [`report`]. [`cli`] only parses arguments and dispatches to [`commands`], one module per
//! subcommand, which runs those steps in order; [`terminal`] holds what is printed for people.

pub mod assess;
pub mod cli;
pub mod commands;
pub mod error;
pub mod fsutil;
pub mod interrupt;
pub mod measure;
pub mod pose;
pub mod progress;
pub mod record;
pub mod report;
pub mod runtime;
pub mod store;
pub mod terminal;
pub mod video;
