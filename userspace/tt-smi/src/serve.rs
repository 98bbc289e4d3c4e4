//! `--serve ADDR`: an HTTP exporter. Each GET /metrics reads a fresh
//! snapshot (the /proc files are the state; nothing is cached).

use crate::render::prometheus::CONTENT_TYPE;
use tiny_http::{Header, Method, Response, Server};

/// Serves `metrics()` (the exposition, or why there is none) at /metrics
/// until the process is killed. Says where on stderr, with the bound port
/// (`127.0.0.1:0` picks a free one).
pub fn serve(addr: &str, metrics: impl Fn() -> Result<String, String>) -> Result<(), String> {
    let server = Server::http(addr).map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = server.server_addr().to_ip().map_or_else(|| addr.to_string(), |a| a.to_string());
    eprintln!("tt-track-smi: serving http://{bound}/metrics");
    let content_type = Header::from_bytes("Content-Type", CONTENT_TYPE).expect("a valid header");
    for request in server.incoming_requests() {
        let path = request.url().split('?').next().unwrap_or("");
        let response = match (request.method(), path) {
            (Method::Get, "/metrics") => match metrics() {
                Ok(text) => Response::from_string(text).with_header(content_type.clone()),
                // Prometheus marks the target down: the right signal for "module not loaded".
                Err(e) => Response::from_string(e + "\n").with_status_code(503),
            },
            _ => Response::from_string("tt-track-smi: see /metrics\n").with_status_code(404),
        };
        // A scraper that hung up is its own problem; keep serving the others.
        let _ = request.respond(response);
    }
    Ok(())
}
