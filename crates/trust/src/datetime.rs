//! Proof timestamps: the XML Schema `dateTimeStamp` form that Data Integrity requires for
//! `created` and `expires` (`2023-02-24T23:36:38Z`, `2023-02-24T23:36:38.5+09:00`).
//!
//! The crate never reads a clock: callers pass the current time in, so verification is
//! reproducible and testable.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Parses an XML Schema 1.1 `dateTimeStamp` with a four-digit year: `YYYY-MM-DDThh:mm:ss`, an
/// optional fraction, then `Z` or `±hh:mm` (at most 14:00). `24:00:00` is the end of the day, as
/// in XML Schema. Returns the instant in UTC, or `None` for anything else (including leap
/// seconds, which XML Schema does not allow, and instants outside years 0000 to 9999 in UTC).
pub fn parse(text: &str) -> Option<OffsetDateTime> {
    let bytes = text.as_bytes();
    let (head, rest) = (bytes.get(..19)?, bytes.get(19..)?);
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| head.get(at) != Some(&byte)) {
        return None;
    }
    let year = digits(head.get(0..4)?)?;
    let month = digits(head.get(5..7)?)?;
    let day = digits(head.get(8..10)?)?;
    let hour = digits(head.get(11..13)?)?;
    let minute = digits(head.get(14..16)?)?;
    let second = digits(head.get(17..19)?)?;

    let (nanosecond, rest) = match rest.split_first() {
        Some((b'.', fraction)) => {
            let count = fraction.iter().take_while(|byte| byte.is_ascii_digit()).count();
            let (fraction, rest) = fraction.split_at(count);
            if fraction.is_empty() {
                return None;
            }
            let mut nanos = 0u32;
            for position in 0..9 {
                nanos = nanos * 10 + fraction.get(position).map_or(0, |byte| u32::from(byte - b'0'));
            }
            (nanos, rest)
        }
        _ => (0, rest),
    };

    let offset = match rest {
        b"Z" => UtcOffset::UTC,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let hours = digits(&[*h1, *h2])?;
            let minutes = digits(&[*m1, *m2])?;
            if hours > 14 || minutes > 59 || (hours == 14 && minutes != 0) {
                return None;
            }
            let (hours, minutes) = (i8::try_from(hours).ok()?, i8::try_from(minutes).ok()?);
            let (hours, minutes) = if *sign == b'-' { (-hours, -minutes) } else { (hours, minutes) };
            UtcOffset::from_hms(hours, minutes, 0).ok()?
        }
        _ => return None,
    };

    let date = Date::from_calendar_date(
        i32::try_from(year).ok()?,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let (date, time) = if hour == 24 {
        if minute != 0 || second != 0 || nanosecond != 0 {
            return None;
        }
        (date.next_day()?, Time::MIDNIGHT)
    } else {
        let time = Time::from_hms_nano(
            u8::try_from(hour).ok()?,
            u8::try_from(minute).ok()?,
            u8::try_from(second).ok()?,
            nanosecond,
        )
        .ok()?;
        (date, time)
    };
    let utc = PrimitiveDateTime::new(date, time).assume_offset(offset).checked_to_offset(UtcOffset::UTC)?;
    (0..=9999).contains(&utc.year()).then_some(utc)
}

/// Formats an instant as `YYYY-MM-DDThh:mm:ssZ` in UTC, dropping fractions of a second (the form
/// the W3C test vectors use). `None` if the year in UTC is outside 0000 to 9999.
pub fn format(instant: OffsetDateTime) -> Option<String> {
    let utc = instant.checked_to_offset(UtcOffset::UTC)?;
    if !(0..=9999).contains(&utc.year()) {
        return None;
    }
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        utc.year(),
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second()
    ))
}

fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |value, &byte| byte.is_ascii_digit().then(|| value * 10 + u32::from(byte - b'0')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_xml_schema_forms() {
        let utc = parse("2023-02-24T23:36:38Z").expect("valid");
        assert_eq!(utc.unix_timestamp(), 1_677_281_798);
        assert_eq!(parse("2023-02-25T08:36:38+09:00"), Some(utc));
        assert_eq!(parse("2023-02-24T13:36:38-10:00"), Some(utc));
        assert_eq!(parse("2023-02-24T23:36:38.250Z").map(OffsetDateTime::nanosecond), Some(250_000_000));
        assert_eq!(parse("2023-02-24T23:36:38.1234567891Z").map(OffsetDateTime::nanosecond), Some(123_456_789));
        assert_eq!(parse("2023-02-24T24:00:00Z"), parse("2023-02-25T00:00:00Z"));
        assert_eq!(parse("2024-02-29T00:00:00Z").map(OffsetDateTime::day), Some(29));
        assert_eq!(parse("0000-01-01T00:00:00Z").map(OffsetDateTime::year), Some(0));
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "2023-02-24",
            "2023-02-24T23:36:38",
            "2023-02-24t23:36:38Z",
            "2023-02-24T23:36:38z",
            "2023-02-24 23:36:38Z",
            "2023-02-24T23:36:38.Z",
            "2023-02-24T23:36:60Z",
            "2023-02-24T24:00:01Z",
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-00-01T00:00:00Z",
            "2023-02-24T23:36:38+14:01",
            "2023-02-24T23:36:38+15:00",
            "2023-02-24T23:36:38+0900",
            "2023-02-24T23:36:38+09:60",
            "2023-02-24T23:36:38Z ",
            "+2023-02-24T23:36:38Z",
            "20230-02-24T23:36:38Z",
            "2023-02-24T23:36:3٨Z",
            "9999-12-31T23:59:59-01:00",
            "0000-01-01T00:00:00+01:00",
        ] {
            assert_eq!(parse(bad), None, "{bad:?} should be rejected");
        }
    }

    #[test]
    fn formats_whole_seconds_in_utc() {
        let instant = parse("2023-02-25T08:36:38.999+09:00").expect("valid");
        assert_eq!(format(instant).as_deref(), Some("2023-02-24T23:36:38Z"));
        assert_eq!(parse("0001-01-01T00:00:00Z").and_then(format).as_deref(), Some("0001-01-01T00:00:00Z"));
        let far = time::Date::from_calendar_date(-5, Month::January, 1).expect("a date").midnight().assume_utc();
        assert_eq!(format(far), None);
    }
}
