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

/// The resident memory of all of `pids` together, in KiB; `None` when none was given or one
/// cannot be read.
pub fn vm_rss_kib_sum(pids: &[u32]) -> Option<u64> {
    if pids.is_empty() {
        return None;
    }
    pids.iter().map(|&p| vm_rss_kib(p)).sum()
}

/// Server CPU between two readings, for each pid given (one per node of a cluster).
#[derive(Debug, Clone)]
pub struct CpuMeter {
    start: Vec<(u32, Option<f64>)>,
}

/// CPU seconds each pid used between two readings (`None` where /proc could not be read).
#[derive(Debug, Clone)]
pub struct CpuUsed {
    pub each: Vec<(u32, Option<f64>)>,
}

impl CpuUsed {
    /// All the pids together; `None` when no pid was given or one could not be read.
    pub fn total(&self) -> Option<f64> {
        if self.each.is_empty() {
            return None;
        }
        self.each.iter().map(|&(_, c)| c).sum()
    }
}

impl CpuMeter {
    pub fn start(pids: &[u32]) -> CpuMeter {
        CpuMeter {
            start: pids.iter().map(|&p| (p, cpu_secs(p))).collect(),
        }
    }

    /// CPU seconds used since `start`, by pid.
    pub fn used(&self) -> CpuUsed {
        CpuUsed {
            each: self
                .start
                .iter()
                .map(|&(pid, start)| (pid, cpu_secs(pid).zip(start).map(|(now, s)| now - s)))
                .collect(),
        }
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
        assert!(CpuMeter::start(&[]).used().total().is_none());
        let both = CpuMeter::start(&[me, me]).used();
        assert_eq!(both.each.len(), 2);
        assert!(both.total().unwrap() >= 0.0);
        assert!(CpuMeter::start(&[me, u32::MAX]).used().total().is_none());
        assert!(vm_rss_kib_sum(&[me, me]).unwrap() > 0);
        assert_eq!(vm_rss_kib_sum(&[]), None);
        assert_eq!(vm_rss_kib_sum(&[me, u32::MAX]), None);
    }

    #[test]
    fn parses_stat_with_a_strange_command_name() {
        let stat = "123 (my (odd) name) S 1 123 123 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 4 0";
        assert_eq!(parse_cpu_secs(stat), Some(3.25));
    }
}
