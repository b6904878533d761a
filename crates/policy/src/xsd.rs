//! The XML Schema literals right operands carry: `xsd:dateTime`, `xsd:date` and `xsd:duration`.
//!
//! Parsed by hand to the lexical forms of XML Schema 1.1, with two leniencies seen in DSP
//! messages: seconds may be left out (`2023-12-31T06:00Z`, as in the DSP 2025-1 examples) and a
//! dateTime without a timezone is read as UTC.

use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// A point in time (`xsd:dateTime`) or a whole day in a timezone (`xsd:date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Instant(OffsetDateTime),
    Day(Date, UtcOffset),
}

impl When {
    /// Compares `now` with this value: an instant to the nanosecond, a day as the calendar day
    /// `now` falls on in the day's timezone.
    pub fn compare(&self, now: OffsetDateTime) -> std::cmp::Ordering {
        match *self {
            When::Instant(at) => now.cmp(&at),
            When::Day(day, offset) => now.to_offset(offset).date().cmp(&day),
        }
    }
}

fn digits(text: &str, len: usize) -> Option<u32> {
    if text.len() == len && text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse().ok()
    } else {
        None
    }
}

fn parse_date(text: &str) -> Option<Date> {
    let mut parts = text.splitn(3, '-');
    let year = parts.next()?;
    let month = digits(parts.next()?, 2)?;
    let day = digits(parts.next()?, 2)?;
    let year: i32 =
        if year.len() >= 4 && year.bytes().all(|b| b.is_ascii_digit()) { year.parse().ok()? } else { return None };
    Date::from_calendar_date(year, Month::try_from(u8::try_from(month).ok()?).ok()?, u8::try_from(day).ok()?).ok()
}

/// Splits a trailing timezone (`Z`, `+hh:mm`, `-hh:mm`) off; none means UTC.
fn split_zone(text: &str) -> Option<(&str, UtcOffset)> {
    if let Some(rest) = text.strip_suffix('Z') {
        return Some((rest, UtcOffset::UTC));
    }
    if text.len() > 6 {
        let (rest, zone) = text.split_at(text.len() - 6);
        let bytes = zone.as_bytes();
        if (bytes[0] == b'+' || bytes[0] == b'-') && bytes[3] == b':' {
            let hours = i8::try_from(digits(&zone[1..3], 2)?).ok()?;
            let minutes = i8::try_from(digits(&zone[4..6], 2)?).ok()?;
            let sign = if bytes[0] == b'-' { -1 } else { 1 };
            return Some((rest, UtcOffset::from_hms(sign * hours, sign * minutes, 0).ok()?));
        }
    }
    Some((text, UtcOffset::UTC))
}

fn parse_time(text: &str) -> Option<(Time, bool)> {
    let mut parts = text.splitn(3, ':');
    let hour = digits(parts.next()?, 2)?;
    let minute = digits(parts.next()?, 2)?;
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            let second = digits(whole, 2)?;
            if !fraction.bytes().all(|b| b.is_ascii_digit()) || (seconds.contains('.') && fraction.is_empty()) {
                return None;
            }
            let mut nanos: u32 = 0;
            for (i, b) in fraction.bytes().enumerate() {
                if i < 9 {
                    nanos = nanos * 10 + u32::from(b - b'0');
                }
            }
            for _ in fraction.len()..9 {
                nanos *= 10;
            }
            (second, nanos)
        }
    };
    if hour == 24 && minute == 0 && second == 0 && nanos == 0 {
        return Some((Time::MIDNIGHT, true));
    }
    let time =
        Time::from_hms_nano(u8::try_from(hour).ok()?, u8::try_from(minute).ok()?, u8::try_from(second).ok()?, nanos)
            .ok()?;
    Some((time, false))
}

/// Reads an `xsd:dateTime` (an instant) or an `xsd:date` (a day).
pub fn parse_when(text: &str) -> Option<When> {
    let text = text.trim();
    match text.split_once('T') {
        Some((date, rest)) => {
            let date = parse_date(date)?;
            let (clock, offset) = split_zone(rest)?;
            let (time, next_day) = parse_time(clock)?;
            let date = if next_day { date.next_day()? } else { date };
            Some(When::Instant(PrimitiveDateTime::new(date, time).assume_offset(offset)))
        }
        None => {
            let (date, offset) = split_zone(text)?;
            Some(When::Day(parse_date(date)?, offset))
        }
    }
}

/// A non-negative `xsd:duration`: months (years count twelve) and an exact part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct XsdDuration {
    pub months: i64,
    pub exact: Duration,
}

impl XsdDuration {
    /// `start` plus this duration: months first (the day clamped to the month's last), then the
    /// exact part, as XML Schema adds durations to dateTimes. `None` past the representable range.
    pub fn after(&self, start: OffsetDateTime) -> Option<OffsetDateTime> {
        let total = i64::from(start.year()) * 12 + i64::from(u8::from(start.month())) - 1 + self.months;
        let year = i32::try_from(total.div_euclid(12)).ok()?;
        let month = Month::try_from(u8::try_from(total.rem_euclid(12) + 1).ok()?).ok()?;
        let day = start.day().min(time::util::days_in_month(month, year));
        let moved = start.replace_date(Date::from_calendar_date(year, month, day).ok()?);
        moved.checked_add(self.exact)
    }
}

/// Reads a non-negative `xsd:duration` such as `P180D`, `P1Y6M` or `PT36H`.
pub fn parse_duration(text: &str) -> Option<XsdDuration> {
    let rest = text.trim().strip_prefix('P')?;
    let (date_part, time_part) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut months: i64 = 0;
    let mut exact = Duration::ZERO;
    let mut any = false;
    let mut number = String::new();
    let mut order = 0;
    for c in date_part.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let value: i64 = number.parse().ok()?;
        number.clear();
        let rank = match c {
            'Y' => {
                months = months.checked_add(value.checked_mul(12)?)?;
                1
            }
            'M' => {
                months = months.checked_add(value)?;
                2
            }
            'D' => {
                exact = exact.checked_add(Duration::days(value))?;
                3
            }
            _ => return None,
        };
        if rank <= order {
            return None;
        }
        order = rank;
        any = true;
    }
    if !number.is_empty() {
        return None;
    }
    if let Some(time_part) = time_part {
        order = 0;
        for c in time_part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let rank = match c {
                'H' => {
                    exact = exact.checked_add(Duration::hours(number.parse().ok()?))?;
                    1
                }
                'M' => {
                    exact = exact.checked_add(Duration::minutes(number.parse().ok()?))?;
                    2
                }
                'S' => {
                    let seconds: f64 = number.parse().ok()?;
                    if !seconds.is_finite() || number.starts_with('.') || number.ends_with('.') {
                        return None;
                    }
                    exact = exact.checked_add(Duration::seconds_f64(seconds))?;
                    3
                }
                _ => return None,
            };
            number.clear();
            if rank <= order {
                return None;
            }
            order = rank;
            any = true;
        }
        if !number.is_empty() {
            return None;
        }
    }
    any.then_some(XsdDuration { months, exact })
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn date_times_and_dates() {
        assert_eq!(parse_when("2024-02-12T11:20:10.999Z"), Some(When::Instant(datetime!(2024-02-12 11:20:10.999 UTC))));
        assert_eq!(parse_when("2023-12-31T06:00Z"), Some(When::Instant(datetime!(2023-12-31 06:00 UTC))));
        assert_eq!(parse_when("2024-01-01T01:00:00+02:00"), Some(When::Instant(datetime!(2023-12-31 23:00 UTC))));
        assert_eq!(parse_when("2024-01-01T00:00:00"), Some(When::Instant(datetime!(2024-01-01 00:00 UTC))));
        assert_eq!(parse_when("2024-12-31T24:00:00Z"), Some(When::Instant(datetime!(2025-01-01 00:00 UTC))));
        assert_eq!(parse_when("2024-03-01"), Some(When::Day(date!(2024 - 03 - 01), UtcOffset::UTC)));
        for bad in [
            "2024-13-01",
            "2024-02-30T00:00Z",
            "24-01-01",
            "2024-01-01T25:00Z",
            "tomorrow",
            "",
            "2024-01-01T10:00:00.Z",
        ] {
            assert_eq!(parse_when(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_day_compares_by_calendar_day() {
        let day = parse_when("2024-12-31").unwrap_or(When::Instant(OffsetDateTime::UNIX_EPOCH));
        assert_eq!(day.compare(datetime!(2024-12-31 23:59 UTC)), std::cmp::Ordering::Equal);
        assert_eq!(day.compare(datetime!(2025-01-01 00:00 UTC)), std::cmp::Ordering::Greater);
        assert_eq!(day.compare(datetime!(2024-12-30 12:00 UTC)), std::cmp::Ordering::Less);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("P180D"), Some(XsdDuration { months: 0, exact: Duration::days(180) }));
        assert_eq!(parse_duration("P1Y6M"), Some(XsdDuration { months: 18, exact: Duration::ZERO }));
        assert_eq!(
            parse_duration("P1DT2H30M1.5S"),
            Some(XsdDuration {
                months: 0,
                exact: Duration::days(1) + Duration::minutes(150) + Duration::milliseconds(1500)
            })
        );
        for bad in ["P", "PT", "P1H", "-P1D", "P1D2", "P1M1Y", "180D", "PT1.S"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn months_clamp_to_the_last_day() {
        let one_month = XsdDuration { months: 1, exact: Duration::ZERO };
        assert_eq!(one_month.after(datetime!(2024-01-31 10:00 UTC)), Some(datetime!(2024-02-29 10:00 UTC)));
        let a_year = XsdDuration { months: 12, exact: Duration::days(1) };
        assert_eq!(a_year.after(datetime!(2024-12-31 00:00 UTC)), Some(datetime!(2026-01-01 00:00 UTC)));
    }
}
