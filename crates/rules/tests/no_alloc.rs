//! A decision on the in-memory API allocates nothing: counted with a global allocator.

// A counting allocator must implement the unsafe `GlobalAlloc`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use rules::Rulebook;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn deciding_allocates_nothing() {
    let rulebook = Rulebook::embedded().expect("embedded rulebook is valid");
    let mut gen = rules::gen::FlowGen::new(&rulebook, 42);
    let flows: Vec<_> = (0..100_000).map(|_| gen.flow()).collect();
    let mut verdicts = [0usize; 4];

    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for flow in &flows {
        if let Ok(d) = rulebook.decide(flow) {
            verdicts[d.verdict as usize] += 1;
        }
    }
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - before;

    assert_eq!(allocations, 0, "{allocations} allocations in {} decisions", flows.len());
    // The flows exercised every verdict, so every path of the engine ran without allocating.
    assert!(verdicts.iter().all(|n| *n > 0), "verdict counts {verdicts:?}");
}
