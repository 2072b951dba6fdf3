//! The standard library: the `.mix` modules in `stdlib/`, embedded in the binary so
//! `use std.NAME` works wherever `mixdown` is installed. They are written in the mix
//! language itself; a test fails when a file in `stdlib/` is missing from [`MODULES`].

/// `(name, source text)` of every standard module, sorted by name.
pub const MODULES: &[(&str, &str)] = &[
    ("bus", include_str!("../stdlib/bus.mix")),
    ("drums", include_str!("../stdlib/drums.mix")),
    ("master", include_str!("../stdlib/master.mix")),
    ("vocal", include_str!("../stdlib/vocal.mix")),
];

/// The text of `std.NAME`.
pub fn get(name: &str) -> Option<&'static str> {
    MODULES.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// The names of every standard module.
pub fn names() -> impl Iterator<Item = &'static str> {
    MODULES.iter().map(|(n, _)| *n)
}

/// The name a standard module's source has in diagnostics.
pub fn display_name(name: &str) -> String {
    format!("std/{name}.mix")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `stdlib/*.mix` file is embedded (and nothing else is): adding a module
    /// to the folder without adding it to the table would make it silently unusable.
    #[test]
    fn every_stdlib_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/stdlib");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("stdlib folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "mix"))
            .map(|p| p.file_stem().expect("stem").to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let embedded: Vec<String> = names().map(String::from).collect();
        assert_eq!(on_disk, embedded, "stdlib/ and stdlib::MODULES disagree");
        for (name, text) in MODULES {
            let disk = std::fs::read_to_string(format!("{dir}/{name}.mix")).expect("read");
            assert_eq!(&disk, text, "{name}.mix is stale in the binary");
        }
    }
}
