//! Rendering what a live-cluster run did besides status: the routes' external-dns records and the
//! pods' readiness gates.

use std::io::Write;

use model::dns::DnsOutcome;
use reconciler::ReadinessOutcome;
use serde_json::{Value, json};

/// `{object, message}` entries.
fn problems(list: &[(model::snapshot::ObjectRef, String)]) -> Vec<Value> {
    list.iter().map(|(o, m)| json!({"object": o.to_string(), "message": m})).collect()
}

fn names(list: &[model::snapshot::ObjectRef]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

/// The `dnsRecords` member of the JSON output.
pub fn dns_json(dns: &DnsOutcome) -> Value {
    json!({
        "served": dns.served,
        "created": names(&dns.created),
        "updated": names(&dns.updated),
        "deleted": names(&dns.deleted),
        "unchanged": names(&dns.unchanged),
        "notOurs": problems(&dns.foreign),
        "failed": problems(&dns.failed),
    })
}

/// The `readinessGates` member of the JSON output.
pub fn readiness_json(readiness: &ReadinessOutcome) -> Value {
    let written: Vec<Value> = readiness
        .written
        .iter()
        .map(|(pod, c)| json!({"pod": pod.to_string(), "status": c.status, "reason": c.reason, "message": c.message}))
        .collect();
    json!({
        "podsRead": readiness.pods_read,
        "gated": readiness.gated,
        "written": written,
        "waiting": readiness.waiting.iter().map(|w| w.gate.pod.to_string()).collect::<Vec<_>>(),
        "failed": problems(&readiness.failed),
    })
}

/// The text sections; `dry_run` words them as what would happen.
pub fn text(dns: &DnsOutcome, readiness: &ReadinessOutcome, dry_run: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let would = if dry_run { "would be " } else { "" };
    if dns.served {
        writeln!(out)?;
        writeln!(out, "DNS records (external-dns DNSEndpoint)")?;
        for (verb, list) in [("created", &dns.created), ("updated", &dns.updated), ("deleted", &dns.deleted)] {
            for object in list {
                writeln!(out, "  {would}{verb} {object}")?;
            }
        }
        writeln!(out, "  {} unchanged", dns.unchanged.len())?;
        for (object, message) in &dns.foreign {
            writeln!(out, "  ! {object}: {message}")?;
        }
        for (object, message) in &dns.failed {
            writeln!(out, "  failed {object}: {message}")?;
        }
    }
    if readiness.pods_read > 0 || !readiness.failed.is_empty() {
        writeln!(out)?;
        writeln!(out, "Readiness gates ({} pods not ready read, {} gated)", readiness.pods_read, readiness.gated)?;
        for (pod, c) in &readiness.written {
            let reason = c.reason.as_deref().unwrap_or("");
            writeln!(out, "  {would}set {pod}: {} {reason}: {}", c.status, c.message.as_deref().unwrap_or(""))?;
        }
        for w in &readiness.waiting {
            writeln!(out, "  waiting {}", w.gate.pod)?;
        }
        for (object, message) in &readiness.failed {
            writeln!(out, "  failed {object}: {message}")?;
        }
    }
    Ok(())
}
