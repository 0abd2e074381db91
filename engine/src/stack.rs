//! Enough stack for deep evaluations.
//!
//! Evaluation recurses through expressions and, for a field that reads a computed field
//! that reads another one, through every link of that chain. A form may chain thousands
//! of calculations (up to the field limit, E0311), and each link costs stack; a
//! debug-build frame of the evaluator is several kilobytes. Overflowing the stack aborts
//! the whole process — in a server, every citizen's request at once — so native builds
//! grow the stack on the heap when it runs low, the way rustc does with the same crate.
//! The total work stays bounded by the evaluation budget.
//!
//! In WebAssembly the stack cannot be switched; the browser module only enhances a page,
//! and a trap there leaves the server-rendered page working.

/// Stack that must be left before more is allocated: more than one evaluator frame
/// plus what the field lookups between two evaluator calls need, in a debug build.
#[cfg(not(target_arch = "wasm32"))]
const RED_ZONE: usize = 128 * 1024;
/// Size of each further stack segment.
#[cfg(not(target_arch = "wasm32"))]
const SEGMENT: usize = 2 * 1024 * 1024;

/// Runs `f`, on a new stack segment if this thread's stack is nearly used up.
#[inline]
pub(crate) fn guarded<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(not(target_arch = "wasm32"))]
    {
        stacker::maybe_grow(RED_ZONE, SEGMENT, f)
    }
    #[cfg(target_arch = "wasm32")]
    {
        f()
    }
}
