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

/// The items `keep` keeps, sorted (unstably: for items no two of which are equal), in parts on every core,
/// merged. The work is done in `items`' memory, but for the merged list.
pub fn sort_kept<T: Ord + Send + Sync + Copy>(mut items: Vec<T>, keep: impl Fn(&T) -> bool + Sync) -> Vec<T> {
    let threads = threads();
    if threads == 1 || items.len() < 65_536 {
        items.retain(&keep);
        items.sort_unstable();
        return items;
    }
    let per = items.len().div_ceil(threads);
    let keep = &keep;
    // Each part: what it keeps moved to its front and sorted; its length given back.
    let kept: Vec<usize> = std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks_mut(per)
            .map(|part| {
                scope.spawn(move || {
                    let mut n = 0;
                    for i in 0..part.len() {
                        if keep(&part[i]) {
                            part[n] = part[i];
                            n += 1;
                        }
                    }
                    part[..n].sort_unstable();
                    n
                })
            })
            .collect();
        parts.into_iter().map(|part| part.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    let runs: Vec<&[T]> = items.chunks(per).zip(&kept).map(|(part, &n)| &part[..n]).collect();
    merge(&runs)
}

/// Sorted runs merged into one sorted list.
fn merge<T: Ord + Copy>(runs: &[&[T]]) -> Vec<T> {
    let mut out = Vec::with_capacity(runs.iter().map(|r| r.len()).sum());
    let mut at = vec![0; runs.len()];
    loop {
        // The run whose next item is least (a handful of runs: a look at each is quick).
        let mut least: Option<(usize, T)> = None;
        for (r, run) in runs.iter().enumerate() {
            if let Some(&item) = run.get(at[r]) {
                if least.is_none_or(|(_, l)| item < l) {
                    least = Some((r, item));
                }
            }
        }
        let Some((r, item)) = least else { return out };
        out.push(item);
        at[r] += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sort_in_parts_is_a_sort_of_what_is_kept() {
        for n in [0, 1, 7, 65_535, 65_536, 200_001] {
            let items: Vec<u64> = (0..n as u64).map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 20).collect();
            let keep = |i: &u64| !i.is_multiple_of(3);
            let mut expected: Vec<u64> = items.iter().copied().filter(keep).collect();
            expected.sort_unstable();
            assert_eq!(sort_kept(items, keep), expected, "{n} items");
        }
    }
}
