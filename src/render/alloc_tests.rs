//! Proof that the render loop allocates nothing per chunk: a counting allocator
//! (counting only the calling thread, so tests running beside it do not disturb the
//! count) sees the same number of allocations for a song twice as long.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

#[expect(
    unsafe_code,
    reason = "a global allocator is an unsafe trait; this one only counts and forwards to the system allocator"
)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_for(seconds: f64, out: &std::path::Path) -> u64 {
    let text = format!(
        r#"
session {{ rate 48kHz; tail 0s }}
track a sine 220Hz {{ level -12dBFS; length {seconds}s; eq {{ highpass 80Hz 24dB/oct; bell 1kHz +3dB q 2 }}; compressor {{ threshold -20dB; ratio 3 }}; send fx -10dB; to grp }}
track b noise pink {{ level -20dBFS; length {seconds}s; compressor as duck {{ threshold -30dB; ratio 4; sidechain a }}; delay {{ time 30ms; feedback 40% }}; pan 30% }}
bus grp {{ saturate {{ drive 6dB }}; gate {{ threshold -60dB }} }}
bus fx {{ reverb {{ decay 1s; mix 100% }}; send grp -20dB pre }}
master {{ eq {{ lowshelf 100Hz +1dB }}; limiter {{ ceiling -1dBTP }} }}
export "m.wav" {{ bits 32float }}
export stems "{{name}}.wav" {{ of grp; bits 24 }}
"#
    );
    let world = crate::world::MemoryWorld::new();
    let id = crate::world::World::add_virtual(&world, "alloc.mix", &text);
    let compiled = crate::compile::compile(&world, id);
    let mix = compiled
        .mix
        .unwrap_or_else(|| panic!("{:?}", compiled.diags));
    let opts = super::RenderOptions {
        jobs: 1,
        chunk: 256,
        out_dir: Some(out.to_path_buf()),
        ..Default::default()
    };
    let before = ALLOCATIONS.with(Cell::get);
    super::render(&mix, &world, &opts, &|_, _| {}).expect("render");
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn the_render_loop_allocates_nothing_per_chunk() {
    let dir = tempfile::tempdir().expect("temp dir");
    // 1 s is 188 chunks of 256 frames, 2 s is 375: any allocation per chunk would show
    // up here hundreds of times.
    let short = allocations_for(1.0, dir.path());
    let long = allocations_for(2.0, dir.path());
    assert!(
        long <= short,
        "{short} allocations for 1 s, {long} for 2 s: the render loop allocates per chunk"
    );
}
