//! The text of what a live-cluster run did besides status: the routes' external-dns records and the
//! pods' readiness gates.

use std::io::Write;

use model::dns::DnsOutcome;
use reconciler::ReadinessOutcome;

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
