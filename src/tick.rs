//! Ticks on one grid the whole process shares. Work that many tasks each do "at most once
//! per X" (eight replies read, eight replies kept) then lands on the same instants, and
//! the process wakes once per tick rather than once per task. Knows nothing of what is
//! done on a tick.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

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

/// A grid period that streams read on, and how many of them are open: the app hands one
/// to its client (each reply's body is then read at most once a tick) and the same to the
/// worker's thread, which runs only on the ticks while any such stream is open
/// (`worker::WorkerThread`). Cheap to clone; clones share the count.
#[derive(Debug, Clone)]
pub struct Pace {
    shared: Arc<PaceShared>,
    /// Whether the stream's reader is on screen (`watched`): `None`, always.
    shown: Option<Arc<AtomicBool>>,
}

/// A stream nobody is looking at is read this many ticks apart: about eight times a
/// second at the frame rate, soon enough for its tab's marker and its end's bell.
const UNSEEN_TICKS: u32 = 8;

#[derive(Debug)]
struct PaceShared {
    every: Duration,
    open: AtomicUsize,
    opened: Notify,
}

impl Pace {
    pub fn new(every: Duration) -> Self {
        Self {
            shared: Arc::new(PaceShared {
                every,
                open: AtomicUsize::new(0),
                opened: Notify::new(),
            }),
            shown: None,
        }
    }

    /// This grid for a stream whose reader is on screen only while `shown` holds: off
    /// screen it is read `UNSEEN_TICKS` ticks apart (still on the grid).
    pub fn watched(&self, shown: Arc<AtomicBool>) -> Self {
        Self {
            shared: self.shared.clone(),
            shown: Some(shown),
        }
    }

    /// The time between two reads now.
    pub fn every(&self) -> Duration {
        match &self.shown {
            Some(shown) if !shown.load(Ordering::Relaxed) => self.shared.every * UNSEEN_TICKS,
            _ => self.shared.every,
        }
    }

    /// The grid's period.
    pub fn tick(&self) -> Duration {
        self.shared.every
    }

    /// Counts a stream as open until the guard is dropped.
    pub fn open(&self) -> Paced {
        if self.shared.open.fetch_add(1, Ordering::AcqRel) == 0 {
            // A permit is kept if no one waits yet: the waiter then looks again.
            self.shared.opened.notify_one();
        }
        Paced(self.shared.clone())
    }

    /// True while some stream reads on this grid.
    pub fn any_open(&self) -> bool {
        self.shared.open.load(Ordering::Acquire) > 0
    }

    /// Returns when the first stream opens, or soon after one has (a spare wake-up is
    /// possible: look at `any_open` again).
    pub async fn opened(&self) {
        self.shared.opened.notified().await;
    }
}

/// A stream reading on a `Pace`'s grid, counted while this lives.
#[derive(Debug)]
pub struct Paced(Arc<PaceShared>);

impl Drop for Paced {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
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

    #[test]
    fn a_pace_counts_its_open_streams_and_reads_unwatched_ones_slower() {
        let frame = Duration::from_millis(16);
        let pace = Pace::new(frame);
        assert!(!pace.any_open());
        let shown = Arc::new(AtomicBool::new(true));
        let watched = pace.watched(shown.clone());
        // Clones share the count.
        let a = watched.open();
        let b = pace.open();
        assert!(pace.any_open() && watched.any_open());
        assert_eq!(watched.every(), frame);
        shown.store(false, Ordering::Relaxed);
        assert_eq!(watched.every(), frame * UNSEEN_TICKS);
        // Only the watched clone slows; the grid stays the same.
        assert_eq!((pace.every(), watched.tick()), (frame, frame));
        drop(a);
        assert!(pace.any_open());
        drop(b);
        assert!(!pace.any_open());
    }

    #[tokio::test]
    async fn the_first_stream_to_open_wakes_a_waiter_even_one_that_came_late() {
        let pace = Pace::new(Duration::from_millis(16));
        let _open = pace.open();
        // Opened before anyone waited: the permit is kept.
        tokio::time::timeout(Duration::from_secs(5), pace.opened())
            .await
            .expect("woken");
    }
}
