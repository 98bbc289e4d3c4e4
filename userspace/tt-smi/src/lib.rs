//! tt-track-smi: the operator's view of Tenstorrent device memory, from tt-track's
//! /proc files, tt-kmd's `pids` files and its sysfs telemetry.
//! Data flows one way: files -> `read` -> `model` -> `select` -> one `render`er
//! (or `watch`, or `serve`), then `output`.

pub mod comm;
pub mod container;
pub mod model;
pub mod output;
pub mod read;
pub mod render;
pub mod select;
pub mod serve;
pub mod text;
pub mod users;
pub mod watch;
