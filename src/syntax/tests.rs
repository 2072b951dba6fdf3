//! Unit tests for the parser.
use super::*;
#[test]
fn scratch() {
    for t in [
        "track kick \"x\" { gain -2dB",
        "track { }",
        "track kick",
        "track kick\n",
        "trak x",
        "track k \"x\" { gain -2dB $ }",
        "track k \"abc",
        "track k \"x\"\ntrak y",
        "track k \"x\" junk",
        "track k \"x\" { gain }}",
        "master { eq { } ",
        "master { eq { }\n# c\n ",
        "use foo",
        "track a \"x\" { x( }",
        "automate vox { 0:00 }",
        "automate { }",
        "export { }",
        "session \"x\" { rate 48kHz\n  eq {\n}",
        "",
        "track k \"x\" { bits 3é }",
        "bus",
        "chain x( { }",
    ] {
        match parse(SourceId(0), t) {
            Ok(f) => println!("OK {t:?}\n{:?}", f.items),
            Err(e) => {
                println!("ERR {t:?}");
                for d in e {
                    println!(
                        "   {} {:?} {:?}",
                        d.message,
                        d.labels
                            .iter()
                            .map(|l| (&t[l.span.range()], &l.message))
                            .collect::<Vec<_>>(),
                        d.hints
                    );
                }
            }
        }
    }
}
