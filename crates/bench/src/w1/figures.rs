//! W1's figures: what the run measured, printed for a reader and as a JSON record.

use std::time::Duration;

use serde_json::{json, Value};

use super::sessions::Collected;
use super::{Sent, W1};
use crate::procfs::CpuUsed;
use crate::stats::{self, Errors, Summary};

/// A run's figures.
pub(super) struct Figures {
    total: u64,
    sent_ok: u64,
    send_errors: Errors,
    send_time: Duration,
    send_rate: f64,
    post: Option<Summary>,
    /// Deliveries received (each message once per listener).
    received: u64,
    /// Deliveries the successful sends call for.
    expected_ok: u64,
    /// Deliveries every send succeeding would call for.
    nominal: u64,
    lost: u64,
    deliver_time: Duration,
    deliver_rate: f64,
    e2e: Option<Summary>,
    /// Deliveries and their end-to-end latency, by gateway.
    gateway_e2e: Vec<(usize, Option<Summary>)>,
    duplicates: u64,
    leaked: u64,
    ended: Errors,
    stall_ends: Errors,
    run_cpu: CpuUsed,
}

impl Figures {
    pub(super) fn new(
        w: &W1,
        mut sent: Sent,
        heard: Collected,
        send_start: Duration,
        send_time: Duration,
        run_cpu: CpuUsed,
    ) -> Figures {
        let Collected {
            mut by_gateway,
            duplicates,
            last_us,
            ended,
            leaked,
            stall_ends,
        } = heard;
        let total = (w.senders * w.messages) as u64;
        let expected_ok = sent.ok * w.listeners as u64;
        let gateway_e2e: Vec<(usize, Option<Summary>)> = by_gateway
            .iter_mut()
            .map(|l| (l.len(), Summary::of(l)))
            .collect();
        let mut latencies = Vec::with_capacity(expected_ok as usize);
        for l in by_gateway {
            latencies.extend(l);
        }
        let received = latencies.len() as u64;
        let deliver_time = Duration::from_micros(last_us).saturating_sub(send_start);
        Figures {
            total,
            sent_ok: sent.ok,
            send_time,
            send_rate: stats::rate(sent.ok, send_time),
            post: Summary::of(&mut sent.post_latencies),
            send_errors: sent.errors,
            received,
            expected_ok,
            nominal: total * w.listeners as u64,
            lost: expected_ok.saturating_sub(received),
            deliver_time,
            deliver_rate: stats::rate(received, deliver_time),
            e2e: Summary::of(&mut latencies),
            gateway_e2e,
            duplicates,
            leaked,
            ended,
            stall_ends,
            run_cpu,
        }
    }

    pub(super) fn say(&self, w: &W1, gateways: &[String]) {
        say!(
            "w1: {} listeners, {} senders x {} messages, zlib {}, stalled {}, rate {}, private {}, outsiders {}",
            w.listeners,
            w.senders,
            w.messages,
            w.zlib,
            w.stalled,
            w.rate.map_or("unlimited".into(), |r| format!("{r}/s")),
            w.private,
            w.outsiders
        );
        say!(
            "  sent        {} ok of {} in {:.2} s: {:.0} msgs/s",
            self.sent_ok,
            self.total,
            self.send_time.as_secs_f64(),
            self.send_rate
        );
        say!("  POST        {}", stats::line_or_none(&self.post));
        say!(
            "  deliveries  {} of {} ({} expected from successful sends) in {:.2} s: {:.0} /s",
            self.received,
            self.nominal,
            self.expected_ok,
            self.deliver_time.as_secs_f64(),
            self.deliver_rate
        );
        say!("  end-to-end  {}", stats::line_or_none(&self.e2e));
        if gateways.len() > 1 || !w.gateway_urls.is_empty() {
            for (url, (n, e2e)) in gateways.iter().zip(&self.gateway_e2e) {
                say!("  at {url}: {n} deliveries; {}", stats::line_or_none(e2e));
            }
        }
        say!(
            "  lost        {} (of sent) / {} (of N*S*M); duplicates {}",
            self.lost,
            self.nominal.saturating_sub(self.received),
            self.duplicates
        );
        self.say_cpu();
        if w.outsiders > 0 {
            say!(
                "  outsiders   {} sessions without view of the channel received {} of its messages",
                w.outsiders,
                self.leaked
            );
        }
        say!("  send errors {}", self.send_errors.line());
        say!("  listener ends before stop: {}", self.ended.line());
        if w.stalled > 0 {
            say!("  stalled sessions ended as: {}", self.stall_ends.line());
        }
    }

    /// The servers' CPU time, in all and per process, per message and per delivery.
    fn say_cpu(&self) {
        let per = |c: f64| {
            format!(
                "{:.0} us per message, {:.1} us per delivery",
                c * 1e6 / self.sent_ok.max(1) as f64,
                c * 1e6 / self.received.max(1) as f64
            )
        };
        if let Some(c) = self.run_cpu.total() {
            say!(
                "  server CPU  {:.2} s for sends and deliveries: {}",
                c,
                per(c)
            );
        }
        if self.run_cpu.each.len() > 1 {
            for &(pid, c) in &self.run_cpu.each {
                match c {
                    Some(c) => say!("    pid {pid}: {c:.2} s: {}", per(c)),
                    None => say!("    pid {pid}: not readable"),
                }
            }
        }
    }

    pub(super) fn json(&self, w: &W1, gateways: &[String]) -> Value {
        json!({
            "workload": "w1",
            "listeners": w.listeners,
            "senders": w.senders,
            "messages_per_sender": w.messages,
            "rate": w.rate,
            "zlib": w.zlib,
            "stalled": w.stalled,
            "private": w.private,
            "outsiders": w.outsiders,
            "outsider_deliveries": self.leaked,
            "sent_ok": self.sent_ok,
            "send_secs": self.send_time.as_secs_f64(),
            "send_msgs_per_sec": self.send_rate,
            "post_latency": stats::json_or_null(&self.post),
            "deliveries": self.received,
            "deliveries_expected": self.expected_ok,
            "deliveries_nominal": self.nominal,
            "deliver_secs": self.deliver_time.as_secs_f64(),
            "deliveries_per_sec": self.deliver_rate,
            "end_to_end": stats::json_or_null(&self.e2e),
            "lost": self.lost,
            "server_cpu_secs": self.run_cpu.total(),
            "server_cpu_secs_by_pid": cpu_json(&self.run_cpu),
            "gateways": gateways
                .iter()
                .zip(&self.gateway_e2e)
                .map(|(url, (n, e2e))| json!({
                    "url": url,
                    "deliveries": n,
                    "end_to_end": stats::json_or_null(e2e),
                }))
                .collect::<Vec<_>>(),
            "lost_nominal": self.nominal.saturating_sub(self.received),
            "duplicates": self.duplicates,
            "send_errors": self.send_errors.json(),
            "listener_ends": self.ended.json(),
            "stalled_ends": self.stall_ends.json(),
        })
    }
}

/// `[{"pid": .., "secs": ..}, ..]`.
fn cpu_json(used: &CpuUsed) -> Value {
    used.each
        .iter()
        .map(|&(pid, secs)| json!({"pid": pid, "secs": secs}))
        .collect()
}
