//! Hints to the processor's cache.

/// Starts fetching the cache line holding `at` without waiting for it: for data a thread will read a
/// little later (a record applied a few records from now), so that the wait for memory overlaps the work
/// before it. Nothing on processors without the instruction.
pub fn prefetch<T>(at: &T) {
    let at: *const T = at;
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it reads nothing into the program and never faults, and `at` is a
    // reference anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = at;
}
