//! Hashing many passwords at once (an import): one worker thread per core, each hashing
//! one password at a time with its four argon2 lanes in turn, in argon2 memory of its own.
//!
//! One hash alone runs its lanes on rayon's global pool (argon2's `parallel` feature):
//! the fastest single hash. Many hashes that way leave cores idle at every one of a hash's
//! 12 lane barriers, and the thread that asked waits without working; an import of 10,000
//! rows ran at a CPU/wall of 1.27 on 2 cores. Here each worker is a rayon pool of one
//! thread (itself), so argon2's lanes run in turn on it and every core hashes all the time:
//! the work is the same, the wall time is the CPU time divided by the cores.
//!
//! Each worker allocates its 64 MiB of argon2 blocks ([`HashMemory`]) at its first
//! password and hashes every later one in the same blocks, instead of allocating (and
//! faulting in) 64 MiB per password as [`hash`](super::hasher::hash) does; the blocks are
//! zeroed when the worker ends. Memory stays one hash (64 MiB) per worker.

use super::hasher::{HashError, HashMemory};
use crate::domain::Secret;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use tokio::sync::oneshot;

type Job = (Secret, oneshot::Sender<Result<String, HashError>>);

/// The workers; dropping this ends them once their current hash is done.
pub struct BulkHasher {
    jobs: Option<mpsc::Sender<Job>>,
    workers: Vec<JoinHandle<()>>,
}

impl BulkHasher {
    /// One worker per core the process may use.
    pub fn per_core() -> Result<BulkHasher, HashError> {
        BulkHasher::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }

    pub fn new(workers: usize) -> Result<BulkHasher, HashError> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut handles = Vec::with_capacity(workers);
        for i in 0..workers.max(1) {
            let rx = rx.clone();
            let handle = std::thread::Builder::new()
                .name(format!("hash-{i}"))
                .spawn(move || work(&rx))
                .map_err(|e| HashError::Hash(format!("cannot start a hashing thread: {e}")))?;
            handles.push(handle);
        }
        Ok(BulkHasher { jobs: Some(tx), workers: handles })
    }

    /// How many hashes run at once.
    pub fn workers(&self) -> usize {
        self.workers.len()
    }

    /// Queues `password` at once and answers with its PHC string when a worker has hashed
    /// it. The worker drops (and so zeroes) its copy of the password when done.
    pub fn hash(&self, password: Secret) -> impl Future<Output = Result<String, HashError>> + use<> {
        let (tx, rx) = oneshot::channel();
        let queued = self.jobs.as_ref().is_some_and(|jobs| jobs.send((password, tx)).is_ok());
        async move {
            if !queued {
                return Err(HashError::Hash("the hashing threads have stopped".into()));
            }
            rx.await.map_err(|_| HashError::Hash("a hashing thread stopped".into()))?
        }
    }
}

impl Drop for BulkHasher {
    fn drop(&mut self) {
        self.jobs = None;
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// A worker: a rayon pool of this one thread, so argon2's lanes stay on it, and argon2
/// blocks of its own, made at the first password and zeroed (dropped) when it returns.
fn work(jobs: &Mutex<mpsc::Receiver<Job>>) {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).use_current_thread().build();
    let mut memory: Option<HashMemory> = None;
    loop {
        let job = match jobs.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((password, answer)) = job else { return };
        let hashed = match &pool {
            Ok(pool) => pool.install(|| hash_in(&mut memory, &password)),
            Err(_) => hash_in(&mut memory, &password),
        };
        drop(password);
        let _ = answer.send(hashed);
    }
}

/// Hashes in the worker's blocks, allocating them the first time (and again after an
/// allocation that failed).
fn hash_in(memory: &mut Option<HashMemory>, password: &Secret) -> Result<String, HashError> {
    let blocks = match memory {
        Some(blocks) => blocks,
        None => memory.insert(HashMemory::new()?),
    };
    blocks.hash(password)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::hasher;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_verify_and_come_back_in_the_order_asked() {
        let bulk = BulkHasher::new(2).expect("workers");
        let passwords: Vec<Secret> = (0..5).map(|i| Secret::new(format!("password number {i}"))).collect();
        let pending: Vec<_> = passwords.iter().map(|p| bulk.hash(p.clone())).collect();
        for (p, f) in passwords.iter().zip(pending) {
            let phc = f.await.expect("hashed");
            assert!(phc.starts_with("$argon2id$v=19$m=65536,t=3,p=4$"), "{phc}");
            assert!(hasher::verify(p, &phc));
        }
        drop(bulk);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn one_worker_reuses_its_memory_and_salts_each_hash_anew() {
        let bulk = BulkHasher::new(1).expect("worker");
        let pw = Secret::from("the same password");
        let first = bulk.hash(pw.clone()).await.expect("first");
        let second = bulk.hash(pw.clone()).await.expect("second, in the same blocks");
        assert_ne!(first, second, "a new salt for each hash");
        let one = hasher::hash(&pw).expect("hash");
        for phc in [&first, &second] {
            assert!(hasher::verify(&pw, phc), "{phc}");
            let (ours, theirs): (Vec<&str>, Vec<&str>) = (phc.split('$').collect(), one.split('$').collect());
            assert_eq!(ours[..4], theirs[..4], "same algorithm, version and parameters");
            assert_eq!(
                ours.iter().map(|p| p.len()).collect::<Vec<_>>(),
                theirs.iter().map(|p| p.len()).collect::<Vec<_>>()
            );
        }
    }

    /// A worker's pool is the worker alone, so argon2's `par_iter` over the lanes runs them
    /// in turn there instead of handing them to rayon's global pool.
    #[test]
    fn each_worker_keeps_its_lanes_on_its_own_thread() {
        let inside = std::thread::spawn(|| {
            let pool =
                rayon::ThreadPoolBuilder::new().num_threads(1).use_current_thread().build().expect("pool");
            pool.install(rayon::current_num_threads)
        })
        .join()
        .expect("thread");
        assert_eq!(inside, 1, "argon2's par_iter over the lanes sees one thread");
    }
}
