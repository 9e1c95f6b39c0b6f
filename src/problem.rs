//! Problems found in the returns: data, not errors. Each carries a severity, a stable code, and
//! where it is (unit, file, sheet, cell), a Chinese message and, where one exists, the fix.
//! The codes are documented in `docs/codes.md`.

use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Severity {
    /// 错误: the row or the file does not score.
    #[serde(rename = "错误")]
    Error,
    /// 警告: it scores and is flagged.
    #[serde(rename = "警告")]
    Warning,
    /// 提示: information.
    #[serde(rename = "提示")]
    Info,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Stable problem codes. `F…` concern a file, `R…` a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Code {
    F01Ignored,
    F02Encrypted,
    F03NotSpreadsheet,
    F04Corrupt,
    F05TooLarge,
    F06Crashed,
    F07Empty,
    F08NoTable,
    F09UnitUnknown,
    F10QuarterMismatch,
    F11OldTemplate,
    F12NoFiledDate,
    F13Late,
    F14Superseded,
    F15Truncated,
    F16MissingColumns,
    F17BadFiledDate,
    F18UnitFromFileName,
    R01MissingField,
    R02BadDate,
    R03AfterDeadline,
    R04OutsideWindow,
    R05AfterFiled,
    R06CarriedOver,
    R07Unlisted,
    R08DeclaredParty,
    R09NearMiss,
    R10CategoryMismatch,
    R11BadCategory,
    R12NoSignoff,
    R13Duplicate,
    R14MultiSubmit,
    R15CategoryConfusion,
    R16CrossUnit,
    R17BadDeclaredKind,
}

impl Code {
    /// The code as shown: `R02`.
    pub fn id(self) -> String {
        let s = format!("{self:?}");
        s[..3].to_string()
    }
}

impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Problem", 8)?;
        st.serialize_field("severity", &self.severity)?;
        st.serialize_field("code", &self.code.id())?;
        st.serialize_field("unit", &self.unit)?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("sheet", &self.sheet)?;
        st.serialize_field("cell", &self.cell)?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("fix", &self.fix)?;
        st.end()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub code: Code,
    pub unit: Option<String>,
    pub file: String,
    pub sheet: Option<String>,
    /// A1 reference, e.g. `F12`.
    pub cell: Option<String>,
    pub message: String,
    pub fix: Option<String>,
}

impl Problem {
    pub fn new(severity: Severity, code: Code, file: &str, message: impl Into<String>) -> Problem {
        Problem {
            severity,
            code,
            unit: None,
            file: file.to_string(),
            sheet: None,
            cell: None,
            message: message.into(),
            fix: None,
        }
    }

    pub fn at(mut self, sheet: &str, cell: impl Into<String>) -> Problem {
        self.sheet = Some(sheet.to_string());
        self.cell = Some(cell.into());
        self
    }

    pub fn in_sheet(mut self, sheet: &str) -> Problem {
        self.sheet = Some(sheet.to_string());
        self
    }

    pub fn fix(mut self, fix: impl Into<String>) -> Problem {
        self.fix = Some(fix.into());
        self
    }

    pub fn unit(mut self, unit: Option<&str>) -> Problem {
        self.unit = unit.map(str::to_string);
        self
    }

    /// `稿件明细!F12`, or the sheet alone, or nothing.
    pub fn location(&self) -> String {
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => s.clone(),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_and_stable() {
        assert_eq!(Code::F01Ignored.id(), "F01");
        assert_eq!(Code::R13Duplicate.id(), "R13");
        let p =
            Problem::new(Severity::Error, Code::R02BadDate, "a.xlsx", "x").at("稿件明细", "F12");
        assert_eq!(p.location(), "稿件明细!F12");
        let j = serde_json::to_value(&p).unwrap();
        assert_eq!(j["code"], "R02");
        assert_eq!(j["severity"], "错误");
    }
}
