//! Work over many items split across every core (fingerprints of a million records, watch rules after a
//! first read).

/// Threads to spread work over: one per core, at most eight.
pub fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 8)
}

/// `f` over every item, the items split between threads (one per core), the results in order.
pub fn on_every_core<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads();
    if threads == 1 || items.len() < 4096 {
        return items.iter().map(&f).collect();
    }
    let per = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let parts: Vec<_> =
            items.chunks(per).map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>())).collect();
        let mut out = Vec::with_capacity(items.len());
        for part in parts {
            match part.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// `f` on every item in place, the items split between threads (one per core).
pub fn each_on_every_core<T: Send>(items: &mut [T], f: impl Fn(&mut T) + Sync) {
    let threads = threads();
    if threads == 1 || items.len() < 2 {
        return items.iter_mut().for_each(f);
    }
    let per = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let f = &f;
        let parts: Vec<_> =
            items.chunks_mut(per).map(|chunk| scope.spawn(move || chunk.iter_mut().for_each(f))).collect();
        for part in parts {
            if let Err(panic) = part.join() {
                std::panic::resume_unwind(panic);
            }
        }
    })
}
