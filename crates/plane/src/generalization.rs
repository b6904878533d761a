//! Generalizations: coarser values that still say something (a birth year instead of a birth
//! date, an age band, a postcode's region).
//!
//! Values are trimmed of surrounding ASCII whitespace first. A value that does not fit the
//! generalization (`n/a` for a year, `3.5` for a band) is written as an empty value and counted
//! in [`crate::Report::values_suppressed`]: releasing it unchanged could release exactly what the
//! agreement generalizes away. An empty value stays empty and is not counted.

use std::fmt;
use std::str::FromStr;

/// How a field is coarsened; written `year`, `month`, `band:<width>`, `prefix:<n>` in duties.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generalization {
    /// A value starting with a year (`1987`, `1987-05-03`, `1987-05-03T10:00:00Z`) → `1987`.
    Year,
    /// A value starting with year and month (`1987-05`, `1987-05-03`, ...) → `1987-05`.
    Month,
    /// An integer (optionally signed) → the band of this width it falls in: 34 → `30-39` for 10.
    Band(u32),
    /// The first n characters (Unicode scalar values): `SW1A 1AA` → `SW1` for 3. Shorter values
    /// are kept whole.
    Prefix(usize),
}

/// What generalizing one value came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// The generalized value was written.
    Fits,
    /// The value was empty and stays empty.
    Empty,
    /// The value does not fit: nothing was written.
    Suppressed,
}

impl Generalization {
    /// Writes the generalized form of `value` to `out` (cleared first).
    pub(crate) fn apply(self, value: &[u8], out: &mut Vec<u8>) -> Fit {
        out.clear();
        let value = value.trim_ascii();
        if value.is_empty() {
            return Fit::Empty;
        }
        let written = match self {
            Generalization::Year => year(value).map(|y| out.extend_from_slice(y)),
            Generalization::Month => month(value).map(|m| out.extend_from_slice(m)),
            Generalization::Band(width) => band(value, width).map(|(low, high)| {
                push_integer(out, low);
                out.push(b'-');
                push_integer(out, high);
            }),
            Generalization::Prefix(n) => prefix(value, n).map(|p| out.extend_from_slice(p)),
        };
        match written {
            Some(()) => Fit::Fits,
            None => {
                out.clear();
                Fit::Suppressed
            }
        }
    }

    /// In words, for [`crate::Plan::describe`].
    pub(crate) fn words(self) -> String {
        match self {
            Generalization::Year => "year".into(),
            Generalization::Month => "month".into(),
            Generalization::Band(width) => format!("bands of {width}"),
            Generalization::Prefix(1) => "its first character".into(),
            Generalization::Prefix(n) => format!("its first {n} characters"),
        }
    }
}

fn digits(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_digit)
}

/// `YYYY` alone or followed by `-`.
fn year(value: &[u8]) -> Option<&[u8]> {
    let year = value.get(..4)?;
    (digits(year) && matches!(value.get(4), None | Some(b'-'))).then_some(year)
}

/// `YYYY-MM` (month 01–12) alone or followed by `-`.
fn month(value: &[u8]) -> Option<&[u8]> {
    year(value)?;
    let month = value.get(5..7).filter(|m| digits(m))?;
    let number = (month[0] - b'0') * 10 + (month[1] - b'0');
    let ok = (1..=12).contains(&number) && matches!(value.get(7), None | Some(b'-'));
    ok.then(|| &value[..7])
}

/// The band `[low, high]` of `width` holding the integer `value`.
fn band(value: &[u8], width: u32) -> Option<(i64, i64)> {
    let n: i64 = std::str::from_utf8(value).ok()?.parse().ok()?;
    let width = i64::from(width);
    let low = n.checked_div_euclid(width)?.checked_mul(width)?;
    Some((low, low.checked_add(width - 1)?))
}

/// Appends `n` in decimal (cheaper than `write!`, which shows in profiles at one call per row).
fn push_integer(out: &mut Vec<u8>, n: i64) {
    if n < 0 {
        out.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut rest = n.unsigned_abs();
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[start..]);
}

/// The first `n` characters of UTF-8 text (all of it when shorter); `None` for other bytes.
fn prefix(value: &[u8], n: usize) -> Option<&[u8]> {
    let text = std::str::from_utf8(value).ok()?;
    let end = text.char_indices().nth(n).map_or(text.len(), |(i, _)| i);
    Some(&value[..end])
}

impl fmt::Display for Generalization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Generalization::Year => f.write_str("year"),
            Generalization::Month => f.write_str("month"),
            Generalization::Band(width) => write!(f, "band:{width}"),
            Generalization::Prefix(n) => write!(f, "prefix:{n}"),
        }
    }
}

impl FromStr for Generalization {
    type Err = String;

    /// `year`, `month`, `band:<width>`, `prefix:<n>` (width and n positive integers), as in a
    /// `dfft:granularity` constraint.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let positive = |n: &str| n.parse::<u32>().ok().filter(|n| *n > 0);
        let parsed = match text.split_once(':') {
            None if text == "year" => Some(Generalization::Year),
            None if text == "month" => Some(Generalization::Month),
            Some(("band", width)) => positive(width).map(Generalization::Band),
            Some(("prefix", n)) => positive(n).and_then(|n| usize::try_from(n).ok()).map(Generalization::Prefix),
            _ => None,
        };
        parsed.ok_or_else(|| {
            format!("`{text}` is not one of year, month, band:<width>, prefix:<n> (width and n positive integers, e.g. band:10, prefix:3)")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(g: Generalization, value: &str) -> (String, Fit) {
        let mut out = Vec::new();
        let fit = g.apply(value.as_bytes(), &mut out);
        (String::from_utf8(out).expect("UTF-8"), fit)
    }

    fn fits(g: Generalization, value: &str) -> String {
        let (out, fit) = apply(g, value);
        assert_eq!(fit, Fit::Fits, "{g} of {value:?}");
        out
    }

    fn suppressed(g: Generalization, value: &str) {
        assert_eq!(apply(g, value), (String::new(), Fit::Suppressed), "{g} of {value:?}");
    }

    #[test]
    fn years() {
        assert_eq!(fits(Generalization::Year, "1987-05-03"), "1987");
        assert_eq!(fits(Generalization::Year, "1987"), "1987");
        assert_eq!(fits(Generalization::Year, " 1987-05-03T10:00:00Z "), "1987");
        assert_eq!(fits(Generalization::Year, "1987-05"), "1987");
        for bad in ["n/a", "87", "19870503", "05/03/1987", "198a-01-01", "1987/05/03"] {
            suppressed(Generalization::Year, bad);
        }
        assert_eq!(apply(Generalization::Year, ""), (String::new(), Fit::Empty));
        assert_eq!(apply(Generalization::Year, "  "), (String::new(), Fit::Empty));
    }

    #[test]
    fn months() {
        assert_eq!(fits(Generalization::Month, "1987-05-03"), "1987-05");
        assert_eq!(fits(Generalization::Month, "1987-12"), "1987-12");
        assert_eq!(fits(Generalization::Month, "2001-01-31T23:59:59+02:00"), "2001-01");
        for bad in ["1987", "1987-13-01", "1987-00-01", "1987-5-03", "1987-05x", "n/a", "1987-0a"] {
            suppressed(Generalization::Month, bad);
        }
    }

    #[test]
    fn bands() {
        assert_eq!(fits(Generalization::Band(10), "34"), "30-39");
        assert_eq!(fits(Generalization::Band(10), "30"), "30-39");
        assert_eq!(fits(Generalization::Band(10), "39"), "30-39");
        assert_eq!(fits(Generalization::Band(10), "0"), "0-9");
        assert_eq!(fits(Generalization::Band(5), "+7"), "5-9");
        assert_eq!(fits(Generalization::Band(10), "-3"), "-10--1");
        assert_eq!(fits(Generalization::Band(1), "42"), "42-42");
        assert_eq!(fits(Generalization::Band(25), "101"), "100-124");
        for bad in ["34.5", "n/a", "3 4", "99999999999999999999", "x"] {
            suppressed(Generalization::Band(10), bad);
        }
        assert_eq!(fits(Generalization::Band(1), &i64::MIN.to_string()), format!("{0}-{0}", i64::MIN));
        assert_eq!(fits(Generalization::Band(10), "-9223372036854775800"), "-9223372036854775800--9223372036854775791");
        suppressed(Generalization::Band(0), "34");
        suppressed(Generalization::Band(10), &i64::MAX.to_string());
    }

    #[test]
    fn prefixes() {
        assert_eq!(fits(Generalization::Prefix(3), "SW1A 1AA"), "SW1");
        assert_eq!(fits(Generalization::Prefix(3), "AB"), "AB");
        assert_eq!(fits(Generalization::Prefix(2), "Ölstraße"), "Öl");
        assert_eq!(fits(Generalization::Prefix(2), " 75001 "), "75");
        let mut out = Vec::new();
        assert_eq!(Generalization::Prefix(2).apply(&[0xff, 0xfe, 0x41], &mut out), Fit::Suppressed);
    }

    #[test]
    fn names_read_back() {
        for g in [Generalization::Year, Generalization::Month, Generalization::Band(10), Generalization::Prefix(3)] {
            assert_eq!(g.to_string().parse::<Generalization>(), Ok(g));
        }
        for bad in ["decade", "band:0", "band:-1", "band:", "prefix:x", "Year", "band:10:2"] {
            let error = bad.parse::<Generalization>().expect_err("refused");
            assert!(error.contains(bad) && error.contains("band:<width>"), "{error}");
        }
    }
}
