//! Every keyring call on a thread of its own, given up after a deadline: a hung service
//! or an unanswered unlock prompt can wait forever, and oat must answer. A call that puts
//! up a prompt says so, and from then on the wait is a person's. While a call given up
//! on is still waiting, the next ones fail at once instead of waiting out a deadline each
//! behind it. Knows no keyring.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use crate::credentials::store::StoreError;

/// A keyring that has not answered a lookup by then is reported as not answering. A
/// lookup writes nothing, so only a missing, hung or overloaded service is this slow.
pub const READ: Duration = Duration::from_secs(5);
/// Storing or removing a secret: the service saves its file, and that save's fsync can
/// wait seconds for a disk busy with other writes (the end of a big build, say).
pub const WRITE: Duration = Duration::from_secs(30);
/// Once the keyring shows an unlock prompt, a person is typing a password.
pub const PROMPT: Duration = Duration::from_secs(120);

/// Calls given up on whose threads still wait for the keyring. While there is one, the
/// keyring is not answering: a pane listing five keys, or the app's first requests, would
/// otherwise wait out five deadlines in a row. It closes when that call gets its answer.
pub struct Unanswered(AtomicUsize);

impl Unanswered {
    pub const fn new() -> Self {
        Self(AtomicUsize::new(0))
    }
}

static UNANSWERED: Unanswered = Unanswered::new();

/// Where one call stands, shared by its thread and its waiter.
#[derive(PartialEq)]
enum Call {
    Running,
    GivenUp,
    Done,
}

/// What the keyring thread tells the waiting one.
enum Progress<T> {
    /// An unlock prompt is up: the wait is a person's now.
    Prompting,
    Done(Result<T, StoreError>),
}

/// Runs a keyring call on a thread of its own and gives up after `deadline`, or after
/// `PROMPT` once the call has shown an unlock prompt (it calls the function it is given
/// first). The thread is left to finish (or hang) on its own; oat does not wait for it.
pub fn with_deadline<T: Send + 'static>(
    deadline: Duration,
    f: impl FnOnce(&dyn Fn()) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    with_deadlines(&UNANSWERED, deadline, PROMPT, f)
}

fn with_deadlines<T: Send + 'static>(
    unanswered: &'static Unanswered,
    deadline: Duration,
    prompt_deadline: Duration,
    f: impl FnOnce(&dyn Fn()) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    if unanswered.0.load(Ordering::SeqCst) > 0 {
        return Err(StoreError::KeyringTimeout(deadline));
    }
    let call = Arc::new(Mutex::new(Call::Running));
    let (tx, rx) = mpsc::channel();
    let theirs = call.clone();
    std::thread::spawn(move || {
        let prompting = tx.clone();
        let on_prompt = move || {
            let _ = prompting.send(Progress::Prompting);
        };
        let result = f(&on_prompt);
        let mut call = theirs.lock().unwrap_or_else(PoisonError::into_inner);
        if *call == Call::GivenUp {
            unanswered.0.fetch_sub(1, Ordering::SeqCst);
        }
        *call = Call::Done;
        drop(call);
        let _ = tx.send(Progress::Done(result));
    });
    let mut waited = deadline;
    let mut until = Instant::now() + deadline;
    loop {
        match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(Progress::Done(result)) => return result,
            Ok(Progress::Prompting) => {
                waited = prompt_deadline;
                until = Instant::now() + prompt_deadline;
            }
            Err(_) => {
                let mut call = call.lock().unwrap_or_else(PoisonError::into_inner);
                if *call == Call::Running {
                    *call = Call::GivenUp;
                    unanswered.0.fetch_add(1, Ordering::SeqCst);
                }
                return Err(StoreError::KeyringTimeout(waited));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn a_call_past_its_deadline_is_a_timeout_and_one_within_it_answers() {
        static SLOW: Unanswered = Unanswered::new();
        static QUICK: Unanswered = Unanswered::new();
        let slow = with_deadlines(&SLOW, 50 * MS, 10_000 * MS, |_| {
            std::thread::sleep(2_000 * MS);
            Ok(())
        });
        assert!(
            matches!(slow, Err(StoreError::KeyringTimeout(d)) if d == 50 * MS),
            "{slow:?}"
        );
        let quick = with_deadlines(&QUICK, 2_000 * MS, 10_000 * MS, |_| {
            std::thread::sleep(20 * MS);
            Ok(7)
        });
        assert_eq!(quick.unwrap(), 7);
    }

    #[test]
    fn an_unlock_prompt_gives_the_person_the_longer_deadline() {
        static CALLS: Unanswered = Unanswered::new();
        let started = Instant::now();
        let answered = with_deadlines(&CALLS, 50 * MS, 5_000 * MS, |on_prompt| {
            on_prompt();
            std::thread::sleep(300 * MS);
            Ok("unlocked")
        });
        assert_eq!(answered.unwrap(), "unlocked");
        assert!(started.elapsed() >= 300 * MS);
        // And that longer deadline still ends a prompt nobody answers.
        let abandoned = with_deadlines(&CALLS, 50 * MS, 100 * MS, |on_prompt| {
            on_prompt();
            std::thread::sleep(2_000 * MS);
            Ok(())
        });
        assert!(
            matches!(abandoned, Err(StoreError::KeyringTimeout(d)) if d == 100 * MS),
            "{abandoned:?}"
        );
    }

    #[test]
    fn while_a_call_goes_unanswered_the_next_fail_at_once_and_after_it_they_run() {
        static CALLS: Unanswered = Unanswered::new();
        let hung = with_deadlines(&CALLS, 50 * MS, 10_000 * MS, |_| {
            std::thread::sleep(700 * MS);
            Ok(())
        });
        assert!(
            matches!(hung, Err(StoreError::KeyringTimeout(_))),
            "{hung:?}"
        );
        let started = Instant::now();
        let next = with_deadlines(&CALLS, 2_000 * MS, 10_000 * MS, |_| Ok(1));
        assert!(
            matches!(next, Err(StoreError::KeyringTimeout(_))),
            "{next:?}"
        );
        assert!(
            started.elapsed() < 500 * MS,
            "it did not wait behind the hung call"
        );
        // The hung call gets its answer: the keyring is answering again.
        let until = Instant::now() + 5_000 * MS;
        while CALLS.0.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            std::thread::sleep(20 * MS);
        }
        let after = with_deadlines(&CALLS, 2_000 * MS, 10_000 * MS, |_| Ok(2));
        assert_eq!(after.unwrap(), 2);
    }
}
