//! Record stage, the writer: a thread that owns the store and records each batch it is
//! sent in one transaction, while the pipeline goes on reading. The channel holds a few
//! batches, so memory stays bounded when the store is slower than the reading.

use super::event::Event;
use super::store::Store;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::thread::JoinHandle;

/// Batches waiting for the writer at most.
const QUEUE: usize = 8;
/// Events recorded in one transaction at most, from batches that waited.
const MERGE: usize = 100_000;

/// The writer thread and its channel.
pub struct Writer {
    queue: Option<SyncSender<Vec<Event>>>,
    thread: Option<JoinHandle<Result<u64, String>>>,
}

impl Writer {
    /// Starts the thread over an open store.
    pub fn start(mut store: Store) -> Writer {
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
        Writer {
            queue: Some(queue),
            thread: Some(thread),
        }
    }

    /// Hands a batch on; after the writer failed, nothing is sent ([`Writer::finish`] says why).
    pub fn send(&self, events: Vec<Event>) {
        if let (Some(q), false) = (&self.queue, events.is_empty()) {
            let _ = q.send(events);
        }
    }

    /// Waits for every batch to be recorded: how many events were new, or why the
    /// recording stopped.
    pub fn finish(mut self) -> Result<u64, String> {
        self.queue = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err("the writer stopped".into()),
            None => Ok(0),
        }
    }
}
