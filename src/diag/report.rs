//! Rendering diagnostics as text (miette).
