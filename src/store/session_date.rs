//! Session dates as the therapist types them: a real calendar date, never in the future, stored
//! as YYYY-MM-DD. Accepted forms: YYYY-MM-DD (one-digit month and day allowed: 2025-3-10),
//! and the day-first forms DD.MM.YYYY and DD/MM/YYYY. Anything else (a two-digit year, a
//! day-or-month-first form with dashes such as 10-03-2025, an impossible date) is refused with
//! the accepted forms, so that no session is filed under a date the therapist did not mean.

use chrono::NaiveDate;

/// The accepted forms, for messages and help texts.
pub const ACCEPTED_FORMS: &str =
    "YYYY-MM-DD (2025-03-10), DD.MM.YYYY (10.03.2025) or DD/MM/YYYY (10/03/2025)";

/// A session's calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SessionDate(pub NaiveDate);

impl std::fmt::Display for SessionDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl SessionDate {
    /// Reads a date in one of the accepted forms, refusing dates after `today`.
    pub fn parse(text: &str, today: NaiveDate) -> Result<SessionDate, String> {
        let text = text.trim();
        let (year, month, day) = split(text).ok_or_else(|| {
            format!("\"{text}\" is not a date in a form romcam reads unambiguously; use {ACCEPTED_FORMS}")
        })?;
        let date = NaiveDate::from_ymd_opt(year, month, day).ok_or_else(|| {
            format!("{text} is not a calendar date (there is no such day); use {ACCEPTED_FORMS}")
        })?;
        if date > today {
            return Err(format!(
                "{date} is in the future; a session date is the day the client was assessed"
            ));
        }
        Ok(SessionDate(date))
    }

    /// Reads a date for a command-line option (today from the system clock).
    pub fn parse_arg(text: &str) -> Result<SessionDate, String> {
        SessionDate::parse(text, chrono::Local::now().date_naive())
    }
}

/// Year, month and day of one of the accepted forms.
fn split(text: &str) -> Option<(i32, u32, u32)> {
    let number = |s: &str, max_digits: usize| -> Option<u32> {
        (!s.is_empty() && s.len() <= max_digits && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let year = |s: &str| (s.len() == 4).then(|| number(s, 4)).flatten().map(|y| y as i32);
    if let [y, m, d] = text.split('-').collect::<Vec<_>>()[..] {
        return Some((year(y)?, number(m, 2)?, number(d, 2)?));
    }
    for separator in ['.', '/'] {
        if let [d, m, y] = text.split(separator).collect::<Vec<_>>()[..] {
            return Some((year(y)?, number(m, 2)?, number(d, 2)?));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    fn read(text: &str) -> Result<String, String> {
        SessionDate::parse(text, today()).map(|d| d.to_string())
    }

    #[test]
    fn every_accepted_form_becomes_yyyy_mm_dd() {
        for text in
            ["2025-03-10", "2025-3-10", " 2025-03-10 ", "10.03.2025", "10.3.2025", "10/03/2025", "10/3/2025"]
        {
            assert_eq!(read(text).as_deref(), Ok("2025-03-10"), "{text}");
        }
        assert_eq!(read("2026-12-04").as_deref(), Ok("2026-12-04"), "today is fine");
    }

    #[test]
    fn impossible_ambiguous_and_future_dates_are_refused_with_the_accepted_forms() {
        for text in ["2025-02-30", "31.04.2025", "2025-13-01"] {
            let e = read(text).unwrap_err();
            assert!(e.contains("no such day") && e.contains("DD.MM.YYYY"), "{text}: {e}");
        }
        for text in
            ["10.03.25", "10-03-2025", "2025/03/10", "March 10", "", "2025-03", "20250310", "+2025-03-10"]
        {
            let e = read(text).unwrap_err();
            assert!(e.contains("unambiguously") && e.contains("YYYY-MM-DD"), "{text}: {e}");
        }
        let e = read("2026-12-05").unwrap_err();
        assert!(e.contains("in the future"), "{e}");
    }
}
