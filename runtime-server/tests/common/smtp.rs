//! A real SMTP server for the e-mail channel's tests: `tests/smtp/server.py` (aiosmtpd)
//! on a port of the test's choosing, with STARTTLS and AUTH required, a certificate from a
//! CA the test makes with `openssl` (the server trusts it through `--smtp-ca-file`), and
//! every accepted message written as a JSON summary the test reads.
//!
//! The Python that runs it: `WEGWEISER_TEST_PYTHON`, else the venv `.ci/run` makes in the
//! target folder (`<target>/smtp-venv`), else `python3`; it must have aiosmtpd (the
//! version `.ci/run` pins). Without it the tests fail with a message saying so.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "wegweiser";
pub const PASSWORD: &str = "smtp-test-secret";

/// A CA and a certificate for 127.0.0.1 signed by it (webpki refuses a self-signed
/// certificate that is its own CA as a server certificate).
pub struct Certs {
    pub dir: PathBuf,
}

impl Certs {
    pub fn make() -> Certs {
        let mut b = [0u8; 8];
        getrandom::fill(&mut b).unwrap();
        let dir = std::env::temp_dir().join(format!("wegweiser-smtp-{}", hex::encode(b)));
        std::fs::create_dir_all(&dir).unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(&dir).output().expect("openssl runs");
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        let days = ["-days", "2"];
        openssl(
            &[
                &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=wegweiser-test-ca"]
                    [..],
                &days,
            ]
            .concat(),
        );
        openssl(&["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "leaf.csr", "-subj", "/CN=localhost"]);
        std::fs::write(
            dir.join("ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        openssl(
            &[
                &[
                    "x509",
                    "-req",
                    "-in",
                    "leaf.csr",
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-out",
                    "cert.pem",
                    "-extfile",
                    "ext",
                ][..],
                &days,
            ]
            .concat(),
        );
        Certs { dir }
    }

    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    pub fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.ca()).unwrap()
    }
}

/// The Python with aiosmtpd.
pub fn python() -> PathBuf {
    let candidates: Vec<PathBuf> = std::env::var_os("WEGWEISER_TEST_PYTHON")
        .map(PathBuf::from)
        .into_iter()
        .chain(target_dir().map(|t| t.join("smtp-venv/bin/python")))
        .chain(std::iter::once(PathBuf::from("python3")))
        .collect();
    for p in &candidates {
        if Command::new(p).args(["-c", "import aiosmtpd"]).stderr(Stdio::null()).status().is_ok_and(|s| s.success()) {
            return p.clone();
        }
    }
    panic!(
        "no Python with aiosmtpd for the SMTP tests (tried {candidates:?}); `.ci/run` installs it, or: \
         python3 -m venv <target>/smtp-venv && <target>/smtp-venv/bin/pip install aiosmtpd==1.4.6"
    );
}

/// The cargo target folder: the test binary is `<target>/debug/deps/<name>`.
fn target_dir() -> Option<PathBuf> {
    Some(std::env::current_exe().ok()?.parent()?.parent()?.parent()?.to_path_buf())
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A running SMTP server; killed when dropped.
pub struct Smtp {
    pub port: u16,
    pub out: PathBuf,
    child: Child,
}

impl Smtp {
    /// Starts the server on `port`, writing to `out`; returns once it accepts connections.
    /// `reject`: RCPT TO addresses it refuses with 550.
    pub fn start(port: u16, certs: &Certs, out: &Path, reject: &[&str]) -> Smtp {
        std::fs::create_dir_all(out).unwrap();
        let mut cmd = Command::new(python());
        cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp/server.py"))
            .args(["--port", &port.to_string(), "--user", USER, "--password", PASSWORD])
            .arg("--cert")
            .arg(certs.dir.join("cert.pem"))
            .arg("--key")
            .arg(certs.dir.join("key.pem"))
            .arg("--out")
            .arg(out)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for r in reject {
            cmd.args(["--reject", r]);
        }
        let mut child = cmd.spawn().expect("the SMTP test server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP test server did not come up");
        Smtp { port, out: out.to_path_buf(), child }
    }

    /// The summaries of the messages received so far, oldest first.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        messages(&self.out)
    }

    /// Waits until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize, patience: Duration) -> Vec<serde_json::Value> {
        let start = Instant::now();
        loop {
            let m = self.messages();
            if m.len() >= n {
                return m;
            }
            assert!(start.elapsed() < patience, "{} of {n} messages after {patience:?}", m.len());
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.out);
    }
}

impl Drop for Certs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The summaries in a folder, oldest first.
pub fn messages(out: &Path) -> Vec<serde_json::Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "json")).collect())
        .unwrap_or_default();
    files.sort();
    files.iter().map(|f| serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap()).collect()
}

/// A header of a summary (decoded), the first with this name.
pub fn header(msg: &serde_json::Value, name: &str) -> Option<String> {
    msg["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .map(|h| h[1].as_str().unwrap_or_default().to_string())
}
