//! Password hashing under a bound. argon2id is memory-hard on purpose (19 MiB per hash with
//! the default parameters), so hashing on demand for every request would let any client exhaust
//! the machine with a burst of logins. Here at most `concurrency` hashes run at once, on the
//! blocking pool, each in a working buffer allocated once and reused by the next hash (nothing is
//! handed back to the allocator to fragment); at most `queue` more requests wait for a turn, and
//! beyond that a request is refused at once ([`PasswordError::Busy`], answered with 429). Memory
//! for hashing therefore stays under [`Passwords::memory_ceiling`], however many requests arrive.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use argon2::password_hash::{Output, ParamsString, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use rand::rngs::OsRng;
use tokio::sync::Semaphore;

/// Why a password could not be hashed or checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordError {
    /// Too many requests are already waiting for a turn.
    Busy,
    /// The hasher failed (a fault on our side).
    Failed(String),
}

/// The bounded hasher; one per node, shared by registration and login.
#[derive(Debug)]
pub struct Passwords {
    /// One permit per hash allowed to run at once.
    permits: Arc<Semaphore>,
    /// How many permits there are.
    concurrency: usize,
    /// Requests waiting for a permit now.
    waiting: AtomicUsize,
    /// Most requests allowed to wait.
    queue: usize,
    /// Working memory of finished hashes, reused by the next ones (at most one per permit).
    buffers: Mutex<Vec<Vec<Block>>>,
    /// Parameters of new hashes.
    params: Params,
    /// A hash to check against when a login names nobody (made on first use).
    decoy: OnceLock<String>,
}

/// Counts a request as waiting until it gets its turn or gives up (its future dropped).
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Passwords {
    /// A hasher running at most `concurrency` (at least 1) hashes at once, with at most `queue`
    /// requests waiting, hashing new passwords with argon2id's default parameters.
    pub fn new(concurrency: usize, queue: usize) -> Self {
        Self::with_params(concurrency, queue, Params::default())
    }

    /// As [`Passwords::new`], with other argon2id parameters for new hashes.
    pub fn with_params(concurrency: usize, queue: usize, params: Params) -> Self {
        let concurrency = concurrency.max(1);
        Passwords {
            permits: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            waiting: AtomicUsize::new(0),
            queue,
            buffers: Mutex::new(Vec::new()),
            params,
            decoy: OnceLock::new(),
        }
    }

    /// The most memory hashing holds, in bytes: one working buffer per concurrent hash.
    pub fn memory_ceiling(&self) -> usize {
        self.concurrency * self.params.block_count() * Block::SIZE
    }

    /// Hashes a new password into a PHC string (`$argon2id$v=19$m=...`).
    pub async fn hash(self: &Arc<Self>, password: String) -> Result<String, PasswordError> {
        self.run(move |this, buffer| this.hash_in(password.as_bytes(), buffer))
            .await?
            .map_err(PasswordError::Failed)
    }

    /// Checks a password against a stored PHC string; `None` (a login naming nobody) checks it
    /// against a decoy, so that the answer takes as long as for a real account.
    pub async fn verify(
        self: &Arc<Self>,
        password: String,
        stored: Option<String>,
    ) -> Result<bool, PasswordError> {
        self.run(move |this, buffer| match stored {
            Some(phc) => verify_in(password.as_bytes(), &phc, buffer),
            None => {
                let decoy = this.decoy.get_or_init(|| {
                    this.hash_in(b"decoy password nobody has", buffer)
                        .unwrap_or_default()
                });
                verify_in(password.as_bytes(), decoy, buffer);
                false
            }
        })
        .await
    }

    /// Runs `job` on the blocking pool with a working buffer, once a permit is free.
    async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        job: impl FnOnce(&Passwords, &mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let permit = match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue {
                    self.waiting.fetch_sub(1, Ordering::AcqRel);
                    return Err(PasswordError::Busy);
                }
                let _waiting = Waiting(&self.waiting);
                Arc::clone(&self.permits)
                    .acquire_owned()
                    .await
                    .map_err(|e| PasswordError::Failed(e.to_string()))?
            }
        };
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let mut buffer = this.take_buffer();
            let out = job(&this, &mut buffer);
            this.buffers
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(buffer);
            out
        })
        .await
        .map_err(|e| PasswordError::Failed(e.to_string()))
    }

    /// A free working buffer, or a new one (only while fewer than `concurrency` exist, since
    /// every holder of one holds a permit).
    fn take_buffer(&self) -> Vec<Block> {
        let reused = self
            .buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        reused.unwrap_or_else(|| vec![Block::default(); self.params.block_count()])
    }

    /// Hashes `password` with a new salt, in `buffer`.
    fn hash_in(&self, password: &[u8], buffer: &mut Vec<Block>) -> Result<String, String> {
        let salt = SaltString::generate(&mut OsRng);
        let mut raw = [0u8; 64];
        let raw = salt.decode_b64(&mut raw).map_err(|e| e.to_string())?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        let len = self
            .params
            .output_len()
            .unwrap_or(Params::DEFAULT_OUTPUT_LEN);
        let blocks = self.params.block_count();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::default());
        }
        let output = Output::init_with(len, |out| {
            argon
                .hash_password_into_with_memory(password, raw, out, &mut buffer[..blocks])
                .map_err(Into::into)
        })
        .map_err(|e| e.to_string())?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(|e| e.to_string())?,
            salt: Some(salt.as_salt()),
            hash: Some(output),
        };
        Ok(phc.to_string())
    }
}

/// Checks `password` against the PHC string `phc`, in `buffer` when it is large enough for the
/// stored parameters (every hash hearth makes), else in memory of its own for this check.
fn verify_in(password: &[u8], phc: &str, buffer: &mut [Block]) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let mut raw = [0u8; 64];
    let Ok(raw) = salt.decode_b64(&mut raw) else {
        return false;
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    let blocks = params.block_count();
    let mut own = Vec::new();
    let memory = match buffer.get_mut(..blocks) {
        Some(memory) => memory,
        None => {
            own.resize(blocks, Block::default());
            &mut own[..]
        }
    };
    let computed = Output::init_with(expected.len(), |out| {
        argon
            .hash_password_into_with_memory(password, raw, out, &mut *memory)
            .map_err(Into::into)
    });
    // `Output`'s equality is constant-time.
    computed.is_ok_and(|c| c == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher;

    fn cheap() -> Params {
        Params::new(64, 1, 1, None).unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let p = Arc::new(Passwords::with_params(2, 4, cheap()));
        let phc = p.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{phc}");
        assert!(p
            .verify("correct horse".into(), Some(phc.clone()))
            .await
            .unwrap());
        assert!(!p.verify("wrong horse".into(), Some(phc)).await.unwrap());
        assert!(!p.verify("x".into(), None).await.unwrap());
        assert!(!p.verify("x".into(), Some("garbage".into())).await.unwrap());
    }

    #[tokio::test]
    async fn hashes_made_by_the_argon2_crate_still_verify() {
        // Hashes stored before the bounded hasher existed, with the default parameters.
        let salt = SaltString::generate(&mut OsRng);
        let phc = Argon2::default()
            .hash_password(b"old password", &salt)
            .unwrap()
            .to_string();
        // A small buffer: the check must allocate the stored parameters' memory itself.
        let p = Arc::new(Passwords::with_params(1, 1, cheap()));
        assert!(p
            .verify("old password".into(), Some(phc.clone()))
            .await
            .unwrap());
        assert!(!p.verify("new password".into(), Some(phc)).await.unwrap());
        let p = Arc::new(Passwords::new(1, 1));
        let phc = p.hash("x".into()).await.unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(
            argon2::PasswordVerifier::verify_password(&Argon2::default(), b"x", &parsed).is_ok()
        );
    }

    #[tokio::test]
    async fn beyond_the_queue_requests_are_refused_at_once() {
        let p = Arc::new(Passwords::with_params(1, 1, cheap()));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let (started_tx, started) = tokio::sync::oneshot::channel();
        let running = tokio::spawn({
            let p = Arc::clone(&p);
            async move {
                p.run(move |_, _| {
                    let _ = started_tx.send(());
                    wait.recv().ok();
                })
                .await
            }
        });
        started.await.unwrap();
        // One may wait for the running hash; the next is refused.
        let queued = tokio::spawn({
            let p = Arc::clone(&p);
            async move { p.hash("queued".into()).await }
        });
        while p.waiting.load(Ordering::Acquire) == 0 {
            tokio::task::yield_now().await;
        }
        assert_eq!(p.hash("third".into()).await, Err(PasswordError::Busy));
        release.send(()).unwrap();
        running.await.unwrap().unwrap();
        assert!(queued.await.unwrap().is_ok());
        assert_eq!(p.waiting.load(Ordering::Acquire), 0);
        // Every hash ran in the one buffer.
        assert_eq!(p.buffers.lock().unwrap().len(), 1);
        assert_eq!(p.memory_ceiling(), 64 * 1024);
    }
}
