//! The event loop's sense of time, as a small pure type: whether a frame is owed and when
//! it may be drawn (what a person types at once; a stream at most once a frame), and the
//! one deadline the loop sleeps until — a frame, a spinner tick, the composer settling, a
//! notice fading, the worker's events let in again — or none at all, so an idle app
//! never wakes. No I/O, no sleeping here: the loop asks, and tests drive it under tokio's
//! paused clock.

use std::time::Duration;

use tokio::time::Instant;

/// About 60 frames a second at most.
pub const FRAME: Duration = Duration::from_millis(16);
/// Spinners advance ten times a second while something loads.
pub const TICK: Duration = Duration::from_millis(100);
/// How long the composer must rest before its tokens are counted: a pause in typing, not
/// every keystroke.
pub const SETTLE: Duration = Duration::from_millis(600);

#[derive(Debug, Default)]
pub struct Clock {
    dirty: bool,
    /// Set by a key, paste or resize: draw now rather than at the next frame slot.
    urgent: bool,
    last_draw: Option<Instant>,
    next_tick: Option<Instant>,
    /// Armed only by input that left a count owed.
    settle_at: Option<Instant>,
    /// The newest notice that fades, and when.
    fade: Option<(u64, Instant)>,
    /// The worker's events wait until then: taken at most once a frame (see `took_events`).
    events_rest: Option<Instant>,
}

/// What came due at a deadline.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Due {
    pub tick: bool,
    pub faded: Option<u64>,
    pub settled: bool,
}

impl Clock {
    /// State changed: a frame is owed (`urgent`: draw it now, it answers a person).
    pub fn changed(&mut self, urgent: bool) {
        self.dirty = true;
        self.urgent |= urgent;
    }

    /// Whether to draw now: something changed, and it is urgent or its frame slot came.
    pub fn should_draw(&self, now: Instant) -> bool {
        self.dirty && (self.urgent || self.last_draw.is_none_or(|t| now >= t + FRAME))
    }

    pub fn drawn(&mut self, now: Instant) {
        self.dirty = false;
        self.urgent = false;
        self.last_draw = Some(now);
    }

    /// A spinner runs while `animating`; otherwise no tick is kept.
    pub fn animate(&mut self, now: Instant, animating: bool) {
        if animating {
            self.next_tick.get_or_insert(now + TICK);
        } else {
            self.next_tick = None;
        }
    }

    /// The notice that fades now (its id), if any: armed once per notice.
    pub fn fading(&mut self, now: Instant, notice: Option<u64>, after: Duration) {
        match notice {
            Some(id) if self.fade.is_none_or(|(armed, _)| armed != id) => {
                self.fade = Some((id, now + after));
            }
            None => self.fade = None,
            Some(_) => {}
        }
    }

    /// After input: a count is owed once the composer rests (`wants`), else none.
    pub fn settle(&mut self, now: Instant, wants: bool) {
        self.settle_at = wants.then(|| now + SETTLE);
    }

    /// The worker's events were just taken: the next are let in a frame later, in one
    /// go. Eight tabs streaming send 800 deltas a second; taken as they come, each would
    /// wake the loop (a thread switch or two apiece), although the screen shows at most
    /// one tab at most once a frame. The first event after a lull is taken at once.
    pub fn took_events(&mut self, now: Instant) {
        self.events_rest = Some(now + FRAME);
    }

    /// Whether the worker's events may be taken now.
    pub fn takes_events(&self, now: Instant) -> bool {
        self.events_rest.is_none_or(|t| now >= t)
    }

    /// When the loop must wake, or `None`: nothing to do until something happens.
    pub fn deadline(&self, now: Instant) -> Option<Instant> {
        let frame = self
            .dirty
            .then(|| self.last_draw.map_or(now, |t| t + FRAME));
        [
            frame,
            self.next_tick,
            self.settle_at,
            self.fade.map(|(_, at)| at),
            self.events_rest,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// What came due by `now`, each taken once.
    pub fn take_due(&mut self, now: Instant) -> Due {
        let mut due = Due::default();
        if self.next_tick.is_some_and(|t| now >= t) {
            self.next_tick = None;
            due.tick = true;
        }
        if let Some((id, at)) = self.fade
            && now >= at
        {
            self.fade = None;
            due.faded = Some(id);
        }
        if self.settle_at.is_some_and(|t| now >= t) {
            self.settle_at = None;
            due.settled = true;
        }
        // The rest is over: the loop polls the worker's channel again (nothing to draw).
        if self.events_rest.is_some_and(|t| now >= t) {
            self.events_rest = None;
        }
        if due != Due::default() {
            self.dirty = true;
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn idle_sets_no_deadline_and_typing_draws_at_once() {
        let mut c = Clock::default();
        let now = Instant::now();
        assert_eq!(c.deadline(now), None, "idle: nothing wakes the loop");
        c.changed(true);
        assert!(c.should_draw(now));
        c.drawn(now);
        assert_eq!(c.deadline(now), None);
        // Another key right after: drawn at once, frame cap or not.
        tokio::time::advance(Duration::from_millis(1)).await;
        c.changed(true);
        assert!(c.should_draw(Instant::now()));
    }

    #[tokio::test(start_paused = true)]
    async fn a_stream_is_drawn_at_most_once_a_frame() {
        let mut c = Clock::default();
        let start = Instant::now();
        c.changed(false);
        c.drawn(start);
        // Deltas keep coming: the next frame waits for its slot.
        tokio::time::advance(Duration::from_millis(5)).await;
        c.changed(false);
        assert!(!c.should_draw(Instant::now()));
        assert_eq!(c.deadline(Instant::now()), Some(start + FRAME));
        tokio::time::advance(Duration::from_millis(11)).await;
        assert!(c.should_draw(Instant::now()));
    }

    #[tokio::test(start_paused = true)]
    async fn ticks_settles_and_fades_come_due_once_each() {
        let mut c = Clock::default();
        let t0 = Instant::now();
        c.animate(t0, true);
        c.settle(t0, true);
        c.fading(t0, Some(7), Duration::from_secs(6));
        // The earliest of the three is the deadline.
        assert_eq!(c.deadline(t0), Some(t0 + TICK));
        tokio::time::advance(TICK).await;
        assert_eq!(
            c.take_due(Instant::now()),
            Due {
                tick: true,
                ..Due::default()
            }
        );
        // A tick draws a frame (the spinner moved), and the next tick is armed again.
        assert!(c.should_draw(Instant::now()));
        c.drawn(Instant::now());
        c.animate(Instant::now(), true);
        assert_eq!(c.deadline(Instant::now()), Some(t0 + TICK * 2));
        // Stopped animating: only the settle and the fade remain.
        c.animate(Instant::now(), false);
        assert_eq!(c.deadline(Instant::now()), Some(t0 + SETTLE));
        tokio::time::advance(SETTLE).await;
        assert!(c.take_due(Instant::now()).settled);
        assert!(!c.take_due(Instant::now()).settled, "once");
        // Re-arming for the same notice does not push its fade back.
        c.fading(Instant::now(), Some(7), Duration::from_secs(6));
        tokio::time::advance(Duration::from_secs(6) - SETTLE - TICK).await;
        assert_eq!(c.take_due(Instant::now()).faded, Some(7));
        c.drawn(Instant::now());
        assert_eq!(c.deadline(Instant::now()), None, "idle again");
    }

    #[tokio::test(start_paused = true)]
    async fn the_workers_events_are_taken_at_once_then_at_most_once_a_frame() {
        let mut c = Clock::default();
        let t0 = Instant::now();
        assert!(c.takes_events(t0), "the first event after a lull: at once");
        c.took_events(t0);
        tokio::time::advance(Duration::from_millis(3)).await;
        assert!(
            !c.takes_events(Instant::now()),
            "the next wait for the frame"
        );
        assert_eq!(c.deadline(Instant::now()), Some(t0 + FRAME));
        tokio::time::advance(FRAME - Duration::from_millis(3)).await;
        assert!(c.takes_events(Instant::now()));
        // The rest ending is no change: no frame is owed for it.
        assert_eq!(c.take_due(Instant::now()), Due::default());
        assert!(!c.should_draw(Instant::now()));
        assert_eq!(
            c.deadline(Instant::now()),
            None,
            "idle again: nothing wakes"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn typing_that_owes_no_count_disarms_the_settle() {
        let mut c = Clock::default();
        c.settle(Instant::now(), true);
        c.settle(Instant::now(), false);
        assert_eq!(c.deadline(Instant::now()), None);
    }
}
