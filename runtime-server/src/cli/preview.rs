//! `wegweiser preview FILE`: the authors' preview server. Serves one form as citizens will
//! see it, recompiles it whenever the file changes, and shows the diagnostics in the page
//! while it does not compile.

use std::path::PathBuf;

use super::Exit;
use crate::server::{Config, Store, preview::Preview};

/// Arguments of `wegweiser preview`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The form file to preview.
    pub file: PathBuf,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub addr: String,
}

/// Runs the preview until Ctrl-C.
pub fn run(args: &Args) -> Exit {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return Exit::Failure;
        }
    };
    runtime.block_on(preview(args))
}

async fn preview(args: &Args) -> Exit {
    if !args.file.is_file() {
        eprintln!("error: `{}` is not a file", args.file.display());
        return Exit::Failure;
    }
    // Drafts of the preview live in a scratch database, never in the authority's.
    let db = std::env::temp_dir().join(format!("wegweiser-preview-{}.db", std::process::id()));
    let store = match Store::connect(&format!("sqlite://{}", db.display())).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot open the scratch database: {e}");
            return Exit::Failure;
        }
    };
    let listener = match tokio::net::TcpListener::bind(&args.addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: cannot listen on {}: {e}", args.addr);
            return Exit::Failure;
        }
    };
    // Tokio installs the Ctrl-C handler when the future is first polled: poll it once
    // before announcing the address, so that a Ctrl-C right after the announcement still
    // ends the preview cleanly and deletes its scratch database.
    let mut shutdown = Box::pin(async {
        let _ = tokio::signal::ctrl_c().await;
    });
    tokio::select! {
        biased;
        _ = &mut shutdown => {
            let _ = std::fs::remove_file(&db);
            return Exit::Ok;
        }
        _ = std::future::ready(()) => {}
    }
    println!("Preview of {} on http://{}/ — edit and save the file, then reload the page.", args.file.display(), args.addr);
    let app = Preview::new(args.file.clone(), store, Config::default()).router();
    let r = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
    let _ = std::fs::remove_file(&db);
    match r {
        Ok(()) => Exit::Ok,
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Failure
        }
    }
}
