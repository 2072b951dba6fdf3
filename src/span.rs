//! Source locations. Every AST node and every IR item that a user wrote carries a
//! [`Span`], so that errors found at any stage (even while rendering) can point at
//! the text in the `.mix` file that caused them.

use serde::{Deserialize, Serialize};

/// Identifies one source text known to the [`crate::world::World`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
pub struct SourceId(pub u16);

/// A byte range in one source text. `Copy` and small, so it can live everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Span {
    pub source: SourceId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(source: SourceId, start: usize, end: usize) -> Self {
        Self {
            source,
            start: start as u32,
            end: end as u32,
        }
    }

    /// A span that points nowhere (for items the compiler invents, e.g. the default export).
    pub const fn detached() -> Self {
        Self {
            source: SourceId(u16::MAX),
            start: 0,
            end: 0,
        }
    }

    pub fn is_detached(&self) -> bool {
        self.source.0 == u16::MAX
    }

    /// The smallest span covering both (which must be in the same source).
    pub fn join(self, other: Span) -> Span {
        if self.is_detached() {
            return other;
        }
        if other.is_detached() || other.source != self.source {
            return self;
        }
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}
