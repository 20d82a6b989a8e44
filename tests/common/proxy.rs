//! A TCP proxy in front of the test server that loses one change's commit: it passes
//! everything through until the client has sent `trigger` (bytes of the change, e.g. its
//! audit action in a Bind message) and then `COMMIT`; that connection is then cut, either
//! before the COMMIT reaches the server (the change rolls back) or after the server had
//! time to commit it (only the answer is lost). Later connections pass untouched.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cut {
    /// Drop the COMMIT: the server never commits.
    BeforeCommit,
    /// Forward the COMMIT, wait for the server to commit, drop its answer.
    AfterCommit,
}

/// Starts the proxy on a free port of 127.0.0.1 in a runtime of its own (so it serves a
/// child process while the test blocks); returns the port. It runs until the process ends.
pub fn start(upstream: String, trigger: &'static [u8], cut: Cut) -> u16 {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
        else {
            return;
        };
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
            tx.send(listener.local_addr().expect("proxy address").port()).ok();
            let spent = Arc::new(AtomicBool::new(false));
            while let Ok((client, _)) = listener.accept().await {
                let Ok(server) = TcpStream::connect(&upstream).await else { continue };
                tokio::spawn(pipe(client, server, trigger, cut, spent.clone()));
            }
        });
    });
    rx.recv_timeout(Duration::from_secs(10)).expect("the proxy started")
}

async fn pipe(
    client: TcpStream,
    server: TcpStream,
    trigger: &'static [u8],
    cut: Cut,
    spent: Arc<AtomicBool>,
) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    // Set before the fatal COMMIT goes out: from then on no answer reaches the client.
    let muted = Arc::new(AtomicBool::new(false));
    let mute = muted.clone();
    let answers = tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            match sr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if mute.load(Ordering::SeqCst) || cw.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    let mut armed = false;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match cr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let chunk = &buf[..n];
        if !spent.load(Ordering::SeqCst) && contains(chunk, trigger) {
            armed = true;
        }
        if armed && contains(chunk, b"COMMIT") && !spent.swap(true, Ordering::SeqCst) {
            muted.store(true, Ordering::SeqCst);
            if cut == Cut::AfterCommit {
                sw.write_all(chunk).await.ok();
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            // Dropping both halves closes both sockets: the client sees the connection
            // go, the server (if it got no COMMIT) rolls back.
            answers.abort();
            return;
        }
        if sw.write_all(chunk).await.is_err() {
            break;
        }
    }
    answers.abort();
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
