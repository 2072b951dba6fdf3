//! Finding a processor or an EQ band named in an automation target: by its `as`
//! name, or by its kind when that kind appears once (LANGUAGE.md, Automation).

/// What a name picked out of a list.
pub enum Pick {
    One(usize),
    /// Nothing is called that, nor of that kind.
    Nothing,
    /// Several have that kind and none that name: their names, to choose from.
    Several(Vec<String>),
}

/// Picks `wanted` among items given as (name, kind); an item without an `as` name
/// is named by its kind. A name shared by several items is as ambiguous as a kind.
pub fn pick<'a>(items: impl Iterator<Item = (&'a str, &'a str)> + Clone, wanted: &str) -> Pick {
    let named: Vec<usize> = positions(items.clone(), |(name, _)| name == wanted);
    let found = if named.is_empty() {
        positions(items.clone(), |(_, kind)| kind == wanted)
    } else {
        named
    };
    match found.as_slice() {
        [] => Pick::Nothing,
        [one] => Pick::One(*one),
        several => {
            let names: Vec<(&str, &str)> = items.collect();
            Pick::Several(several.iter().map(|&i| names[i].0.to_string()).collect())
        }
    }
}

fn positions<'a>(
    items: impl Iterator<Item = (&'a str, &'a str)>,
    f: impl Fn((&str, &str)) -> bool,
) -> Vec<usize> {
    items
        .enumerate()
        .filter(|&(_, it)| f(it))
        .map(|(i, _)| i)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(items: &[(&'static str, &'static str)], wanted: &str) -> String {
        match pick(items.iter().copied(), wanted) {
            Pick::One(i) => format!("{i}"),
            Pick::Nothing => "-".into(),
            Pick::Several(n) => n.join(","),
        }
    }

    #[test]
    fn by_name_then_by_a_kind_that_appears_once() {
        let eq = [
            ("lowcut", "highpass"),
            ("bell", "bell"),
            ("air", "highshelf"),
        ];
        assert_eq!(run(&eq, "air"), "2");
        assert_eq!(
            run(&eq, "highshelf"),
            "2",
            "the only highshelf, by its kind"
        );
        assert_eq!(run(&eq, "bell"), "1");
        assert_eq!(run(&eq, "lowshelf"), "-");
        let two = [("level", "compressor"), ("peaks", "compressor")];
        assert_eq!(run(&two, "compressor"), "level,peaks");
        assert_eq!(run(&two, "peaks"), "1");
        let bells = [("bell", "bell"), ("bell", "bell")];
        assert_eq!(run(&bells, "bell"), "bell,bell");
    }
}
