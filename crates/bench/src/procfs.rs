//! What /proc says about the server process: resident memory and CPU time consumed.

/// The resident memory of `pid` in KiB (`VmRSS` of /proc/PID/status).
pub fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU seconds (user + system) `pid` has used, from /proc/PID/stat (USER_HZ taken as 100,
/// its value on every mainstream Linux architecture).
pub fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_cpu_secs(&stat)
}

fn parse_cpu_secs(stat: &str) -> Option<f64> {
    // Fields after the command name (which may hold spaces and parentheses): state is field
    // 3, utime 14 and stime 15.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}

/// This process's soft limit on open files.
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .and_then(|l| l.split_whitespace().nth(3))
        .and_then(|v| v.parse().ok())
}

/// Server CPU between two readings, when a pid was given.
#[derive(Debug, Clone, Copy)]
pub struct CpuMeter {
    pid: Option<u32>,
    start: Option<f64>,
}

impl CpuMeter {
    pub fn start(pid: Option<u32>) -> CpuMeter {
        CpuMeter {
            pid,
            start: pid.and_then(cpu_secs),
        }
    }

    /// CPU seconds used since `start`.
    pub fn used(&self) -> Option<f64> {
        Some(cpu_secs(self.pid?)? - self.start?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_process() {
        let me = std::process::id();
        assert!(vm_rss_kib(me).unwrap() > 0);
        assert!(cpu_secs(me).unwrap() >= 0.0);
        assert!(open_files_limit().unwrap() > 0);
        assert_eq!(vm_rss_kib(u32::MAX), None);
        assert!(CpuMeter::start(None).used().is_none());
    }

    #[test]
    fn parses_stat_with_a_strange_command_name() {
        let stat = "123 (my (odd) name) S 1 123 123 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 4 0";
        assert_eq!(parse_cpu_secs(stat), Some(3.25));
    }
}
