//! Integration tests: the real `mixdown` binary on temporary projects.
//! One module per feature; `support` holds the project builder and WAV helpers.

mod album;
mod automation;
mod bad_input;
mod cli;
mod diagnostics;
mod ebu;
mod fmt;
mod mastering;
mod modules;
mod processors;
mod render;
mod strip;
mod support;
mod tools;
