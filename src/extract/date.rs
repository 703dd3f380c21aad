//! Dates and times in the forms the inputs carry them, to microseconds since the Unix epoch, UTC.
//!
//! Accepted: ISO 8601 / RFC 3339 (`2024-01-01T11:02:00+05:00`, `...Z`, a space instead of `T`, fractional
//! seconds, a date alone), RFC 2822 / HTTP dates (`Mon, 18 Nov 2019 20:28:00 GMT`), Unix epoch numbers (seconds,
//! milliseconds or microseconds, told apart by magnitude), and the date lines news pages print
//! (`January 01, 2024 11:02 GMT`, `1 января 2024, 11:02`, `18 listopada 2019`) with month names in the
//! languages of the services. A time without an offset is taken as UTC: that is what Pangea prints next to
//! its dates, and a guessed local zone would be worse than a documented convention.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};

/// Parses any accepted form; `None` when the string is not a date we can place in time.
pub fn parse_datetime(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Some(t) = parse_epoch(s) {
        return Some(t);
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return plausible(d.timestamp_micros());
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return plausible(d.timestamp_micros());
    }
    parse_iso_loose(s).or_else(|| parse_date_line(s))
}

/// Years outside this range are placeholders (`0001-01-01`) or typos, not publication dates.
fn plausible(micros: i64) -> Option<i64> {
    const Y1900: i64 = -2_208_988_800_000_000;
    const Y2200: i64 = 7_258_118_400_000_000;
    (Y1900..Y2200).contains(&micros).then_some(micros)
}

/// A bare number: seconds, milliseconds or microseconds since the epoch, told apart by size.
fn parse_epoch(s: &str) -> Option<i64> {
    if !s.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-') || !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    // A plain year or a date-like `2024-01-01` is not an epoch number.
    if s.len() <= 4 || s[1..].contains('-') {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    let micros = if v.abs() < 1e11 {
        v * 1e6
    } else if v.abs() < 1e14 {
        v * 1e3
    } else {
        v
    };
    plausible(micros.round() as i64)
}

/// ISO 8601 forms RFC 3339 refuses: a space for `T`, no seconds, no offset (taken as UTC), `+0300` offsets, a
/// date alone.
fn parse_iso_loose(s: &str) -> Option<i64> {
    let s = s.replace(' ', "T");
    let s = s.trim_end_matches('Z').trim_end_matches("TUTC").trim_end_matches("TGMT");
    // A trailing numeric offset: +03:00, +0300, +03, -05:00.
    let (main, offset_secs) = split_offset(s);
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(main, fmt) {
            return plausible(n.and_utc().timestamp_micros() - offset_secs * 1_000_000);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(main, "%Y-%m-%d") {
        return plausible(d.and_time(NaiveTime::MIN).and_utc().timestamp_micros());
    }
    None
}

fn split_offset(s: &str) -> (&str, i64) {
    // Only look after the time part starts, so the date's own dashes are never read as an offset.
    let Some(t) = s.find('T') else { return (s, 0) };
    let Some(pos) = s[t..].rfind(['+', '-']).map(|p| p + t) else { return (s, 0) };
    let off = s[pos + 1..].replace(':', "");
    if !(off.len() == 2 || off.len() == 4) || !off.bytes().all(|b| b.is_ascii_digit()) {
        return (s, 0);
    }
    let h: i64 = off[..2].parse().unwrap_or(0);
    let m: i64 = if off.len() == 4 { off[2..].parse().unwrap_or(0) } else { 0 };
    let sign = if &s[pos..pos + 1] == "-" { -1 } else { 1 };
    (&s[..pos], sign * (h * 3600 + m * 60))
}

/// Month names (lower case, nominative and genitive where they differ), month number 1–12. Written from
/// knowledge of each language; a prefix of at least four letters also matches (`Sept.`, `janv`).
const MONTHS: &[(&str, u32)] = &[
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("may", 5),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("sept", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // Russian
    ("января", 1),
    ("февраля", 2),
    ("марта", 3),
    ("апреля", 4),
    ("мая", 5),
    ("июня", 6),
    ("июля", 7),
    ("августа", 8),
    ("сентября", 9),
    ("октября", 10),
    ("ноября", 11),
    ("декабря", 12),
    ("январь", 1),
    ("февраль", 2),
    ("март", 3),
    ("апрель", 4),
    ("май", 5),
    ("июнь", 6),
    ("июль", 7),
    ("август", 8),
    ("сентябрь", 9),
    ("октябрь", 10),
    ("ноябрь", 11),
    ("декабрь", 12),
    // Ukrainian
    ("січня", 1),
    ("лютого", 2),
    ("березня", 3),
    ("квітня", 4),
    ("травня", 5),
    ("червня", 6),
    ("липня", 7),
    ("серпня", 8),
    ("вересня", 9),
    ("жовтня", 10),
    ("листопада", 11),
    ("грудня", 12),
    // Belarusian
    ("студзеня", 1),
    ("лютага", 2),
    ("сакавіка", 3),
    ("красавіка", 4),
    ("траўня", 5),
    ("чэрвеня", 6),
    ("ліпеня", 7),
    ("жніўня", 8),
    ("верасня", 9),
    ("кастрычніка", 10),
    ("лістапада", 11),
    ("снежня", 12),
    // Romanian
    ("ianuarie", 1),
    ("februarie", 2),
    ("martie", 3),
    ("aprilie", 4),
    ("mai", 5),
    ("iunie", 6),
    ("iulie", 7),
    ("septembrie", 9),
    ("octombrie", 10),
    ("noiembrie", 11),
    ("decembrie", 12),
    // Bosnian / Croatian / Serbian (Latin)
    ("januar", 1),
    ("februar", 2),
    ("mart", 3),
    ("maj", 5),
    ("juni", 6),
    ("juli", 7),
    ("avgust", 8),
    ("oktobar", 10),
    ("novembar", 11),
    ("decembar", 12),
    ("siječnja", 1),
    ("veljače", 2),
    ("ožujka", 3),
    ("travnja", 4),
    ("svibnja", 5),
    ("lipnja", 6),
    ("srpnja", 7),
    ("kolovoza", 8),
    ("rujna", 9),
    ("listopada", 10),
    ("studenoga", 11),
    ("prosinca", 12),
    // Serbian / Macedonian / Bulgarian (Cyrillic)
    ("јануар", 1),
    ("фебруар", 2),
    ("април", 4),
    ("мај", 5),
    ("јун", 6),
    ("јул", 7),
    ("октобар", 10),
    ("новембар", 11),
    ("децембар", 12),
    ("јануари", 1),
    ("февруари", 2),
    ("јуни", 6),
    ("јули", 7),
    ("септември", 9),
    ("октомври", 10),
    ("ноември", 11),
    ("декември", 12),
    ("януари", 1),
    ("юни", 6),
    ("юли", 7),
    // Albanian
    ("janar", 1),
    ("shkurt", 2),
    ("mars", 3),
    ("prill", 4),
    ("qershor", 6),
    ("korrik", 7),
    ("gusht", 8),
    ("shtator", 9),
    ("tetor", 10),
    ("nëntor", 11),
    ("dhjetor", 12),
    // Hungarian
    ("január", 1),
    ("február", 2),
    ("március", 3),
    ("április", 4),
    ("május", 5),
    ("június", 6),
    ("július", 7),
    ("augusztus", 8),
    ("szeptember", 9),
    ("október", 10),
    // Kazakh / Kyrgyz / Tatar (Cyrillic)
    ("қаңтар", 1),
    ("ақпан", 2),
    ("наурыз", 3),
    ("сәуір", 4),
    ("мамыр", 5),
    ("маусым", 6),
    ("шілде", 7),
    ("тамыз", 8),
    ("қыркүйек", 9),
    ("қазан", 10),
    ("қараша", 11),
    ("желтоқсан", 12),
    // Azerbaijani, Turkmen, Uzbek (Latin)
    ("yanvar", 1),
    ("fevral", 2),
    ("aprel", 4),
    ("iyun", 6),
    ("iyul", 7),
    ("sentyabr", 9),
    ("oktyabr", 10),
    ("noyabr", 11),
    ("dekabr", 12),
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    if w.is_empty() {
        return None;
    }
    MONTHS.iter().find(|(name, _)| *name == w).map(|&(_, m)| m).or_else(|| {
        // An abbreviation of at least four letters (`sept`, `janv`, `нояб`).
        (w.chars().count() >= 4).then(|| MONTHS.iter().find(|(name, _)| name.starts_with(&w)).map(|&(_, m)| m))?
    })
}

/// A line that is only a date: `January 01, 2024 11:02 GMT`, `1 января 2024, 11:02`, `18.11.2019 20:28`,
/// `18 listopada 2019. godine`. Words other than the date parts (`года`, `г.`, `godine`, `GMT`, `UTC`, a
/// weekday) are allowed only at the ends and in small number, so a body sentence with a date in it is not
/// taken for a date line.
pub fn parse_date_line(line: &str) -> Option<i64> {
    let tokens: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c == ',' || c == '|')
        .map(|t| t.trim_matches(|c: char| c == '(' || c == ')'))
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() || tokens.len() > 8 {
        return None;
    }
    let (mut day, mut month, mut year, mut time) = (None, None, None, None);
    let mut other = 0;
    for t in &tokens {
        let bare = t.trim_end_matches('.');
        if let Some((h, m)) = bare.split_once(':') {
            let (Ok(h), Ok(m)) = (h.parse::<u32>(), m.get(..2).unwrap_or(m).parse::<u32>()) else { return None };
            time = NaiveTime::from_hms_opt(h, m, 0);
            time?;
        } else if bare.split('.').count() == 3 && bare.split('.').all(|p| p.parse::<u32>().is_ok()) {
            let p: Vec<u32> = bare.split('.').map(|p| p.parse().unwrap_or(0)).collect();
            (day, month, year) = (Some(p[0]), Some(p[1]), Some(p[2] as i32));
        } else if let Ok(n) = bare.parse::<u32>() {
            if n >= 1000 && year.is_none() {
                year = Some(n as i32);
            } else if (1..=31).contains(&n) && day.is_none() {
                day = Some(n);
            } else {
                return None;
            }
        } else if let Some(m) = month_of(bare) {
            if month.is_some() {
                return None;
            }
            month = Some(m);
        } else {
            other += 1;
        }
    }
    let (Some(d), Some(m), Some(y)) = (day, month, year) else { return None };
    if other > 2 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y, m, d)?;
    plausible(date.and_time(time.unwrap_or(NaiveTime::MIN)).and_utc().timestamp_micros())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, mo, d).unwrap().and_hms_opt(h, mi, 0).unwrap().and_utc().timestamp_micros()
    }

    #[test]
    fn iso_forms_with_and_without_offsets() {
        assert_eq!(parse_datetime("2024-01-01T11:02:00+00:00"), Some(at(2024, 1, 1, 11, 2)));
        assert_eq!(parse_datetime("2024-01-01T14:02:00+03:00"), Some(at(2024, 1, 1, 11, 2)));
        assert_eq!(parse_datetime("2024-01-01T11:02:00Z"), Some(at(2024, 1, 1, 11, 2)));
        assert_eq!(parse_datetime("2024-01-01 11:02"), Some(at(2024, 1, 1, 11, 2)));
        assert_eq!(parse_datetime("2024-01-01T06:02:00-0500"), Some(at(2024, 1, 1, 11, 2)));
        assert_eq!(parse_datetime("2019-11-19 14:42:55Z"), Some(at(2019, 11, 19, 14, 42) + 55_000_000));
        assert_eq!(parse_datetime("2024-01-01"), Some(at(2024, 1, 1, 0, 0)));
    }

    #[test]
    fn placeholders_and_junk_are_not_dates() {
        assert_eq!(parse_datetime("0001-01-01 00:00:00Z"), None);
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime("2024"), None);
        assert_eq!(parse_datetime(""), None);
    }

    #[test]
    fn epoch_seconds_millis_and_micros() {
        let t = at(2024, 1, 1, 11, 2);
        assert_eq!(parse_datetime(&(t / 1_000_000).to_string()), Some(t));
        assert_eq!(parse_datetime(&(t / 1000).to_string()), Some(t));
        assert_eq!(parse_datetime(&t.to_string()), Some(t));
    }

    #[test]
    fn http_dates() {
        assert_eq!(parse_datetime("Mon, 18 Nov 2019 20:28:00 GMT"), Some(at(2019, 11, 18, 20, 28)));
    }

    #[test]
    fn localised_date_lines() {
        assert_eq!(parse_date_line("January 01, 2024 11:02 GMT"), Some(at(2024, 1, 1, 11, 2)));
        assert_eq!(parse_date_line("1 января 2024, 11:02"), Some(at(2024, 1, 1, 11, 2)));
        assert_eq!(parse_date_line("18. studenoga 2019."), Some(at(2019, 11, 18, 0, 0)));
        assert_eq!(parse_date_line("3 травня 2023 року"), Some(at(2023, 5, 3, 0, 0)));
        assert_eq!(parse_date_line("18.11.2019 20:28"), Some(at(2019, 11, 18, 20, 28)));
        assert_eq!(parse_date_line("12 qershor 2022"), Some(at(2022, 6, 12, 0, 0)));
    }

    #[test]
    fn sentences_with_dates_are_not_date_lines() {
        assert_eq!(parse_date_line("Heavy rain closed 14 roads in the Osh region on May 3, officials said."), None);
        assert_eq!(parse_date_line("May 2024"), None);
        assert_eq!(parse_date_line("31 February 2024"), None);
    }
}
