//! Record stage, the writer: a thread that owns the store and records each batch it is
//! sent in one transaction, while the pipeline goes on reading. The channel holds a few
//! batches, so memory stays bounded when the store is slower than the reading. A live
//! stream (`--line-buffered`, a filter under rsyslog) records each batch at once instead,
//! before its output is written: a SIGTERM between two lines loses neither.

use super::event::Event;
use super::store::Store;
use std::cell::RefCell;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// Batches waiting for the writer at most.
const QUEUE: usize = 8;
/// Events recorded in one transaction at most, from batches that waited.
const MERGE: usize = 100_000;

/// The writer thread and its channel, or the store itself for a live stream.
pub enum Writer {
    Thread {
        queue: Option<SyncSender<Vec<Event>>>,
        thread: Option<JoinHandle<Result<u64, String>>>,
    },
    Direct(RefCell<(Store, Result<u64, String>)>),
}

impl Writer {
    /// Starts the thread over an open store (`live`: records on the caller's thread).
    pub fn start(mut store: Store, live: bool) -> Writer {
        if live {
            return Writer::Direct(RefCell::new((store, Ok(0))));
        }
        let (queue, batches) = sync_channel::<Vec<Event>>(QUEUE);
        let thread = std::thread::spawn(move || {
            let mut added = 0u64;
            // Batches that wait are recorded together: fewer, larger transactions.
            while let Ok(mut batch) = batches.recv() {
                while batch.len() < MERGE {
                    match batches.try_recv() {
                        Ok(more) => batch.extend(more),
                        Err(_) => break,
                    }
                }
                added += store.record(&batch)? as u64;
            }
            Ok(added)
        });
        Writer::Thread {
            queue: Some(queue),
            thread: Some(thread),
        }
    }

    /// Hands a batch on; after the writer failed, nothing is recorded ([`Writer::finish`]
    /// says why).
    pub fn send(&self, events: Vec<Event>) {
        if events.is_empty() {
            return;
        }
        match self {
            Writer::Thread { queue: Some(q), .. } => {
                let _ = q.send(events);
            }
            Writer::Thread { .. } => {}
            Writer::Direct(cell) => {
                let (store, result) = &mut *cell.borrow_mut();
                if let Ok(added) = result {
                    match store.record(&events) {
                        Ok(n) => *added += n as u64,
                        Err(e) => *result = Err(e),
                    }
                }
            }
        }
    }

    /// Waits for every batch to be recorded: how many events were new, or why the
    /// recording stopped.
    pub fn finish(self) -> Result<u64, String> {
        match self {
            Writer::Thread { queue, thread } => {
                drop(queue);
                match thread.map(JoinHandle::join) {
                    Some(Ok(result)) => result,
                    Some(Err(_)) => Err("the writer stopped".into()),
                    None => Ok(0),
                }
            }
            Writer::Direct(cell) => cell.into_inner().1,
        }
    }
}
