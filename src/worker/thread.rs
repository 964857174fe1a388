//! The worker's own thread and runtime (the app only). It runs the worker like any tokio
//! runtime, except while replies stream on its grid (`tick::Pace`): then it runs
//! once a tick and sleeps in between, outside the poller, so the packets that arrive
//! meanwhile wait in their sockets instead of each waking the thread. It knows nothing of
//! what the worker does.

use std::future::Future;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use crate::tick::Pace;

/// After a tick, past the timers due on it: tokio rounds a timer's deadline up to the
/// next millisecond, and one woken a hair early would wait a whole tick more.
const SLACK: Duration = Duration::from_millis(1);

/// Rounds of the scheduler per tick: a packet's bytes go from the socket to the HTTP
/// connection's task, to the reply's task, to the UI's channel; each hop that wakes a
/// task is a round. What is still left waits for the next tick, nothing is lost.
const ROUNDS: usize = 4;

pub struct WorkerThread {
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WorkerThread {
    /// Starts the thread, which runs `work` until it returns or `stop` is called, on
    /// `pace`'s ticks while a stream is open on it.
    pub fn start<F>(work: F, pace: Pace) -> std::io::Result<Self>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("oat-worker".into())
            .spawn(move || {
                runtime.block_on(drive(work, stopped, pace));
                // Dropping the runtime drops the tasks still running (a reply's keeper
                // saves what arrived) and waits for the blocking pool's writes.
                drop(runtime);
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// Ends the worker and waits for its thread: what it was writing is written.
    pub fn stop(mut self) {
        self.finish();
    }

    fn finish(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            // A panic there was already reported by the hook.
            let _ = thread.join();
        }
    }
}

impl Drop for WorkerThread {
    fn drop(&mut self) {
        self.finish();
    }
}

async fn drive<F>(work: F, mut stopped: oneshot::Receiver<()>, pace: Pace)
where
    F: Future<Output = ()> + Send + 'static,
{
    let mut work = tokio::spawn(work);
    loop {
        if pace.any_open() {
            let due = crate::tick::next(Instant::now(), pace.tick()) + SLACK;
            // Blocking on purpose: asleep here, the thread is not in the poller, so the
            // packets arriving meanwhile do not wake it; the next rounds take them all.
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
            for _ in 0..ROUNDS {
                tokio::task::yield_now().await;
            }
            match stopped.try_recv() {
                Err(oneshot::error::TryRecvError::Empty) => {}
                _ => break,
            }
            if work.is_finished() {
                break;
            }
        } else {
            tokio::select! {
                () = pace.opened() => {}
                _ = &mut stopped => break,
                _ = &mut work => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use tokio::io::AsyncReadExt;

    /// The calling thread's voluntary context switches: its sleeps and waits, not the
    /// preemptions a busy machine adds.
    fn waits() -> u64 {
        let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("voluntary_ctxt_switches:"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    #[test]
    fn while_a_paced_stream_is_open_the_thread_wakes_once_a_tick_not_per_packet() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        const PACKETS: usize = 600;
        // A peer sending one byte a millisecond, each its own packet.
        let peer = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_nodelay(true).unwrap();
            for _ in 0..PACKETS {
                s.write_all(b"x").unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
        });
        let (tx, rx) = std::sync::mpsc::channel();
        let pace = Pace::new(Duration::from_millis(16));
        let open = pace.clone();
        let work = async move {
            let _paced = open.open();
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            let before = waits();
            let (mut got, mut buf) = (0, [0u8; 4096]);
            loop {
                match s.read(&mut buf).await.unwrap() {
                    0 => break,
                    n => got += n,
                }
            }
            tx.send((got, waits() - before)).unwrap();
        };
        let thread = WorkerThread::start(work, pace).unwrap();
        let (got, woke) = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        thread.stop();
        peer.join().unwrap();
        assert_eq!(got, PACKETS, "every byte arrives");
        // About 0.7 s of packets is some 45 ticks; woken at each packet, it would be 600.
        assert!(woke < 200, "{woke} wake-ups for {PACKETS} packets");
    }

    #[test]
    fn without_paced_streams_the_thread_answers_at_once_and_stops_when_asked() {
        let (tx, rx) = std::sync::mpsc::channel();
        let (go, wait) = tokio::sync::oneshot::channel::<Instant>();
        let work = async move {
            let sent = wait.await.unwrap();
            tx.send(sent.elapsed()).unwrap();
            std::future::pending::<()>().await;
        };
        let thread = WorkerThread::start(work, Pace::new(Duration::from_secs(10))).unwrap();
        go.send(Instant::now()).unwrap();
        let took = rx.recv_timeout(Duration::from_secs(5)).unwrap();
        // Not held to a tick (ten seconds here): no stream is open.
        assert!(took < Duration::from_secs(2), "{took:?}");
        let stopping = Instant::now();
        thread.stop();
        assert!(stopping.elapsed() < Duration::from_secs(2));
    }
}
