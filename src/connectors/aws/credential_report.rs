//! The IAM credential report (`aws iam get-credential-report`, base64-decoded CSV): one row per
//! user plus `<root_account>`, with password and access-key dates the authorization details do
//! not carry. Values such as `N/A`, `not_supported` and `no_information` mean "no date".
//!
//! A malformed row is a note naming the line and is skipped; a file without the `user` and `arn`
//! columns is not a credential report and is an error, as is a quote never closed (it would
//! swallow the rest of the file). RFC 4180 parsing itself is the `csv` crate's.

use crate::inventory::Note;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::io::Read;

/// The row name AWS gives the account's root user.
pub const ROOT_ROW: &str = "<root_account>";

/// One key slot (`access_key_1_…`, `access_key_2_…`) of a report row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeySlot {
    pub active: bool,
    pub last_rotated: Option<DateTime<Utc>>,
    pub last_used: Option<DateTime<Utc>>,
    pub last_used_region: Option<String>,
    pub last_used_service: Option<String>,
}

impl KeySlot {
    /// A slot describes a key when it is active or carries a rotation date (inactive key).
    pub fn exists(&self) -> bool {
        self.active || self.last_rotated.is_some()
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportRow {
    /// 1-based line in the CSV.
    pub line: usize,
    pub user: String,
    pub arn: String,
    pub created: Option<DateTime<Utc>>,
    pub password_enabled: bool,
    pub password_last_used: Option<DateTime<Utc>>,
    pub password_last_changed: Option<DateTime<Utc>>,
    pub mfa_active: bool,
    pub keys: [KeySlot; 2],
    /// X.509 signing certificates: (active, last rotated).
    pub certs: [(bool, Option<DateTime<Utc>>); 2],
}

/// Appended after the text: a record the csv reader yields only if every quote before it was
/// closed. An unclosed quote swallows it into the quoted field, which is how that is detected
/// (the reader itself accepts an unclosed quote and runs the field to the end of the input).
const END_MARK: &str = "\n<nhiscan:end-of-credential-report>\n";
const END_FIELD: &str = "<nhiscan:end-of-credential-report>";

/// Parse a report. `source` names the file (or API call) in errors and notes. Bytes: a row
/// that is not UTF-8 is skipped with a note naming its line, the rest of the report is read.
pub fn parse(text: &[u8], source: &str, notes: &mut Vec<Note>) -> anyhow::Result<Vec<ReportRow>> {
    let body = text.strip_prefix("\u{feff}".as_bytes()).unwrap_or(text);
    let input = body.chain(END_MARK.as_bytes());
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        // Rows of the wrong width are read and reported as notes below, not read errors.
        .flexible(true)
        .from_reader(input);
    let malformed = |line: u64, msg: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "{source}:{line}: malformed CSV: {} (expected an IAM credential report)",
            crate::parse_note::problem(&msg.to_string())
        )
    };
    let header = reader
        .headers()
        .map_err(|e| malformed(line_of_error(&e), &e))?
        .clone();
    let is_end = |r: &csv::StringRecord| r.len() == 1 && &r[0] == END_FIELD;
    if is_end(&header) {
        anyhow::bail!("{source}: empty file (expected an IAM credential report CSV)");
    }
    let mut records = Vec::new();
    let mut closed = false;
    for record in reader.records() {
        match record {
            Ok(r) if is_end(&r) => {
                closed = true;
                break;
            }
            Ok(r) => records.push(r),
            Err(e) => notes.push(Note::warning(
                format!("{source}:{}", line_of_error(&e)),
                format!("credential report row unreadable ({e}); row skipped"),
            )),
        }
    }
    if !closed {
        let line = records.last().map_or(1, |r| line_of(body, r));
        return Err(malformed(line, &"a quoted field is never closed"));
    }
    let col: BTreeMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    for required in ["user", "arn"] {
        if !col.contains_key(required) {
            anyhow::bail!(
                "{source}:{}: no `{required}` column: this is not an IAM credential report \
                 (get it with `aws iam get-credential-report --query Content --output text | base64 -d`)",
                line_of(body, &header)
            );
        }
    }
    let mut rows = Vec::new();
    for fields in &records {
        let line = line_of(body, fields);
        if fields.len() == 1 && fields[0].trim().is_empty() {
            continue;
        }
        if fields.len() != header.len() {
            notes.push(Note::warning(
                format!("{source}:{line}"),
                format!(
                    "credential report row has {} fields, the header has {}; row skipped",
                    fields.len(),
                    header.len()
                ),
            ));
            continue;
        }
        let get = |name: &str| col.get(name).map(|&i| fields[i].trim()).unwrap_or("");
        let mut bad = Vec::new();
        let mut date = |name: &str| {
            let v = get(name);
            match parse_date(v) {
                Ok(d) => d,
                Err(()) => {
                    bad.push(format!("{name}={v:?}"));
                    None
                }
            }
        };
        let slot = |n: u8, date: &mut dyn FnMut(&str) -> Option<DateTime<Utc>>| KeySlot {
            active: get(&format!("access_key_{n}_active")) == "true",
            last_rotated: date(&format!("access_key_{n}_last_rotated")),
            last_used: date(&format!("access_key_{n}_last_used_date")),
            last_used_region: value(get(&format!("access_key_{n}_last_used_region"))),
            last_used_service: value(get(&format!("access_key_{n}_last_used_service"))),
        };
        let row = ReportRow {
            line: line as usize,
            user: get("user").to_string(),
            arn: get("arn").to_string(),
            created: date("user_creation_time"),
            password_enabled: get("password_enabled") == "true",
            password_last_used: date("password_last_used"),
            password_last_changed: date("password_last_changed"),
            mfa_active: get("mfa_active") == "true",
            keys: [slot(1, &mut date), slot(2, &mut date)],
            certs: [
                (get("cert_1_active") == "true", date("cert_1_last_rotated")),
                (get("cert_2_active") == "true", date("cert_2_last_rotated")),
            ],
        };
        if !bad.is_empty() {
            notes.push(Note::warning(
                format!("{source}:{line}"),
                format!("unreadable dates ignored: {}", bad.join(", ")),
            ));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// `N/A`, `not_supported`, `no_information` and empty mean "none"; anything else must be an
/// RFC 3339 time.
fn parse_date(v: &str) -> Result<Option<DateTime<Utc>>, ()> {
    if value(v).is_none() {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(v)
        .map(|d| Some(d.with_timezone(&Utc)))
        .map_err(|_| ())
}

fn value(v: &str) -> Option<String> {
    match v {
        "" | "N/A" | "not_supported" | "no_information" => None,
        v => Some(v.to_string()),
    }
}

/// The 1-based line a record starts on. The reader stamps a record with where it stood when it
/// began reading, which can be before the `\n` of a CRLF or before blank lines: step over those.
fn line_of(body: &[u8], r: &csv::StringRecord) -> u64 {
    let Some(pos) = r.position() else { return 1 };
    let skipped = body
        .get(pos.byte() as usize..)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .filter(|&&b| b == b'\n')
        .count();
    pos.line() + skipped as u64
}

fn line_of_error(e: &csv::Error) -> u64 {
    e.position().map_or(1, csv::Position::line)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn root_and_user_rows_with_placeholders() {
        let text = format!(
            "{HEADER}\n<root_account>,arn:aws:iam::123456789012:root,2019-01-01T00:00:00+00:00,not_supported,2024-01-01T00:00:00+00:00,not_supported,not_supported,true,true,2019-02-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             ci,arn:aws:iam::123456789012:user/ci,2020-01-01T00:00:00+00:00,false,no_information,N/A,N/A,false,true,2020-01-02T00:00:00+00:00,2024-05-01T10:00:00+00:00,us-east-1,s3,true,2021-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let mut notes = vec![];
        let rows = parse(text.as_bytes(), "r.csv", &mut notes).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].user, ROOT_ROW);
        assert!(rows[0].keys[0].active && rows[0].keys[0].last_used.is_none());
        assert!(!rows[0].password_enabled);
        assert_eq!(rows[1].line, 3);
        assert_eq!(rows[1].keys[0].last_used_service.as_deref(), Some("s3"));
        assert!(rows[1].keys[1].active && rows[1].keys[1].last_used.is_none());
    }

    #[test]
    fn short_row_is_a_note_and_bad_date_is_a_note() {
        let text = format!(
            "{HEADER}\nshort,arn\nx,arn:aws:iam::1:user/x,yesterday,false,N/A,N/A,N/A,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let mut notes = vec![];
        let rows = parse(text.as_bytes(), "r.csv", &mut notes).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(notes.len(), 2);
        assert_eq!(notes[0].subject, "r.csv:2");
        assert!(notes[1].message.contains("user_creation_time"));
    }

    #[test]
    fn quoted_fields_crlf_bom_and_unterminated_quote() {
        let text = "\u{feff}user,arn,mfa_active\r\n\"a,b\",\"arn:aws:iam::1:user/\"\"q\"\"\",true\r\n\r\nc,arn:aws:iam::1:user/c,false";
        let mut notes = vec![];
        let rows = parse(text.as_bytes(), "r.csv", &mut notes).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].user, "a,b");
        assert_eq!(rows[0].arn, "arn:aws:iam::1:user/\"q\"");
        assert!(rows[0].mfa_active && !rows[1].mfa_active);
        assert_eq!((rows[0].line, rows[1].line), (2, 4));

        let e = parse("user,arn\nc,arn\nd,\"e\n".as_bytes(), "r.csv", &mut notes).unwrap_err();
        assert!(e.to_string().starts_with("r.csv:3: malformed CSV"), "{e}");
        let e = parse("user,\"arn\nc,arn\n".as_bytes(), "r.csv", &mut notes).unwrap_err();
        assert!(e.to_string().starts_with("r.csv:1: malformed CSV"), "{e}");
        let e = parse("".as_bytes(), "r.csv", &mut notes).unwrap_err();
        assert!(e.to_string().contains("empty file"), "{e}");
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn a_row_that_is_not_utf8_is_skipped_with_a_note() {
        let mut text = b"user,arn,mfa_active\nok,arn:aws:iam::1:user/ok,true\n".to_vec();
        text.extend_from_slice(b"bad\xff\xfe,arn:aws:iam::1:user/bad,true\n");
        text.extend_from_slice(b"next,arn:aws:iam::1:user/next,false\n");
        let mut notes = vec![];
        let rows = parse(&text, "r.csv", &mut notes).unwrap();
        let users: Vec<&str> = rows.iter().map(|r| r.user.as_str()).collect();
        assert_eq!(users, ["ok", "next"]);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].subject, "r.csv:3");
        assert!(
            notes[0].message.contains("row skipped"),
            "{}",
            notes[0].message
        );
    }

    #[test]
    fn not_a_report() {
        let mut notes = vec![];
        let e = parse("name,value\na,b\n".as_bytes(), "x.csv", &mut notes).unwrap_err();
        assert!(e.to_string().contains("x.csv:1"), "{e}");
    }
}
