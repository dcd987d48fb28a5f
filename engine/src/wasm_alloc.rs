//! The allocator for wasm32 builds (the app and the wasm bench): dlmalloc,
//! the allocator std itself uses on wasm32, over linear memory grown in
//! steps of at least [`STEP`] bytes instead of exactly what each request
//! needs.
//!
//! Why: every `memory.grow` makes V8 collect its JS heap (the ArrayBuffer
//! behind the memory is replaced), and std's allocator grows by a few pages
//! at a time. A cluster that grows to a few hundred MiB did thousands of
//! those collections, 1.6–2.3 ms each on the main thread; growing 16 MiB at
//! a time makes them a few dozen. Memory is never given back, as with std's
//! allocator (wasm memory cannot shrink).

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, Ordering};
use dlmalloc::{Allocator, Dlmalloc};

/// A wasm page.
const PAGE: usize = 64 * 1024;
/// The least the memory grows by.
pub const STEP: usize = 16 * 1024 * 1024;

/// Linear memory handed to dlmalloc in large steps.
struct Stepped;

unsafe impl Allocator for Stepped {
    fn alloc(&self, size: usize) -> (*mut u8, usize, u32) {
        // A large step if the host allows it, else exactly what is needed.
        for bytes in [size.max(STEP), size] {
            let pages = bytes.div_ceil(PAGE);
            let old = core::arch::wasm32::memory_grow(0, pages);
            if old != usize::MAX {
                return ((old * PAGE) as *mut u8, pages * PAGE, 0);
            }
        }
        (core::ptr::null_mut(), 0, 0)
    }

    fn remap(&self, _ptr: *mut u8, _old: usize, _new: usize, _can_move: bool) -> *mut u8 {
        core::ptr::null_mut()
    }

    fn free_part(&self, _ptr: *mut u8, _old: usize, _new: usize) -> bool {
        false
    }

    fn free(&self, _ptr: *mut u8, _size: usize) -> bool {
        false
    }

    fn can_release_part(&self, _flags: u32) -> bool {
        false
    }

    fn allocates_zeros(&self) -> bool {
        // Fresh wasm pages are zeroed.
        true
    }

    fn page_size(&self) -> usize {
        PAGE
    }
}

/// The global allocator of kubeplay's wasm32 binaries:
/// `#[global_allocator] static A: engine::SteppedAlloc = engine::SteppedAlloc::new();`
pub struct SteppedAlloc {
    heap: UnsafeCell<Dlmalloc<Stepped>>,
    busy: AtomicBool,
}

// The heap is only touched while `busy` is held.
unsafe impl Sync for SteppedAlloc {}

impl SteppedAlloc {
    /// An empty heap; memory is taken on the first allocation.
    pub const fn new() -> SteppedAlloc {
        SteppedAlloc { heap: UnsafeCell::new(Dlmalloc::new_with_allocator(Stepped)), busy: AtomicBool::new(false) }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Dlmalloc<Stepped>) -> R) -> R {
        while self.busy.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            core::hint::spin_loop();
        }
        // SAFETY: `busy` makes this the only reference to the heap.
        let out = f(unsafe { &mut *self.heap.get() });
        self.busy.store(false, Ordering::Release);
        out
    }
}

impl Default for SteppedAlloc {
    fn default() -> SteppedAlloc {
        SteppedAlloc::new()
    }
}

unsafe impl GlobalAlloc for SteppedAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.with(|heap| unsafe { heap.malloc(layout.size(), layout.align()) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.with(|heap| unsafe { heap.calloc(layout.size(), layout.align()) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.with(|heap| unsafe { heap.free(ptr, layout.size(), layout.align()) })
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.with(|heap| unsafe { heap.realloc(ptr, layout.size(), layout.align(), new_size) })
    }
}
