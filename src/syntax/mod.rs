//! Parsing: `.mix` text to the [`ast`].
pub mod ast;
