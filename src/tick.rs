//! Ticks on one grid the whole process shares. Work that many tasks each do "at most once
//! per X" (eight replies read, eight replies kept) then lands on the same instants, and
//! the process wakes once per tick rather than once per task. Knows nothing of what is
//! done on a tick.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The first point of the grid `every` apart (counted from the process's first use)
/// strictly after `at`.
pub fn next(at: Instant, every: Duration) -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    let every_ns = every.as_nanos().max(1);
    let nanos = |n: u128| Duration::from_nanos(u64::try_from(n).unwrap_or(u64::MAX));
    if at >= epoch {
        let ticks = (at - epoch).as_nanos() / every_ns + 1;
        epoch + nanos(ticks * every_ns)
    } else {
        // Before the grid's first use (the instant was taken earlier): the grid runs
        // back in time too.
        let back = (epoch - at).as_nanos();
        let ticks = back / every_ns - u128::from(back.is_multiple_of(every_ns));
        epoch - nanos(ticks * every_ns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_shared_and_always_after_the_instant() {
        let every = Duration::from_millis(16);
        // Taken before the grid's first use, and after.
        let early = Instant::now() - Duration::from_millis(100);
        let t = next(early, every);
        assert!(t > early && t - early <= every, "{:?}", t - early);
        let a = Instant::now();
        let t = next(a, every);
        assert!(t > a && t - a <= every, "{:?}", t - a);
        // Two instants within one tick wait for the same point of the grid.
        let b = a + (t - a) / 2;
        if b < t {
            assert_eq!(next(b, every), t);
        }
        // An instant exactly on a tick waits for the next one.
        assert_eq!(next(t, every), t + every);
        // Another period has its own points, still after the instant.
        let s = next(a, Duration::from_secs(1));
        assert!(s > a && s - a <= Duration::from_secs(1));
    }
}
