//! Calendar days. A `Day` is a Julian day number, so comparing and ordering dates is an integer
//! compare on the decision path.

use std::fmt;

use time::macros::format_description;

/// A calendar day (proleptic Gregorian), stored as its Julian day number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(pub i32);

impl Day {
    /// Before every date any rule names.
    pub const MIN: Day = Day(i32::MIN);
    /// After every date any rule names.
    pub const MAX: Day = Day(i32::MAX);

    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Day, String> {
        let format = format_description!("[year]-[month]-[day]");
        time::Date::parse(text, &format)
            .map(|d| Day(d.to_julian_day()))
            .map_err(|_| format!("'{text}' is not a date; expected YYYY-MM-DD, e.g. 2026-06-01"))
    }

    /// Today in UTC, from the system clock. Only the binary calls this; cores take the date as input.
    pub fn today() -> Day {
        Day(time::OffsetDateTime::now_utc().date().to_julian_day())
    }

    pub fn next(self) -> Day {
        Day(self.0.saturating_add(1))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match time::Date::from_julian_day(self.0) {
            Ok(d) => write!(f, "{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()),
            Err(_) => write!(f, "day {}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d = Day::parse("2023-07-10").expect("valid");
        assert_eq!(d.to_string(), "2023-07-10");
        assert_eq!(d.next().to_string(), "2023-07-11");
        assert!(Day::parse("2020-07-15").expect("valid") < Day::parse("2020-07-16").expect("valid"));
    }

    #[test]
    fn rejects_bad_dates() {
        assert!(Day::parse("2023-02-30").is_err());
        assert!(Day::parse("10/07/2023").is_err());
        assert!(Day::parse("").is_err());
    }
}
