//! Modules: `use std.NAME` and `use "path.mix"`.
//!
//! Loading walks the `use` graph depth first from the mix being compiled. Every
//! module is parsed once (a module used by two others is shared, so diamonds are
//! fine), files resolve relative to the file that names them, and a `use` that
//! leads back to a file on the current path is an import cycle, reported with the
//! `use` of every file on the loop. Module sources are loaded through the
//! [`World`], so `watch` sees them. A module may only hold `chain` and `use` items.
//!
//! Scopes: each source (the mix is scope 0, module `i` is scope `i + 1`) sees its
//! own chains, the chains of the files it uses (unqualified) and those of the
//! standard modules it uses (as `NAME.chain`). Imports are not transitive.

use super::chain::{ChainRef, Chains};
use crate::diag::{Diagnostic, did_you_mean};
use crate::span::{SourceId, Span};
use crate::stdlib;
use crate::syntax::ast::{File, Item, Use, UseTarget};
use crate::world::World;
use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

/// One loaded module.
pub struct Module {
    pub id: SourceId,
    pub file: File,
    /// `Some(NAME)` for `std.NAME`.
    pub std: Option<String>,
}

/// A resolved `use` in one scope.
struct Import {
    span: Span,
    /// Index into [`Loaded::modules`].
    module: usize,
}

/// Every module reachable from a mix, and what each scope imports.
#[derive(Default)]
pub struct Loaded {
    pub modules: Vec<Module>,
    /// Per scope (0 = the mix), its resolved imports.
    imports: Vec<Vec<Import>>,
}

struct Loader<'w> {
    world: &'w dyn World,
    loaded: Loaded,
    by_id: BTreeMap<SourceId, usize>,
    /// The sources on the current `use` path, each with the `use` that led to it.
    path: Vec<(SourceId, Option<Span>)>,
}

/// Loads every module the mix `root` (source `id`, files relative to `dir`) uses.
pub fn load(
    world: &dyn World,
    id: SourceId,
    root: &File,
    dir: &Path,
    diags: &mut Vec<Diagnostic>,
) -> Loaded {
    let mut loader = Loader {
        world,
        loaded: Loaded::default(),
        by_id: BTreeMap::new(),
        path: vec![(id, None)],
    };
    loader.loaded.imports.push(Vec::new());
    let uses: Vec<Use> = uses_of(root).cloned().collect();
    let imports = loader.resolve_uses(&uses, Some(dir), diags);
    loader.loaded.imports[0] = imports;
    loader.loaded
}

fn uses_of(file: &File) -> impl Iterator<Item = &Use> {
    file.items.iter().filter_map(|i| match i {
        Item::Use(u) => Some(u),
        _ => None,
    })
}

impl Loader<'_> {
    /// Resolves the `use`s of one source; `dir` is `None` for a standard module.
    fn resolve_uses(
        &mut self,
        uses: &[Use],
        dir: Option<&Path>,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<Import> {
        let mut imports: Vec<Import> = Vec::new();
        for u in uses {
            let Some((id, std)) = self.source_of(u, dir, diags) else {
                continue;
            };
            if let Some(pos) = self.path.iter().position(|(p, _)| *p == id) {
                diags.push(self.cycle(pos, u.span));
                continue;
            }
            let module = match self.by_id.get(&id) {
                Some(&m) => m,
                None => match self.load_module(id, std, u.span, diags) {
                    Some(m) => m,
                    None => continue,
                },
            };
            if let Some(first) = imports.iter().find(|i| i.module == module) {
                diags.push(
                    Diagnostic::error("duplicate-name", u.span, "this module is used twice")
                        .with_label(first.span, "first used here"),
                );
                continue;
            }
            imports.push(Import {
                span: u.span,
                module,
            });
        }
        imports
    }

    /// The source a `use` names, loaded through the world.
    fn source_of(
        &self,
        u: &Use,
        dir: Option<&Path>,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<(SourceId, Option<String>)> {
        match &u.target {
            UseTarget::Std(name) => {
                let Some(text) = stdlib::get(&name.name) else {
                    let mut d = Diagnostic::error(
                        "unknown-name",
                        name.span,
                        format!("no standard module `std.{}`", name.name),
                    )
                    .with_hint(format!(
                        "the standard modules are {}",
                        stdlib::names()
                            .map(|n| format!("std.{n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    if let Some(s) = did_you_mean(&name.name, stdlib::names()) {
                        d = d.with_hint(format!("did you mean `std.{s}`?"));
                    }
                    diags.push(d);
                    return None;
                };
                let id = self
                    .world
                    .add_virtual(&stdlib::display_name(&name.name), text);
                Some((id, Some(name.name.clone())))
            }
            UseTarget::File(path) => {
                let Some(dir) = dir else {
                    diags.push(Diagnostic::error(
                        "misplaced",
                        u.span,
                        "a standard module can only use other standard modules",
                    ));
                    return None;
                };
                let full = normalize(&dir.join(&path.value));
                match self.world.load_source(&full) {
                    Ok(id) => Some((id, None)),
                    Err(e) => {
                        diags.push(
                            Diagnostic::error(
                                "missing-file",
                                path.span,
                                format!("cannot read module `{}`: {e}", path.value),
                            )
                            .with_hint(format!("looked for {}", full.display())),
                        );
                        None
                    }
                }
            }
        }
    }

    /// Parses module `id`, checks that it only holds chains and `use`s, and loads what it uses.
    fn load_module(
        &mut self,
        id: SourceId,
        std: Option<String>,
        via: Span,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<usize> {
        let source = self.world.source(id);
        let mut file = match crate::syntax::parse(id, &source.text) {
            Ok(f) => f,
            Err(errs) => {
                diags.extend(errs);
                return None;
            }
        };
        for item in &file.items {
            if !matches!(item, Item::Chain(_) | Item::Use(_)) {
                diags.push(
                    Diagnostic::error(
                        "misplaced",
                        item_span(item),
                        "a module may only define chains (and `use` other modules)",
                    )
                    .with_hint("move tracks, buses, the master and exports to the mix that uses this module"),
                );
            }
        }
        if let (None, Some(dir)) = (&std, &source.dir) {
            super::anchor::anchor(&mut file, dir);
        }
        let index = self.loaded.modules.len();
        let uses: Vec<Use> = uses_of(&file).cloned().collect();
        self.loaded.modules.push(Module { id, file, std });
        self.loaded.imports.push(Vec::new());
        self.by_id.insert(id, index);
        let dir = if self.loaded.modules[index].std.is_some() {
            None
        } else {
            source.dir.clone()
        };
        self.path.push((id, Some(via)));
        let imports = self.resolve_uses(&uses, dir.as_deref(), diags);
        self.path.pop();
        self.loaded.imports[index + 1] = imports;
        Some(index)
    }

    /// An import cycle: the files from `path[pos]` to the current one, and back.
    fn cycle(&self, pos: usize, closing: Span) -> Diagnostic {
        let names: Vec<String> = self.path[pos..]
            .iter()
            .map(|(id, _)| self.world.source(*id).name)
            .chain([self.world.source(self.path[pos].0).name])
            .collect();
        let mut d = Diagnostic::error(
            "import-cycle",
            closing,
            format!("import cycle: {}", names.join(" -> ")),
        )
        .with_label_text("uses a file that is already being loaded");
        for (id, via) in &self.path[pos + 1..] {
            if let Some(span) = via {
                d = d.with_label(*span, format!("uses {}", self.world.source(*id).name));
            }
        }
        d
    }
}

fn item_span(item: &Item) -> Span {
    match item {
        Item::Use(u) => u.span,
        Item::Chain(c) => c.span,
        Item::Session(s) => s.span,
        Item::Strip(s) => s.span,
        Item::Master(m) => m.span,
        Item::Export(e) => e.span,
        Item::Automate(a) => a.span,
        Item::Assert(a) => a.span,
        Item::Album(a) => a.span,
    }
}

/// Folds `.` and `..` out of a path without touching the disk, so one file reached
/// as `a/../b.mix` and as `b.mix` is one module (and a cycle through it is found).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

impl Loaded {
    /// The chains each scope can call. Two chains reachable under one name are a
    /// clash, reported at the `use` with both definitions labelled.
    pub fn chains<'a>(&'a self, root: &'a File, diags: &mut Vec<Diagnostic>) -> Chains<'a> {
        let mut chains = Chains::default();
        let files = std::iter::once(root).chain(self.modules.iter().map(|m| &m.file));
        for (scope, file) in files.enumerate() {
            let mut names: BTreeMap<String, ChainRef<'a>> = BTreeMap::new();
            for def in local_chains(file) {
                if let Some(first) = names.get(&def.name.name) {
                    diags.push(
                        Diagnostic::error(
                            "duplicate-name",
                            def.name.span,
                            format!("chain `{}` is defined twice", def.name.name),
                        )
                        .with_label(first.def.name.span, "first defined here"),
                    );
                    continue;
                }
                names.insert(def.name.name.clone(), ChainRef { def, scope });
            }
            for import in &self.imports[scope] {
                let module = &self.modules[import.module];
                for def in local_chains(&module.file) {
                    let name = match &module.std {
                        Some(q) => format!("{q}.{}", def.name.name),
                        None => def.name.name.clone(),
                    };
                    if let Some(first) = names.get(&name) {
                        diags.push(
                            Diagnostic::error(
                                "name-clash",
                                import.span,
                                format!("chain `{name}` is defined twice in this file's scope"),
                            )
                            .with_label_text(format!("brings in another `{name}`"))
                            .with_label(first.def.name.span, "one definition is here")
                            .with_label(def.name.span, "the other is here")
                            .with_hint("rename one of the chains"),
                        );
                        continue;
                    }
                    names.insert(
                        name,
                        ChainRef {
                            def,
                            scope: import.module + 1,
                        },
                    );
                }
            }
            chains.scopes.push(names);
        }
        chains
    }
}

fn local_chains(file: &File) -> impl Iterator<Item = &crate::syntax::ast::ChainDef> {
    file.items.iter().filter_map(|i| match i {
        Item::Chain(c) => Some(c),
        _ => None,
    })
}
