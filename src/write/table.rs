//! A table as typed columns: one description that both the CSV and the Parquet writer read.

/// The values of one column. Empty strings and `None` are both written as an empty CSV cell; in Parquet
/// only `None` is null.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    Str(Vec<String>),
    OptStr(Vec<Option<String>>),
    I64(Vec<i64>),
    U64(Vec<u64>),
    OptU64(Vec<Option<u64>>),
    F64(Vec<f64>),
    /// `true` / `false` in CSV (what DuckDB, pandas, polars and Spark read as booleans).
    Bool(Vec<bool>),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(Vec<Option<i64>>),
}

impl Values {
    pub fn len(&self) -> usize {
        match self {
            Values::Str(v) => v.len(),
            Values::OptStr(v) => v.len(),
            Values::I64(v) => v.len(),
            Values::U64(v) => v.len(),
            Values::OptU64(v) => v.len(),
            Values::F64(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Timestamp(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The CSV text of row `i`.
    pub fn cell(&self, i: usize) -> String {
        match self {
            Values::Str(v) => v[i].clone(),
            Values::OptStr(v) => v[i].clone().unwrap_or_default(),
            Values::I64(v) => v[i].to_string(),
            Values::U64(v) => v[i].to_string(),
            Values::OptU64(v) => v[i].map(|x| x.to_string()).unwrap_or_default(),
            Values::F64(v) => format_float(v[i]),
            Values::Bool(v) => v[i].to_string(),
            Values::Timestamp(v) => v[i].map(format_timestamp).unwrap_or_default(),
        }
    }
}

/// Floats are written with at most 4 decimals and no trailing zeros, so CSV bytes never depend on the
/// last bits of a float.
pub fn format_float(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// ISO 8601 UTC with a `Z`, to the second unless there are sub-second digits.
pub fn format_timestamp(micros: i64) -> String {
    match chrono::DateTime::from_timestamp_micros(micros) {
        Some(t) if micros % 1_000_000 == 0 => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string(),
        None => String::new(),
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: &'static str,
    pub values: Values,
}

impl Column {
    pub fn new(name: &'static str, values: Values) -> Self {
        Column { name, values }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub name: &'static str,
    pub columns: Vec<Column>,
}

impl Table {
    /// A table; every column must have the same length (a programming error otherwise).
    pub fn new(name: &'static str, columns: Vec<Column>) -> Self {
        let n = columns.first().map(|c| c.values.len()).unwrap_or(0);
        assert!(columns.iter().all(|c| c.values.len() == n), "columns of table {name} differ in length");
        Table { name, columns }
    }

    pub fn len(&self) -> usize {
        self.columns.first().map(|c| c.values.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_and_times_have_one_text_form() {
        assert_eq!(format_float(0.30000000000000004), "0.3");
        assert_eq!(format_float(1.0), "1");
        assert_eq!(format_float(-0.00001), "0");
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(1_500_000), "1970-01-01T00:00:01.500000Z");
    }
}
