//! `wegweiser-load`: a load benchmark for `wegweiser serve`.
//!
//! N simulated citizens (tokio tasks) walk a bundled form from its start page to the
//! confirmation, again and again, like a browser without JavaScript: GET each step, read
//! the CSRF token, POST only the fields the page offers (answers from the form's complete
//! scenario in `<form>.test.yaml`), follow the 303s, POST the summary, GET the
//! confirmation. Every walk is a new citizen with its own cookies. Every request's
//! latency is measured; at the end the tool prints requests/s, submissions/s, latency
//! percentiles and errors (a status other than 2xx/3xx, a transport error, or a walk that
//! does not end on a confirmation with a reference number).
//!
//! With `--rate R` it runs open loop instead (issue #19): `--citizens` citizens first open
//! a draft's first step each, then a step POST is sent every 1/R seconds, whether or not
//! the earlier ones were answered (arrivals do not wait, as real citizens do not), each
//! posting a citizen's first step again (the draft is loaded, the answers applied, the
//! draft written). It prints the achieved rate and the step POSTs' latency, measured from
//! the moment each was due (a late start counts against the server's side, never hides).
//!
//! Only loopback addresses are accepted: this is not a tool to point at someone's server.
//! `scripts/load` builds and starts a server and runs this against it.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use engine::form::Form;
use engine::scenario::ScenarioFile;
use engine::session::Input;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

/// Arguments.
#[derive(Debug, Parser)]
#[command(name = "wegweiser-load", about = "Load benchmark for `wegweiser serve` (loopback only)")]
struct Args {
    /// The server, e.g. `http://127.0.0.1:8080` (loopback addresses only).
    #[arg(long)]
    url: String,
    /// Concurrent citizens.
    #[arg(long, default_value_t = 100)]
    citizens: usize,
    /// How long to run: `60s`, `2m`, `500ms`.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    duration: Duration,
    /// The form's id.
    #[arg(long, default_value = "hundesteuer-anmeldung")]
    form: String,
    /// The folder with the forms and their `*.test.yaml` scenarios.
    #[arg(long, default_value = "form-definitions")]
    forms: PathBuf,
    /// The authority the form is served under (`/{authority}/f/{form}`): a form that an
    /// authority of the server offers is not served at `/f/{form}`.
    #[arg(long)]
    authority: Option<String>,
    /// The scenario whose answers are posted: the first whose name contains this.
    #[arg(long, default_value = "vollständig")]
    scenario: String,
    /// Open loop: step POSTs per second, sent on a fixed schedule (see above).
    #[arg(long)]
    rate: Option<f64>,
    /// Timeout of one request.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    timeout: Duration,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: f64 = n.parse().map_err(|_| format!("`{s}` is not a duration like 60s, 2m or 500ms"))?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1000.0,
        "m" | "min" => n * 60.0,
        "h" => n * 3600.0,
        _ => return Err(format!("unknown unit `{unit}` (ms, s, m, h)")),
    };
    if !secs.is_finite() || secs <= 0.0 {
        return Err(format!("`{s}` must be more than zero"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Loopback only: `127.0.0.0/8`, `::1` or `localhost`.
fn check_loopback(url: &str) -> Result<reqwest::Url, String> {
    let u = reqwest::Url::parse(url).map_err(|e| format!("`{url}` is not a URL: {e}"))?;
    if u.scheme() != "http" {
        return Err(format!("`{url}`: only http:// (the server behind its TLS proxy is not the target)"));
    }
    let host = u.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if !loopback {
        return Err(format!("`{host}` is not a loopback address: wegweiser-load only runs against 127.0.0.1"));
    }
    Ok(u)
}

// ---------------------------------------------------------------------------------------
// The plan: what a citizen posts on which step.

/// One answer of the scenario.
struct Answer {
    /// The step the field is on.
    step: String,
    /// Its path (`hund.0.hund_name`).
    path: String,
    input: Input,
}

/// What every citizen posts.
struct Plan {
    /// Where the form's pages are: `/f/{form}`, or `/{authority}/f/{form}`.
    path: String,
    answers: Vec<Answer>,
    /// Repeated groups: (step, group path, entries).
    entries: Vec<(String, String, u32)>,
}

fn find_form(dir: &Path, id: &str) -> Result<(Form, PathBuf), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    files.sort();
    for f in files {
        let name = f.to_string_lossy();
        if !name.ends_with(".yaml") || name.ends_with(".test.yaml") {
            continue;
        }
        let Ok(src) = std::fs::read_to_string(&f) else { continue };
        if let Some(form) = engine::compile(&src).form
            && form.id() == id
        {
            let test = f.with_extension("test.yaml");
            return Ok((form, test));
        }
    }
    Err(format!("no form `{id}` in `{}`", dir.display()))
}

fn plan(args: &Args) -> Result<Plan, String> {
    let (form, test) = find_form(&args.forms, &args.form)?;
    let src = std::fs::read_to_string(&test).map_err(|e| format!("cannot read `{}`: {e}", test.display()))?;
    let bad = |m: &str| format!("{}: {m}", test.display());
    // The engine's scenario reader, as `wegweiser test` reads the file.
    let file = ScenarioFile::read(&form, &src, &Default::default())
        .map_err(|d| bad(&d.first().map_or_else(|| "not a scenario file".to_string(), |d| d.message.clone())))?;
    let chosen = file.named(&args.scenario).ok_or_else(|| bad(&format!("no scenario whose name contains `{}`", args.scenario)))?;
    if let Some(f) = chosen.answer_failures.first() {
        return Err(bad(&format!("{}: {}", f.key, f.actual)));
    }
    let path = match &args.authority {
        Some(a) => format!("/{a}/f/{}", form.id()),
        None => format!("/f/{}", form.id()),
    };
    let step_of = |f: engine::ids::FieldId| form.step(form.field(f).step).id.clone();
    Ok(Plan {
        path,
        answers: chosen.answers.iter().map(|a| Answer { step: step_of(a.field), path: a.path.clone(), input: a.input.clone() }).collect(),
        entries: chosen.entries.iter().map(|e| (step_of(e.group), e.path.clone(), e.count)).collect(),
    })
}

// ---------------------------------------------------------------------------------------
// A citizen.

/// What one citizen measured.
#[derive(Default)]
struct Stats {
    /// Latency in microseconds by request kind (`GET step`).
    latencies: BTreeMap<&'static str, Vec<u64>>,
    statuses: BTreeMap<u16, u64>,
    errors: BTreeMap<String, u64>,
    submissions: u64,
    /// Walks that were still going when the time was up (not errors).
    cut_off: u64,
}

impl Stats {
    fn merge(&mut self, o: Stats) {
        for (k, v) in o.latencies {
            self.latencies.entry(k).or_default().extend(v);
        }
        for (k, v) in o.statuses {
            *self.statuses.entry(k).or_default() += v;
        }
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
        self.submissions += o.submissions;
        self.cut_off += o.cut_off;
    }
}

/// Why a walk ended early.
enum Stop {
    /// The time is up.
    Deadline,
    /// An error (counted by this key).
    Error(String),
}

struct Page {
    status: StatusCode,
    location: Option<String>,
    body: String,
}

fn between(s: &str, a: &str, b: &str) -> Option<String> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(s[i..j].to_string())
}

struct Citizen {
    http: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
    deadline: Instant,
    stats: Stats,
}

/// A request body.
enum Body {
    None,
    Form(Vec<(String, String)>),
    Multipart(Vec<(String, String)>, Vec<(String, String, Vec<u8>)>),
}

const BOUNDARY: &str = "----wegweiserload7d3";

impl Citizen {
    async fn send(&mut self, kind: &'static str, path: &str, body: Body) -> Result<Page, Stop> {
        if Instant::now() >= self.deadline {
            return Err(Stop::Deadline);
        }
        let url = format!("{}{path}", self.base);
        let mut req = match body {
            Body::None => self.http.get(&url),
            Body::Form(fields) => {
                let b: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
                self.http.post(&url).header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(b)
            }
            Body::Multipart(fields, files) => {
                let mut b = Vec::new();
                for (k, v) in fields {
                    b.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
                }
                for (k, name, bytes) in files {
                    b.extend_from_slice(
                        format!(
                            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\n\
                             Content-Type: application/octet-stream\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    b.extend_from_slice(&bytes);
                    b.extend_from_slice(b"\r\n");
                }
                b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
                self.http.post(&url).header(CONTENT_TYPE, format!("multipart/form-data; boundary={BOUNDARY}")).body(b)
            }
        };
        if kind.starts_with("POST") {
            // What a browser sends with a form post on the same site.
            req = req.header("sec-fetch-site", "same-origin");
        }
        if !self.cookies.is_empty() {
            let c = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            req = req.header(COOKIE, c);
        }
        let started = Instant::now();
        let res = req.send().await;
        let res = match res {
            Ok(r) => r,
            Err(e) => return Err(Stop::Error(transport(kind, &e))),
        };
        let status = res.status();
        for c in res.headers().get_all(SET_COOKIE) {
            let c = c.to_str().unwrap_or_default();
            let kv = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = kv.split_once('=') {
                self.cookies.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        let location = res.headers().get(LOCATION).and_then(|l| l.to_str().ok()).map(String::from);
        let body = match res.text().await {
            Ok(b) => b,
            Err(e) => return Err(Stop::Error(transport(kind, &e))),
        };
        // The whole response, body included.
        let micros = started.elapsed().as_micros() as u64;
        self.stats.latencies.entry(kind).or_default().push(micros);
        *self.stats.statuses.entry(status.as_u16()).or_default() += 1;
        if !(status.is_success() || status.is_redirection()) {
            return Err(Stop::Error(format!("{kind}: HTTP {}", status.as_u16())));
        }
        // minijinja escapes `/` in attributes as `&#x2f;`, which browsers read as `/`.
        Ok(Page { status, location, body: body.replace("&#x2f;", "/") })
    }

    /// One citizen: start page to confirmation.
    async fn walk(&mut self, plan: &Plan) -> Result<(), Stop> {
        self.cookies.clear();
        let form = &plan.path;
        let err = |m: String| Stop::Error(m);
        let start = self.send("GET start", form, Body::None).await?;
        expect(&start, StatusCode::OK, "GET start")?;
        let prefix = format!("{form}/s/");
        let mut url = start
            .body
            .split("href=\"")
            .find(|s| s.starts_with(&prefix))
            .and_then(|s| s.split('"').next())
            .map(String::from)
            .ok_or_else(|| err("start page: no link to the first step".into()))?;
        for _ in 0..40 {
            if url.ends_with("/summary") {
                return self.submit(form, &url).await;
            }
            let mut page = self.send("GET step", &url, Body::None).await?;
            expect(&page, StatusCode::OK, "GET step")?;
            let step = url.rsplit('/').next().unwrap_or_default().to_string();
            // Enough entries for the repeated groups of this step (the add button).
            let mut added = false;
            for (_, group, n) in plan.entries.iter().filter(|(s, _, _)| *s == step) {
                let mut shown = page.body.matches(&format!("class=\"fieldset entry\" id=\"{group}.")).count() as u32;
                while shown < *n {
                    let fields = vec![("_csrf".into(), csrf(&page)?), ("_action".into(), format!("add:{group}"))];
                    let r = self.send("POST step", &url, Body::Form(fields)).await?;
                    expect(&r, StatusCode::SEE_OTHER, "POST add entry")?;
                    shown += 1;
                    added = true;
                }
            }
            if added {
                page = self.send("GET step", &url, Body::None).await?;
                expect(&page, StatusCode::OK, "GET step")?;
            }
            // Post only what the page offers; a post that reveals new fields shows the
            // step again with them, and the citizen answers and posts again.
            let mut moved = false;
            for _ in 0..4 {
                let html = &page.body;
                let mut fields = vec![("_csrf".to_string(), csrf(&page)?), ("_action".to_string(), "continue".to_string())];
                let mut files = Vec::new();
                for a in plan.answers.iter().filter(|a| a.step == step) {
                    if !html.contains(&format!("name=\"{}\"", a.path)) {
                        continue;
                    }
                    match &a.input {
                        Input::Text(t) => fields.push((a.path.clone(), t.clone())),
                        Input::Bool(v) => fields.push((a.path.clone(), v.to_string())),
                        Input::List(l) => fields.extend(l.iter().map(|v| (a.path.clone(), v.clone()))),
                        Input::File(f) => files.push((a.path.clone(), f.name.clone(), file_content(&f.mime, f.size))),
                    }
                }
                let body = if html.contains("multipart/form-data") { Body::Multipart(fields, files) } else { Body::Form(fields) };
                let r = self.send("POST step", &url, body).await?;
                if r.status == StatusCode::OK {
                    page = r;
                    continue;
                }
                expect(&r, StatusCode::SEE_OTHER, "POST step")?;
                url = r.location.ok_or_else(|| err("POST step: 303 without Location".into()))?;
                moved = true;
                break;
            }
            if !moved {
                return Err(err(format!("step `{step}` not accepted")));
            }
        }
        Err(err("no summary after 40 pages".into()))
    }

    async fn submit(&mut self, form: &str, url: &str) -> Result<(), Stop> {
        let summary = self.send("GET summary", url, Body::None).await?;
        expect(&summary, StatusCode::OK, "GET summary")?;
        let idem = between(&summary.body, "name=\"_idempotency\" value=\"", "\"")
            .ok_or_else(|| Stop::Error("summary: no idempotency key".into()))?;
        let fields = vec![("_csrf".into(), csrf(&summary)?), ("_idempotency".into(), idem)];
        let r = self.send("POST submit", &format!("{form}/submit"), Body::Form(fields)).await?;
        expect(&r, StatusCode::SEE_OTHER, "POST submit")?;
        let confirmation = format!("{form}/confirmation");
        if r.location.as_deref() != Some(confirmation.as_str()) {
            return Err(Stop::Error("POST submit: not sent to the confirmation".into()));
        }
        let c = self.send("GET confirmation", &confirmation, Body::None).await?;
        expect(&c, StatusCode::OK, "GET confirmation")?;
        match between(&c.body, "class=\"reference\">", "<") {
            Some(r) if !r.trim().is_empty() => {
                self.stats.submissions += 1;
                Ok(())
            }
            _ => Err(Stop::Error("confirmation without a reference number".into())),
        }
    }
}

fn transport(kind: &str, e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timeout"
    } else if e.is_connect() {
        "connection refused/failed"
    } else {
        "transport error"
    };
    format!("{kind}: {what}")
}

fn expect(p: &Page, status: StatusCode, what: &str) -> Result<(), Stop> {
    if p.status == status {
        Ok(())
    } else {
        Err(Stop::Error(format!("{what}: HTTP {} where {} was expected", p.status.as_u16(), status.as_u16())))
    }
}

fn csrf(p: &Page) -> Result<String, Stop> {
    between(&p.body, "name=\"_csrf\" value=\"", "\"").ok_or_else(|| Stop::Error("page without a CSRF token".into()))
}

/// A file whose content sniffs as `mime`.
fn file_content(mime: &str, size: u64) -> Vec<u8> {
    let mut v: Vec<u8> = match mime {
        "image/png" => b"\x89PNG\r\n\x1a\n".to_vec(),
        "image/jpeg" => b"\xff\xd8\xff\xe0".to_vec(),
        _ => b"%PDF-1.4\n".to_vec(),
    };
    v.resize(size.max(16) as usize, b' ');
    v
}

async fn citizen(http: reqwest::Client, base: String, plan: Arc<Plan>, deadline: Instant) -> Stats {
    let mut c = Citizen { http, base, cookies: HashMap::new(), deadline, stats: Stats::default() };
    loop {
        match c.walk(&plan).await {
            Ok(()) => {}
            Err(Stop::Deadline) => {
                c.stats.cut_off += 1;
                break;
            }
            Err(Stop::Error(e)) => {
                *c.stats.errors.entry(e).or_default() += 1;
                // A failing server is not hammered in a tight loop.
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        if Instant::now() >= deadline {
            break;
        }
    }
    c.stats
}

// ---------------------------------------------------------------------------------------
// Open loop.

/// A citizen with a draft's first step open: what its POST sends.
struct Ready {
    url: String,
    cookie: String,
    body: String,
}

/// Opens the first step for one new citizen (start page, first step) and makes its POST.
async fn ready(http: reqwest::Client, base: String, plan: Arc<Plan>) -> Result<Ready, String> {
    let far = Instant::now() + Duration::from_secs(3600);
    let mut c = Citizen { http, base, cookies: HashMap::new(), deadline: far, stats: Stats::default() };
    let stop = |s: Stop| match s {
        Stop::Error(e) => e,
        Stop::Deadline => "deadline".into(),
    };
    let form = &plan.path;
    let start = c.send("GET start", form, Body::None).await.map_err(stop)?;
    let prefix = format!("{form}/s/");
    let url = start
        .body
        .split("href=\"")
        .find(|s| s.starts_with(&prefix))
        .and_then(|s| s.split('"').next())
        .map(String::from)
        .ok_or("start page: no link to the first step")?;
    let page = c.send("GET step", &url, Body::None).await.map_err(stop)?;
    if page.body.contains("multipart/form-data") {
        return Err("open loop needs a form whose first step has no upload".into());
    }
    let step = url.rsplit('/').next().unwrap_or_default();
    let mut fields = vec![("_csrf".to_string(), csrf(&page).map_err(stop)?), ("_action".to_string(), "continue".to_string())];
    for a in plan.answers.iter().filter(|a| a.step == step && page.body.contains(&format!("name=\"{}\"", a.path))) {
        match &a.input {
            Input::Text(t) => fields.push((a.path.clone(), t.clone())),
            Input::Bool(v) => fields.push((a.path.clone(), v.to_string())),
            Input::List(l) => fields.extend(l.iter().map(|v| (a.path.clone(), v.clone()))),
            Input::File(_) => {}
        }
    }
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(&fields).finish();
    let cookie = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
    Ok(Ready { url: format!("{}{url}", c.base), cookie, body })
}

/// What one open-loop POST gave: its latency from when it was due (µs) and its status.
type Outcome = (u64, Result<u16, String>);

/// Runs the open loop; true when no POST failed.
async fn open_loop(args: &Args, http: reqwest::Client, base: &str, plan: Arc<Plan>, rate: f64) -> bool {
    // The citizens, a few at a time (their drafts are created by their first POST).
    let mut citizens = Vec::new();
    let mut setup = tokio::task::JoinSet::new();
    for _ in 0..args.citizens {
        setup.spawn(ready(http.clone(), base.to_string(), plan.clone()));
        if setup.len() >= 8
            && let Some(r) = setup.join_next().await
        {
            citizens.push(r.map_err(|e| e.to_string()).and_then(|r| r));
        }
    }
    while let Some(r) = setup.join_next().await {
        citizens.push(r.map_err(|e| e.to_string()).and_then(|r| r));
    }
    let citizens: Vec<Arc<Ready>> = match citizens.into_iter().collect::<Result<Vec<_>, _>>() {
        Ok(c) => c.into_iter().map(Arc::new).collect(),
        Err(e) => {
            eprintln!("error: opening the citizens' first steps: {e}");
            return false;
        }
    };
    let every = Duration::from_secs_f64(1.0 / rate);
    let total = (rate * args.duration.as_secs_f64()).round().max(1.0) as u64;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Outcome>();
    let started = tokio::time::Instant::now();
    for i in 0..total {
        let due = started + every.mul_f64(i as f64);
        tokio::time::sleep_until(due).await;
        let (c, http, tx) = (citizens[i as usize % citizens.len()].clone(), http.clone(), tx.clone());
        tokio::spawn(async move {
            let res = http
                .post(&c.url)
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(COOKIE, &c.cookie)
                .header("sec-fetch-site", "same-origin")
                .body(c.body.clone())
                .send()
                .await;
            let out = match res {
                Ok(r) => {
                    let status = r.status().as_u16();
                    match r.bytes().await {
                        Ok(_) => Ok(status),
                        Err(e) => Err(transport("POST step", &e)),
                    }
                }
                Err(e) => Err(transport("POST step", &e)),
            };
            let _ = tx.send((due.elapsed().as_micros() as u64, out));
        });
    }
    let sent_in = started.elapsed();
    drop(tx);
    let mut latencies = Vec::with_capacity(total as usize);
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    while let Some((micros, out)) = rx.recv().await {
        match out {
            Ok(s) if (200..400).contains(&s) => {
                latencies.push(micros);
                *statuses.entry(s).or_default() += 1;
            }
            Ok(s) => {
                *statuses.entry(s).or_default() += 1;
                *errors.entry(format!("POST step: HTTP {s}")).or_default() += 1;
            }
            Err(e) => *errors.entry(e).or_default() += 1,
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let failed: u64 = errors.values().sum();
    println!(
        "wegweiser-load: open loop, {rate} step POSTs/s offered for {:.1} s over {} citizens, form `{}` at {base}",
        args.duration.as_secs_f64(),
        citizens.len(),
        args.form
    );
    println!("sent                {total:>8} in {:.1} s ({:.1}/s)", sent_in.as_secs_f64(), total as f64 / sent_in.as_secs_f64());
    println!("answered            {:>8} in {elapsed:.1} s ({:.1}/s)", latencies.len(), latencies.len() as f64 / elapsed);
    println!("errors              {failed:>8}");
    for (k, v) in &errors {
        println!("  {v:>8}  {k}");
    }
    let statuses: Vec<String> = statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    println!("statuses            {}", statuses.join(", "));
    println!("latency (ms, from when each POST was due)   count");
    println!("{}", line("POST step", &mut latencies));
    failed == 0
}

// ---------------------------------------------------------------------------------------
// The report.

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

fn line(label: &str, v: &mut [u64]) -> String {
    v.sort_unstable();
    format!(
        "  {label:<18} {:>8}  p50 {:>8.1}  p90 {:>8.1}  p99 {:>8.1}  max {:>8.1}",
        v.len(),
        percentile(v, 0.50),
        percentile(v, 0.90),
        percentile(v, 0.99),
        percentile(v, 1.0)
    )
}

fn report(args: &Args, total: Stats, elapsed: Duration) -> bool {
    let secs = elapsed.as_secs_f64();
    let mut all: Vec<u64> = total.latencies.values().flatten().copied().collect();
    let requests = all.len() as u64;
    let errors: u64 = total.errors.values().sum();
    println!("wegweiser-load: {} citizens, {:.1} s, form `{}` at {}", args.citizens, secs, args.form, args.url);
    println!("requests            {requests:>8}  {:>9.1}/s", requests as f64 / secs);
    println!("submissions         {:>8}  {:>9.1}/s", total.submissions, total.submissions as f64 / secs);
    println!("errors              {errors:>8}");
    for (k, v) in &total.errors {
        println!("  {v:>8}  {k}");
    }
    println!("walks cut off at the end (not errors): {}", total.cut_off);
    let statuses: Vec<String> = total.statuses.iter().map(|(s, n)| format!("{s}: {n}")).collect();
    println!("statuses            {}", statuses.join(", "));
    println!("latency (ms)                  count");
    println!("{}", line("all requests", &mut all));
    for (k, mut v) in total.latencies {
        println!("{}", line(k, &mut v));
    }
    errors == 0
}

fn main() -> ExitCode {
    let args = Args::parse();
    let base = match check_loopback(&args.url) {
        Ok(u) => u.as_str().trim_end_matches('/').to_string(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.citizens == 0 {
        eprintln!("error: --citizens must be at least 1");
        return ExitCode::from(2);
    }
    let plan = match plan(&args) {
        Ok(p) => Arc::new(p),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let client = |n: usize| {
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(args.timeout).pool_max_idle_per_host(n).build()
        };
        let probe = match client(1) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: HTTP client: {e}");
                return ExitCode::FAILURE;
            }
        };
        match probe.get(format!("{base}/healthz")).send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => {
                eprintln!("error: {base}/healthz answered {}", r.status());
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: {base}/healthz: {e}");
                return ExitCode::FAILURE;
            }
        }
        if let Some(rate) = args.rate {
            if !(rate.is_finite() && rate > 0.0) {
                eprintln!("error: --rate must be more than zero");
                return ExitCode::from(2);
            }
            let http = match reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(args.timeout)
                .pool_max_idle_per_host(4096)
                .build()
            {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: HTTP client: {e}");
                    return ExitCode::FAILURE;
                }
            };
            return if open_loop(&args, http, &base, plan, rate).await { ExitCode::SUCCESS } else { ExitCode::FAILURE };
        }
        let started = Instant::now();
        let deadline = started + args.duration;
        let mut tasks = Vec::new();
        for _ in 0..args.citizens {
            // Each citizen has its own connection, like a browser.
            let http = match client(1) {
                Ok(c) => c,
                Err(e) => {
                    eprintln!("error: HTTP client: {e}");
                    return ExitCode::FAILURE;
                }
            };
            tasks.push(tokio::spawn(citizen(http, base.clone(), plan.clone(), deadline)));
        }
        let mut total = Stats::default();
        for t in tasks {
            match t.await {
                Ok(s) => total.merge(s),
                Err(e) => *total.errors.entry(format!("citizen task failed: {e}")).or_default() += 1,
            }
        }
        let elapsed = started.elapsed();
        if report(&args, total, elapsed) { ExitCode::SUCCESS } else { ExitCode::FAILURE }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("60s"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("60"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration("soon").is_err());
    }

    #[test]
    fn loopback_only() {
        assert!(check_loopback("http://127.0.0.1:8080").is_ok());
        assert!(check_loopback("http://127.0.0.2:8080/").is_ok());
        assert!(check_loopback("http://localhost:8080").is_ok());
        assert!(check_loopback("http://[::1]:8080").is_ok());
        assert!(check_loopback("http://10.0.0.1:8080").is_err());
        assert!(check_loopback("http://example.org").is_err());
        assert!(check_loopback("http://127.0.0.1.example.org").is_err());
        assert!(check_loopback("https://127.0.0.1:8443").is_err());
    }

    #[test]
    fn percentiles() {
        let v: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        assert_eq!(percentile(&v, 0.5), 50.0);
        assert_eq!(percentile(&v, 0.99), 99.0);
        assert_eq!(percentile(&v, 1.0), 100.0);
        assert_eq!(percentile(&[], 0.5), 0.0);
    }

    #[test]
    fn the_hundesteuer_plan_posts_on_its_steps() {
        let args = Args::parse_from([
            "wegweiser-load",
            "--url",
            "http://127.0.0.1:1",
            "--forms",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../form-definitions"),
        ]);
        let p = plan(&args).unwrap();
        assert_eq!(p.path, "/f/hundesteuer-anmeldung");
        assert!(p.answers.iter().any(|a| a.step == "zustaendigkeit" && a.path == "wohnsitz_bitburg"));
        assert!(p.answers.iter().any(|a| a.path == "hund.0.hund_name"));
        assert_eq!(p.entries.iter().map(|(_, g, n)| (g.as_str(), *n)).collect::<Vec<_>>(), [("hund", 1)]);
    }
}
