//! Schedules (`jobs/schedules.toml`, or `--schedules FILE`): name, cron, timezone, job, payload,
//! enabled. Every worker evaluates them; a tick is claimed in the database before its job is
//! queued, so it runs once however many workers see it.

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::queue::ImportTask;

/// The shipped schedules.
pub const DEFAULT_SCHEDULES: &str = include_str!("../schedules.toml");

#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{file}: not a valid schedules file: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}: schedule {name:?}: {message}")]
    Bad { file: String, name: String, message: String },
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    schedule: Vec<RawSchedule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchedule {
    name: String,
    cron: String,
    #[serde(default = "london")]
    timezone: String,
    job: String,
    #[serde(default)]
    payload: Option<toml::Value>,
    #[serde(default = "yes")]
    enabled: bool,
}

fn london() -> String {
    "Europe/London".to_owned()
}

fn yes() -> bool {
    true
}

/// One schedule, checked.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: String,
    pub cron_text: String,
    cron: cron::Schedule,
    pub timezone: Tz,
    pub task: ImportTask,
    pub enabled: bool,
}

impl Schedule {
    /// Ticks after `after`, up to and including `until`.
    pub fn ticks(&self, after: DateTime<Utc>, until: DateTime<Utc>) -> Vec<DateTime<Utc>> {
        self.cron
            .after(&after.with_timezone(&self.timezone))
            .map(|t| t.with_timezone(&Utc))
            .take_while(|t| *t <= until)
            .take(10_000)
            .collect()
    }

    /// The next tick after `after`.
    pub fn next(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.cron.after(&after.with_timezone(&self.timezone)).next().map(|t| t.with_timezone(&Utc))
    }
}

impl Schedule {
    /// How often a fresh run is expected: the longest gap between its next ticks (a weekday
    /// schedule expects one every three days, over the weekend).
    pub fn expected_every(&self, now: DateTime<Utc>) -> chrono::Duration {
        let ticks: Vec<DateTime<Utc>> =
            self.cron.after(&now.with_timezone(&self.timezone)).take(32).map(|t| t.with_timezone(&Utc)).collect();
        ticks.windows(2).map(|w| w[1] - w[0]).max().unwrap_or_else(|| chrono::Duration::days(366))
    }
}

/// Reads `path`, or the shipped schedules.
pub fn load(path: Option<&Path>) -> Result<Vec<Schedule>, ScheduleError> {
    let (file, text) = match path {
        Some(p) => {
            let file = p.display().to_string();
            let text = std::fs::read_to_string(p).map_err(|source| ScheduleError::Io { file: file.clone(), source })?;
            (file, text)
        }
        None => ("jobs/schedules.toml".to_owned(), DEFAULT_SCHEDULES.to_owned()),
    };
    parse(&file, &text)
}

pub fn parse(file: &str, text: &str) -> Result<Vec<Schedule>, ScheduleError> {
    let raw: RawFile =
        toml::from_str(text).map_err(|e| ScheduleError::Syntax { file: file.to_owned(), message: e.to_string() })?;
    let mut out: Vec<Schedule> = Vec::new();
    for r in raw.schedule {
        let bad = |message: String| ScheduleError::Bad { file: file.to_owned(), name: r.name.clone(), message };
        if r.name.is_empty()
            || r.name.len() > 64
            || !r.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(bad("a name is lower-case letters, digits and `_` (at most 64)".into()));
        }
        if out.iter().any(|s| s.name == r.name) {
            return Err(bad("the name is used twice".into()));
        }
        // Five fields (minute first) as crontab writes them; the cron crate wants seconds too.
        let fields = r.cron.split_whitespace().count();
        let text = if fields == 5 { format!("0 {}", r.cron.trim()) } else { r.cron.trim().to_owned() };
        let cron = cron::Schedule::from_str(&text).map_err(|e| bad(format!("cron {:?}: {e}", r.cron)))?;
        let timezone: Tz = r.timezone.parse().map_err(|_| bad(format!("unknown timezone {:?}", r.timezone)))?;
        let payload = r.payload.unwrap_or(toml::Value::Table(Default::default()));
        let task = ImportTask::from_parts(&r.job, payload).map_err(bad)?;
        out.push(Schedule { name: r.name, cron_text: r.cron, cron, timezone, task, enabled: r.enabled });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_schedules_parse() {
        let s = load(None).unwrap();
        assert!(s.iter().any(|s| s.name == "drop_folder"));
    }

    #[test]
    fn ticks_follow_london_time_across_the_clock_change() {
        let s = parse("t", "[[schedule]]\nname = \"gias\"\ncron = \"0 6 * * *\"\njob = \"noop\"\n").unwrap();
        // 06:00 London is 06:00 UTC in winter and 05:00 UTC in summer (BST from 30 March 2025).
        let from = DateTime::parse_from_rfc3339("2025-03-29T00:00:00Z").unwrap().with_timezone(&Utc);
        let until = DateTime::parse_from_rfc3339("2025-03-31T00:00:00Z").unwrap().with_timezone(&Utc);
        let ticks: Vec<String> = s[0].ticks(from, until).iter().map(|t| t.to_rfc3339()).collect();
        assert_eq!(ticks, ["2025-03-29T06:00:00+00:00", "2025-03-30T05:00:00+00:00"]);
    }

    #[test]
    fn the_expected_interval_is_the_longest_gap() {
        let now = DateTime::parse_from_rfc3339("2026-12-03T10:00:00Z").unwrap().with_timezone(&Utc);
        let every = |cron: &str| {
            let text = format!("[[schedule]]\nname = \"a\"\ncron = \"{cron}\"\njob = \"noop\"\n");
            parse("t", &text).unwrap()[0].expected_every(now).num_seconds()
        };
        assert_eq!(every("*/15 * * * *"), 900);
        assert_eq!(every("0 6 * * *"), 86_400);
        assert_eq!(every("0 5 * * MON"), 7 * 86_400);
        assert_eq!(every("0 6 * * MON-FRI"), 3 * 86_400, "Friday to Monday");
    }

    #[test]
    fn bad_schedules_are_named() {
        for (text, expect) in [
            ("[[schedule]]\nname = \"a\"\ncron = \"every day\"\njob = \"noop\"\n", "cron"),
            (
                "[[schedule]]\nname = \"a\"\ncron = \"0 6 * * *\"\ntimezone = \"Mars/Olympus\"\njob = \"noop\"\n",
                "timezone",
            ),
            ("[[schedule]]\nname = \"a\"\ncron = \"0 6 * * *\"\njob = \"format_disk\"\n", "format_disk"),
            ("[[schedule]]\nname = \"A B\"\ncron = \"0 6 * * *\"\njob = \"noop\"\n", "lower-case"),
            ("[[schedule]]\nname = \"a\"\ncron = \"0 6 * * *\"\njob = \"noop\"\nrm = 1\n", "unknown field"),
            ("[[schedule]]\nname = \"a\"\ncron = \"0 6 * * *\"\njob = \"ees_dataset\"\n", "dataset"),
        ] {
            let e = parse("s.toml", text).unwrap_err().to_string();
            assert!(e.contains(expect) && e.starts_with("s.toml"), "{text}: {e}");
        }
    }
}
