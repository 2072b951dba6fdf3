//! Integration tests: the real `mixdown` binary on temporary projects.
//! One module per feature; `support` holds the project builder and WAV helpers.

mod album;
mod asserts;
mod automation;
mod bad_input;
mod cache;
mod clash;
mod cli;
mod determinism;
mod diagnostics;
mod ebu;
mod fmt;
mod json;
mod lock;
mod mastering;
mod modules;
mod processors;
mod region;
mod render;
mod report_html;
mod strip;
mod support;
mod tools;
mod watch;
