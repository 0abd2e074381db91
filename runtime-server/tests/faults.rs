//! Faults the server meets in production, each shown to end in a clear answer for the
//! citizen instead of a hang, a crash, a 500 or lost answers (issue #9, part A):
//! slow clients on a real socket, a busy SQLite file, a full disk while an upload is
//! stored, and a PostgreSQL restart under load. Everything runs against 127.0.0.1 and
//! is bounded in time; nothing asserts how fast an answer came.

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::*;
use sqlx::Row;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wegweiser::server::store::StoreOptions;
use wegweiser::server::{AppState, Config, Store, app, listen};

/// A generous upper bound for anything that must end (a test hanging is the failure).
const BOUND: Duration = Duration::from_secs(20);

/// Reads what the server sends until it closes the connection (or errors).
async fn read_until_closed(stream: &mut tokio::net::tcp::OwnedReadHalf) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return out,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
}

/// One plain request on a new connection; the status line of the answer.
async fn request(addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).lines().next().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_and_bodies_are_cut_off_while_other_clients_are_served() {
    let config = Config { header_read_timeout: Duration::from_millis(400), request_timeout: Duration::from_millis(800), ..config() };
    let state = state_with(&sqlite_url(), vec![probe()], config.clone()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(listen::serve(listener, app(state), listen::Listen::of(&config), std::future::pending()));

    // Slow-loris: 12 connections send a header line byte by byte, never the blank line.
    let mut slow_headers = Vec::new();
    for _ in 0..12 {
        let (mut r, mut w) = TcpStream::connect(addr).await.unwrap().into_split();
        tokio::spawn(async move {
            let _ = w.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await;
            for _ in 0..400 {
                if w.write_all(b"a").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        slow_headers.push(tokio::spawn(async move { tokio::time::timeout(BOUND, read_until_closed(&mut r)).await }));
    }
    // 4 connections open and send nothing at all.
    let mut silent = Vec::new();
    for _ in 0..4 {
        let (mut r, w) = TcpStream::connect(addr).await.unwrap().into_split();
        silent.push(tokio::spawn(async move {
            let got = tokio::time::timeout(BOUND, read_until_closed(&mut r)).await;
            drop(w);
            got
        }));
    }
    // 6 connections send their headers, then a body byte by byte (of 100,000 announced).
    let mut slow_bodies = Vec::new();
    for _ in 0..6 {
        let (mut r, mut w) = TcpStream::connect(addr).await.unwrap().into_split();
        tokio::spawn(async move {
            let head = "POST /f/probe/s/eins HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                        Content-Length: 100000\r\n\r\nname=";
            let _ = w.write_all(head.as_bytes()).await;
            for _ in 0..400 {
                if w.write_all(b"a").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        });
        slow_bodies.push(tokio::spawn(async move { tokio::time::timeout(BOUND, read_until_closed(&mut r)).await }));
    }

    // While all of them hang, other citizens are served.
    tokio::time::sleep(Duration::from_millis(100)).await;
    for path in ["/healthz", "/f/probe", STEP1] {
        let status = tokio::time::timeout(BOUND, request(addr, path)).await.expect("a normal request is answered");
        assert_eq!(status, "HTTP/1.1 200 OK", "{path} while 22 slow clients hang");
    }

    // The slow ones are cut off: the header trickle by a closed connection (hyper sends
    // nothing or a 408), the body trickle by a 408 page.
    for h in slow_headers {
        let got = h.await.unwrap().expect("the server closed a connection whose headers never ended");
        let head = String::from_utf8_lossy(&got);
        assert!(got.is_empty() || head.starts_with("HTTP/1.1 408"), "{head}");
    }
    for h in silent {
        let got = h.await.unwrap().expect("the server closed a connection that sent nothing");
        assert!(got.is_empty() || got.starts_with(b"HTTP/1.1 408"), "{}", String::from_utf8_lossy(&got));
    }
    for h in slow_bodies {
        let got = h.await.unwrap().expect("the server answered a body that never ended");
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("Zeitüberschreitung"), "a page that says what happened: {text}");
    }
    // And the server still answers.
    assert_eq!(request(addr, "/healthz").await, "HTTP/1.1 200 OK");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_busy_under_concurrent_writes_of_two_servers_and_an_outside_lock_is_never_an_error() {
    let url = sqlite_url();
    // Two server processes on one file: two states, two pools, without the draft cache (a
    // second process never runs beside one: store/file_lock.rs).
    let a = AppState::new(vec![probe()], Store::connect(&url).await.unwrap(), config());
    let b = AppState::new(vec![probe()], Store::connect(&url).await.unwrap(), config());
    // A third party (a backup, an operator's shell) takes the write lock for a while.
    let outside = Store::connect(&url).await.unwrap();
    let mut conn = outside.pool().acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await.unwrap();
    let holder = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
    });

    let mut citizens = tokio::task::JoinSet::new();
    for i in 0..12 {
        let state = if i % 2 == 0 { a.clone() } else { b.clone() };
        citizens.spawn(async move {
            let mut br = Browser::new(app(state));
            // Every step post and the submission write; each answer must be 2xx/3xx
            // (the helpers assert the redirects, `submit` asserts the confirmation).
            let r = submit_probe(&mut br).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            assert_eq!(r.location.as_deref(), Some("/f/probe/confirmation"));
            let c = br.get("/f/probe/confirmation").await;
            assert_eq!(c.status, StatusCode::OK);
            between(&c.body, "class=\"reference\">", "<").expect("a reference")
        });
    }
    let mut references = Vec::new();
    while let Some(r) = tokio::time::timeout(Duration::from_secs(60), citizens.join_next()).await.expect("bounded") {
        references.push(r.expect("no citizen's request failed"));
    }
    holder.await.unwrap();
    references.sort();
    references.dedup();
    assert_eq!(references.len(), 12, "12 submissions with 12 distinct references");
    assert_eq!(a.store.submission_count().await.unwrap(), 12);
}

#[tokio::test]
async fn a_full_disk_while_an_upload_is_stored_gives_a_clear_error_and_keeps_the_draft() {
    let url = sqlite_url();
    // One connection, so that the size limit below is the one every statement meets.
    let store = Store::connect_with(&url, &StoreOptions { max_connections: Some(1), ..StoreOptions::default() }).await.unwrap();
    let state = AppState::new(vec![probe()], store, config());
    let mut b = Browser::new(app(state.clone()));
    let csrf = answer_step1(&mut b).await;

    // The disk is full: SQLite may not grow the file by a single page (a real SQLITE_FULL).
    let pages: i64 = sqlx::query("PRAGMA page_count").fetch_one(state.store.pool()).await.unwrap().get(0);
    sqlx::query(&format!("PRAGMA max_page_count = {pages}")).execute(state.store.pool()).await.unwrap();

    let fields = [("_csrf".to_string(), csrf.clone()), ("name".to_string(), "Erika".to_string())];
    let files = [("nachweis".to_string(), "nachweis.pdf".to_string(), pdf(300_000))];
    let r = b.post_multipart(STEP1, &fields, &files).await;
    assert_eq!(r.status, StatusCode::INSUFFICIENT_STORAGE, "{}", r.body.chars().take(500).collect::<String>());
    assert!(r.body.contains("Die Datei konnte nicht gespeichert werden"), "{}", error_summary(&r.body));
    assert!(r.body.contains("href=\"#nachweis\""), "the error summary links to the field");
    assert!(r.body.contains("value=\"Erika\""), "the step is shown again with the answers");
    let files_n: i64 = sqlx::query("SELECT COUNT(*) FROM files").fetch_one(state.store.pool()).await.unwrap().get(0);
    assert_eq!(files_n, 0);
    // The health check says so (issue #17), though the database still answers.
    let h = b.get("/healthz").await;
    assert_eq!(h.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(h.body.starts_with("degraded: storage full"), "{}", h.body);
    // The draft is intact: the citizen can still go on to the next step.
    let p = b.get(STEP2).await;
    assert_eq!(p.status, StatusCode::OK, "the draft survived: {:?}", p.location);

    // Space again: the same upload works.
    sqlx::query("PRAGMA max_page_count = 1073741823").execute(state.store.pool()).await.unwrap();
    let r = b.post_multipart(STEP1, &fields, &files).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", error_summary(&r.body));
    let stored: (i64, String) = {
        let row = sqlx::query("SELECT size, name FROM files").fetch_one(state.store.pool()).await.unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(stored, (300_000, "nachweis.pdf".to_string()));
}

/// A throwaway PostgreSQL cluster in a temp dir on a free port, stopped and removed on
/// drop. As root, it runs as the `postgres` user (postgres refuses root), like `.ci/run`.
struct Cluster {
    bin: std::path::PathBuf,
    dir: std::path::PathBuf,
    port: u16,
    root: bool,
}

impl Cluster {
    fn find_bin() -> Option<std::path::PathBuf> {
        let mut dirs: Vec<std::path::PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path().join("bin"))).collect())
            .unwrap_or_default();
        dirs.sort();
        dirs.reverse();
        dirs.extend(["/usr/local/bin", "/usr/bin"].map(std::path::PathBuf::from));
        dirs.into_iter().find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    }

    fn command(&self, program: &str) -> std::process::Command {
        let exe = self.bin.join(program);
        if self.root {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            std::process::Command::new(exe)
        }
    }

    fn run(&self, program: &str, args: &[&str]) {
        let out = self.command(program).args(args).output().unwrap();
        assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    fn start(bin: std::path::PathBuf) -> Cluster {
        let root = std::process::Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0\n")).unwrap_or(false);
        let mut b = [0u8; 6];
        getrandom::fill(&mut b).unwrap();
        let dir = std::env::temp_dir().join(format!("wegweiser-pg-{}", hex::encode(b)));
        std::fs::create_dir_all(&dir).unwrap();
        if root {
            let has_user = std::process::Command::new("id").arg("postgres").output().is_ok_and(|o| o.status.success());
            if !has_user {
                let ok = std::process::Command::new("useradd").args(["--system", "--no-create-home", "postgres"]).status().unwrap();
                assert!(ok.success(), "useradd postgres");
            }
            assert!(std::process::Command::new("chown").arg("postgres").arg(&dir).status().unwrap().success());
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let c = Cluster { bin, dir, port, root };
        let data = c.dir.join("data");
        c.run("initdb", &["-D", data.to_str().unwrap(), "-U", "wegweiser", "--auth=trust"]);
        c.pg_ctl_start();
        c
    }

    fn pg_ctl_start(&self) {
        let data = self.dir.join("data");
        let log = self.dir.join("log");
        let opts = format!("-p {} -k {} -c listen_addresses=127.0.0.1", self.port, self.dir.display());
        self.run("pg_ctl", &["-D", data.to_str().unwrap(), "-l", log.to_str().unwrap(), "-o", &opts, "-w", "start"]);
    }

    fn pg_ctl_stop(&self, mode: &str) {
        let data = self.dir.join("data");
        self.run("pg_ctl", &["-D", data.to_str().unwrap(), "-m", mode, "-w", "stop"]);
    }

    fn url(&self) -> String {
        format!("postgres://wegweiser@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let _ = self.command("pg_ctl").args(["-D", data.to_str().unwrap(), "-m", "immediate", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_under_load_gives_503_then_recovers_without_a_server_restart() {
    let Some(bin) = Cluster::find_bin() else {
        eprintln!("skipped: no PostgreSQL binaries (initdb, pg_ctl) on this machine; .ci/run installs them");
        return;
    };
    let cluster = tokio::task::spawn_blocking(move || Cluster::start(bin)).await.unwrap();
    let options = StoreOptions { acquire_timeout: Duration::from_secs(1), ..StoreOptions::default() };
    let store = Store::connect_with(&cluster.url(), &options).await.expect("the fresh cluster");
    let state = AppState::new(vec![probe()], store, config());
    let mut b = Browser::new(app(state.clone()));
    let csrf = answer_step1(&mut b).await;

    // Load: other citizens keep asking for pages the whole time.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..4 {
        let (state, stop) = (state.clone(), stop.clone());
        load.spawn(async move {
            let mut statuses = Vec::new();
            let mut other = Browser::new(app(state));
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                statuses.push(other.get(STEP1).await.status);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            statuses
        });
    }
    tokio::time::sleep(Duration::from_millis(200)).await;

    // The database goes away (a fast shutdown, as in a restart).
    let c = std::sync::Arc::new(cluster);
    let c2 = c.clone();
    tokio::task::spawn_blocking(move || c2.pg_ctl_stop("fast")).await.unwrap();
    let down = b.get(STEP1).await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE, "{}", down.body);
    assert!(down.body.contains("Der Dienst ist gerade nicht erreichbar"), "{}", down.body);
    assert!(down.headers.contains_key("retry-after"));
    let post = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika Mustermann".into())]).await;
    assert_eq!(post.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(b.get("/healthz").await.status, StatusCode::SERVICE_UNAVAILABLE);

    // It comes back; the same server (the same pool) recovers by itself.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let c2 = c.clone();
    tokio::task::spawn_blocking(move || c2.pg_ctl_start()).await.unwrap();
    let mut back = None;
    for _ in 0..50 {
        let p = b.get(STEP1).await;
        if p.status == StatusCode::OK {
            back = Some(p);
            break;
        }
        assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let back = back.expect("the server answers again after the restart");
    assert!(back.body.contains("value=\"Erika\""), "the draft saved before the outage is there");
    assert_eq!(b.get("/healthz").await.status, StatusCode::OK);
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let mut seen = std::collections::BTreeSet::new();
    while let Some(r) = load.join_next().await {
        seen.extend(r.expect("no request task panicked"));
    }
    assert!(seen.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::SERVICE_UNAVAILABLE), "only 200 or 503 under load: {seen:?}");
    // And a submission goes through.
    let csrf = b.get(STEP1).await.csrf();
    let r = b.post(STEP1, &[("_csrf".into(), csrf.clone()), ("name".into(), "Erika".into())]).await;
    assert_eq!(r.location.as_deref(), Some(STEP2));
    let r = b.post(STEP2, &[("_csrf".into(), csrf.clone()), ("richtig".into(), "true".into())]).await;
    assert_eq!(r.location.as_deref(), Some("/f/probe/summary"));
    drop(state);
}

// ---- Issue #17: connections, hyper's own answers, health, duplicate forms ---------------

/// Serves `state` on a free loopback port with the bounds of `config`.
async fn serve_on_loopback(state: AppState, config: &Config) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(listen::serve(listener, app(state), listen::Listen::of(config), std::future::pending()));
    addr
}

/// A connection to `addr` from the loopback address `from` (127.0.0.x: another client).
async fn connect_from(from: &str, addr: std::net::SocketAddr) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{from}:0").parse().unwrap()).unwrap();
    socket.connect(addr).await.unwrap()
}

/// A connection from `from` that the server let in: one it closes at once (refused while
/// earlier connections are still closing) is tried again.
async fn admitted_from(from: &str, addr: std::net::SocketAddr) -> TcpStream {
    for _ in 0..100 {
        let mut s = connect_from(from, addr).await;
        let mut buf = [0u8; 64];
        match tokio::time::timeout(Duration::from_millis(300), s.read(&mut buf)).await {
            // Nothing to read and still open: admitted (it waits for a request).
            Err(_) => return s,
            // Closed or answered with the 503 of a refusal: not yet.
            Ok(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
    panic!("the server never let a connection from {from} in")
}

/// One request on a new connection from `from`; the whole answer.
async fn request_from(from: &str, addr: std::net::SocketAddr, path: &str) -> String {
    let mut s = connect_from(from, addr).await;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(BOUND, s.read_to_end(&mut out)).await.expect("answered");
    String::from_utf8_lossy(&out).into_owned()
}

/// What a new connection from `from` gets without sending anything, within 2 s: the
/// refusal (a 503 and the end of the connection), or `None` when the server keeps it open.
async fn refused_at_once(from: &str, addr: std::net::SocketAddr) -> Option<String> {
    let mut s = connect_from(from, addr).await;
    let mut out = Vec::new();
    // Generous for a loaded CI machine; the tests that use it set a header read timeout far
    // longer, so a connection that was let in cannot look refused by being timed out.
    match tokio::time::timeout(Duration::from_secs(8), s.read_to_end(&mut out)).await {
        Ok(_) => Some(String::from_utf8_lossy(&out).into_owned()),
        Err(_) => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_over_its_connection_limit_is_refused_at_once_while_others_are_served() {
    let config = Config { max_connections: 6, max_connections_per_client: 4, header_read_timeout: Duration::from_secs(60), ..config() };
    let state = state_with(&sqlite_url(), vec![probe()], config.clone()).await;
    let addr = serve_on_loopback(state, &config).await;

    // One client holds its 4 connections and sends nothing (nor reads).
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(connect_from("127.0.0.1", addr).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let fifth = refused_at_once("127.0.0.1", addr).await.expect("the fifth connection of that client is closed at once");
    assert!(fifth.is_empty() || fifth.starts_with("HTTP/1.1 503"), "{fifth}");
    assert!(fifth.is_empty() || fifth.contains("x-frame-options: DENY"), "{fifth}");
    // Another client is served meanwhile.
    let other = request_from("127.0.0.2", addr, "/healthz").await;
    assert!(other.starts_with("HTTP/1.1 200"), "{other}");
    let page = request_from("127.0.0.2", addr, STEP1).await;
    assert!(page.starts_with("HTTP/1.1 200") && page.contains("name=\"name\""), "{}", page.chars().take(300).collect::<String>());

    // The total bound: two more held connections from a second client make 6. The two
    // answered connections of that client may still be closing on the server (their
    // places not yet free, so a new one would be refused): hold only connections the
    // server let in.
    for _ in 0..2 {
        held.push(admitted_from("127.0.0.2", addr).await);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let third = refused_at_once("127.0.0.3", addr).await.expect("over the total bound a new connection is closed at once");
    assert!(third.is_empty() || third.starts_with("HTTP/1.1 503"), "{third}");

    // Closed connections free their places.
    held.clear();
    let mut served = String::new();
    for _ in 0..50 {
        served = request_from("127.0.0.1", addr, "/healthz").await;
        if served.starts_with("HTTP/1.1 200") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_cut_off_after_the_write_timeout() {
    // A large page: the list of forms with a description of 8 MB (more than the socket
    // buffers of both ends hold).
    // Beyond what a form's source may hold (2 MiB): set in the compiled form's JSON.
    let big = "Lorem ipsum dolor sit amet. ".repeat(300_000);
    let mut json = serde_json::to_value(probe()).unwrap();
    json["description"] = serde_json::json!({ "langs": [["de", [{ "Lit": big }]]] });
    let form = engine::Form::from_json(&json.to_string()).unwrap();
    let config = Config { write_timeout: Duration::from_millis(600), ..config() };
    let state = state_with(&sqlite_url(), vec![form], config.clone()).await;
    let addr = serve_on_loopback(state, &config).await;

    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let mut s = socket.connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    // The client does not read for a while, then reads what there is.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut got = Vec::new();
    let mut buf = vec![0u8; 65536];
    let ended = tokio::time::timeout(BOUND, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the server closed the connection");
    assert!(got.starts_with(b"HTTP/1.1 200"), "{}", String::from_utf8_lossy(&got[..got.len().min(200)]));
    assert!(got.len() < big.len(), "cut off before the whole page ({} of {} bytes)", got.len(), big.len());
    // The server goes on serving.
    assert!(request_from("127.0.0.1", addr, "/healthz").await.starts_with("HTTP/1.1 200"));
}

/// Sends raw bytes on a new connection; the whole answer until the server closes.
async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> String {
    let (mut r, mut w) = TcpStream::connect(addr).await.unwrap().into_split();
    let bytes = bytes.to_vec();
    // Written in a task: the server may answer (and close) before it has read it all.
    tokio::spawn(async move {
        let _ = w.write_all(&bytes).await;
        tokio::time::sleep(Duration::from_secs(5)).await;
    });
    let got = tokio::time::timeout(BOUND, read_until_closed(&mut r)).await.expect("answered and closed");
    String::from_utf8_lossy(&got).into_owned()
}

fn assert_security_headers(answer: &str, what: &str) {
    let head = answer.split("\r\n\r\n").next().unwrap_or_default().to_ascii_lowercase();
    for h in [
        "content-security-policy: default-src 'self'",
        "x-frame-options: deny",
        "x-content-type-options: nosniff",
        "referrer-policy: same-origin",
    ] {
        assert!(head.contains(h), "{what}: no `{h}` in {head}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hypers_own_answers_to_unreadable_requests_carry_the_security_headers() {
    let config = config();
    let state = state_with(&sqlite_url(), vec![probe()], config.clone()).await;
    let addr = serve_on_loopback(state, &config).await;

    let bad_line = raw(addr, b"GE\x01T / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await;
    assert!(bad_line.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{bad_line}");
    assert_security_headers(&bad_line, "400");
    assert!(bad_line.to_ascii_lowercase().contains("connection: close"), "{bad_line}");

    let huge = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n", "a".repeat(600_000));
    let too_large = raw(addr, huge.as_bytes()).await;
    assert!(too_large.starts_with("HTTP/1.1 431 "), "{}", too_large.chars().take(200).collect::<String>());
    assert_security_headers(&too_large, "431");

    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "a".repeat(70_000));
    let uri = raw(addr, long_uri.as_bytes()).await;
    assert!(uri.starts_with("HTTP/1.1 414 "), "{}", uri.chars().take(200).collect::<String>());
    assert_security_headers(&uri, "414");

    // On a kept-alive connection: the router's answer, then hyper's own for a bad request.
    let both = raw(addr, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nBAD\x01 REQUEST\r\n\r\n").await;
    let (first, second) = both.split_once("\r\n\r\nok").expect("the first answer");
    assert!(first.starts_with("HTTP/1.1 200 OK"), "{both}");
    assert_eq!(first.to_ascii_lowercase().matches("content-security-policy").count(), 1, "{first}");
    assert!(second.starts_with("HTTP/1.1 400 "), "{both}");
    assert_security_headers(second, "400 after a 200");
    // And the server still answers.
    assert!(request(addr, "/healthz").await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn healthz_reports_degraded_when_the_database_takes_no_writes() {
    let url = sqlite_url();
    // One connection, so that the pragma below holds for every statement.
    let store = Store::connect_with(&url, &StoreOptions { max_connections: Some(1), ..StoreOptions::default() }).await.unwrap();
    let state = AppState::new(vec![probe()], store, config());
    let mut b = Browser::new(app(state.clone()));
    assert_eq!(b.get("/healthz").await.status, StatusCode::OK);
    // Every write fails now (as on a full disk); reads still work.
    sqlx::query("PRAGMA query_only = ON").execute(state.store.pool()).await.unwrap();
    let h = b.get("/healthz").await;
    assert_eq!(h.status, StatusCode::SERVICE_UNAVAILABLE, "{}", h.body);
    assert!(h.body.starts_with("degraded: "), "{}", h.body);
    let csrf = b.get(STEP1).await.csrf();
    let r = b.post(STEP1, &[("_csrf".into(), csrf), ("name".into(), "Erika".into())]).await;
    assert!(r.status.is_server_error(), "the write itself fails too: {}", r.status);
    sqlx::query("PRAGMA query_only = OFF").execute(state.store.pool()).await.unwrap();
    assert_eq!(b.get("/healthz").await.status, StatusCode::OK, "healthy again");
}

#[test]
fn two_forms_with_one_id_stop_the_server_from_starting_naming_both_files() {
    let mut b = [0u8; 6];
    getrandom::fill(&mut b).unwrap();
    let dir = std::env::temp_dir().join(format!("wegweiser-dup-{}", hex::encode(b)));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a-probe.yaml"), PROBE).unwrap();
    std::fs::write(dir.join("b-probe-copy.yaml"), PROBE.replace("title: { de: Probe, en: Probe }", "title: { de: Kopie, en: Copy }"))
        .unwrap();
    let err = wegweiser::server::load_forms(&dir).unwrap_err();
    assert!(matches!(&err, wegweiser::server::LoadError::DuplicateId { id, .. } if id == "probe"), "{err:?}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wegweiser"))
        .args(["serve", "--addr", "127.0.0.1:0", "--database"])
        .arg(sqlite_url())
        .arg("--forms")
        .arg(&dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("a-probe.yaml") && stderr.contains("b-probe-copy.yaml") && stderr.contains("`probe`"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
