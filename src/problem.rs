//! Problems found in the returns: data, not errors. Each carries a severity, a stable code, and
//! where it is (unit, file, sheet, cell), a Chinese message and, where one exists, the fix.
//! The codes are documented in `docs/codes.md`.

use compact_str::CompactString;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

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

/// Stable problem codes. `F…` concern a file, `R…` a row, `D…` the office's review decisions.
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
    F19CopyUnmatched,
    F20WpsFormat,
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
    R18EarlierQuarter,
    R19NoCopy,
    D01BadDecision,
    D02Unmatched,
    D03NotApplied,
    D04NotTaken,
    D05Restored,
    D06Conflict,
    D07OutletRuling,
}

impl Code {
    pub const ALL: [Code; 46] = [
        Code::F01Ignored,
        Code::F02Encrypted,
        Code::F03NotSpreadsheet,
        Code::F04Corrupt,
        Code::F05TooLarge,
        Code::F06Crashed,
        Code::F07Empty,
        Code::F08NoTable,
        Code::F09UnitUnknown,
        Code::F10QuarterMismatch,
        Code::F11OldTemplate,
        Code::F12NoFiledDate,
        Code::F13Late,
        Code::F14Superseded,
        Code::F15Truncated,
        Code::F16MissingColumns,
        Code::F17BadFiledDate,
        Code::F18UnitFromFileName,
        Code::F19CopyUnmatched,
        Code::F20WpsFormat,
        Code::R01MissingField,
        Code::R02BadDate,
        Code::R03AfterDeadline,
        Code::R04OutsideWindow,
        Code::R05AfterFiled,
        Code::R06CarriedOver,
        Code::R07Unlisted,
        Code::R08DeclaredParty,
        Code::R09NearMiss,
        Code::R10CategoryMismatch,
        Code::R11BadCategory,
        Code::R12NoSignoff,
        Code::R13Duplicate,
        Code::R14MultiSubmit,
        Code::R15CategoryConfusion,
        Code::R16CrossUnit,
        Code::R17BadDeclaredKind,
        Code::R18EarlierQuarter,
        Code::R19NoCopy,
        Code::D01BadDecision,
        Code::D02Unmatched,
        Code::D03NotApplied,
        Code::D04NotTaken,
        Code::D05Restored,
        Code::D06Conflict,
        Code::D07OutletRuling,
    ];

    /// A short Chinese name of the problem, as listed in the README.
    pub fn title(self) -> &'static str {
        match self {
            Code::F01Ignored => "文件未读取（不是报送表格式）",
            Code::F02Encrypted => "文件有打开密码",
            Code::F03NotSpreadsheet => "不是电子表格",
            Code::F04Corrupt => "文件损坏或不完整",
            Code::F05TooLarge => "文件过大或疑似压缩炸弹",
            Code::F06Crashed => "读取时超时、内存不足或异常终止",
            Code::F07Empty => "空文件",
            Code::F08NoTable => "找不到稿件明细表",
            Code::F09UnitUnknown => "无法识别报送单位",
            Code::F10QuarterMismatch => "报送季度不符或未填写",
            Code::F11OldTemplate => "使用了其他季度或旧版本的模板",
            Code::F12NoFiledDate => "未填写填报日期",
            Code::F13Late => "逾期报送",
            Code::F14Superseded => "同一单位有较新的文件，本文件不计入",
            Code::F15Truncated => "超出读取范围的单元格未读取",
            Code::F16MissingColumns => "缺少必需的列",
            Code::F17BadFiledDate => "填报日期无法识别",
            Code::F18UnitFromFileName => "按文件名识别报送单位",
            Code::F19CopyUnmatched => "稿件复印件没有对应到任何稿件",
            Code::F20WpsFormat => "WPS 表格文件（.et/.ett），已按其内容读取",
            Code::R01MissingField => "缺少稿件类别、标题、刊发媒体或刊发日期",
            Code::R02BadDate => "刊发日期无法识别",
            Code::R03AfterDeadline => "刊发日期在截止日之后（属于下季度）",
            Code::R04OutsideWindow => "刊发日期不在报送范围内",
            Code::R05AfterFiled => "刊发日期晚于填报日期",
            Code::R06CarriedOver => "补报（上季度截止后刊发），计分但不计入任务",
            Code::R07Unlisted => "名单外媒体，按三级计分",
            Code::R08DeclaredParty => "名单外媒体声明为市级以上党委政府媒体，暂按二级，待核",
            Code::R09NearMiss => "媒体名称与名单中某媒体相近，待核",
            Code::R10CategoryMismatch => "稿件类别与媒体类型不符",
            Code::R11BadCategory => "稿件类别无法识别",
            Code::R12NoSignoff => "缺少审核人或签发人",
            Code::R13Duplicate => "重复报送（同一媒体）",
            Code::R14MultiSubmit => "一稿多投（多个媒体）",
            Code::R15CategoryConfusion => "类别混淆（同一稿件既报政务信息又报宣传报道）",
            Code::R16CrossUnit => "跨单位重复，待核",
            Code::R17BadDeclaredKind => "媒体类别无法识别",
            Code::R18EarlierQuarter => "往季已计分的稿件（跨季度重复），待核",
            Code::R19NoCopy => "计分的稿件没有收到复印件",
            Code::D01BadDecision => "复核决定无法识别，未应用",
            Code::D02Unmatched => "复核决定找不到对应的稿件（未匹配）",
            Code::D03NotApplied => "复核决定未应用（该行按规则不计分或为重复稿件）",
            Code::D04NotTaken => {
                "汇总表中填写的复核决定未采用（较早的副本、多处填写不一致或无法判断）"
            }
            Code::D05Restored => "复核记录中缺少的复核决定已从汇总表恢复",
            Code::D06Conflict => "复核记录中同一行有相互矛盾的决定",
            Code::D07OutletRuling => {
                "媒体认定未应用（所指媒体不在名单中，或同一媒体有相互矛盾的认定）"
            }
        }
    }

    /// Problems about the office's review decisions (D…), for the office's outputs only.
    pub fn is_office_only(self) -> bool {
        matches!(
            self,
            Code::D01BadDecision
                | Code::D02Unmatched
                | Code::D03NotApplied
                | Code::D04NotTaken
                | Code::D05Restored
                | Code::D06Conflict
                | Code::D07OutletRuling
        )
    }

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
        st.serialize_field("unit", &self.unit_name())?;
        st.serialize_field("file", self.file())?;
        st.serialize_field("sheet", &self.sheet())?;
        st.serialize_field("cell", &self.cell.as_deref())?;
        st.serialize_field("message", &*self.message)?;
        st.serialize_field("fix", &self.fix.as_deref())?;
        st.end()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub code: Code,
    /// The unit, file and sheet, shared by the many problems of one return (a large quarter
    /// has over a million problems; a copy of each name in each was a tenth of the run's
    /// memory, three shared names each still 48 bytes).
    place: Arc<Place>,
    /// A1 reference, e.g. `F12` (short: kept without a heap allocation).
    pub cell: Option<CompactString>,
    /// Fixed texts (a row without a copy, the commonest problem) are borrowed.
    pub message: Text,
    /// What the unit should do (shown in `check`, the 回执 and the 汇总表); most are fixed
    /// texts, borrowed rather than copied into each of a large quarter's problems.
    pub fix: Option<Text>,
    /// What the office should do instead, where it differs (shown only in the 汇总表): units
    /// have no 复核决定 column and must not be told to fill it in.
    pub office_fix: Option<Text>,
}

/// Where problems are: the unit (when known), the file and the sheet. Made once per return
/// for validation's problems and once per unit's sheet for R19's, and shared by them; the few
/// other problems each make their own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub unit: Option<Arc<str>>,
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
}

/// A problem's text: a fixed one borrowed, or one made at run time and shared by the
/// problems that say the same (a return's rows naming the same unlisted outlet all get the
/// same message and advice; a large quarter has a hundred thousand of them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Text {
    Fixed(&'static str),
    Made(Arc<str>),
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Text::Fixed(s) => s,
            Text::Made(s) => s,
        }
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl From<&'static str> for Text {
    fn from(s: &'static str) -> Text {
        Text::Fixed(s)
    }
}

impl From<String> for Text {
    /// A message made of what files said: without invisible controls (see `text::visible`).
    fn from(s: String) -> Text {
        match crate::text::visible(&s) {
            Cow::Borrowed(_) => Text::Made(Arc::from(s)),
            Cow::Owned(clean) => Text::Made(Arc::from(clean)),
        }
    }
}

impl From<Arc<str>> for Text {
    fn from(s: Arc<str>) -> Text {
        Text::Made(s)
    }
}

impl From<Cow<'static, str>> for Text {
    fn from(s: Cow<'static, str>) -> Text {
        match s {
            Cow::Borrowed(s) => Text::Fixed(s),
            Cow::Owned(s) => s.into(),
        }
    }
}

/// The texts made for one return's problems, each kept once (see [`Text`]).
#[derive(Default)]
pub struct Texts(std::collections::HashSet<Arc<str>>);

impl Texts {
    /// `s` as a text, shared with an equal one made before.
    pub fn share(&mut self, s: Cow<'static, str>) -> Text {
        match s {
            Cow::Borrowed(s) => Text::Fixed(s),
            Cow::Owned(s) => match self.0.get(s.as_str()) {
                Some(t) => Text::Made(t.clone()),
                None => {
                    let t: Arc<str> = Arc::from(s);
                    self.0.insert(t.clone());
                    Text::Made(t)
                }
            },
        }
    }
}

/// A name a problem keeps: shared when the caller holds it shared already.
pub trait IntoShared {
    fn into_shared(self) -> Arc<str>;
}

impl IntoShared for &str {
    fn into_shared(self) -> Arc<str> {
        Arc::from(self)
    }
}

impl IntoShared for &String {
    fn into_shared(self) -> Arc<str> {
        Arc::from(self.as_str())
    }
}

impl IntoShared for String {
    fn into_shared(self) -> Arc<str> {
        Arc::from(self)
    }
}

impl IntoShared for &Arc<str> {
    fn into_shared(self) -> Arc<str> {
        self.clone()
    }
}

impl IntoShared for Arc<str> {
    fn into_shared(self) -> Arc<str> {
        self
    }
}

impl Problem {
    pub fn new(
        severity: Severity,
        code: Code,
        file: impl IntoShared,
        message: impl Into<Text>,
    ) -> Problem {
        let file = file.into_shared();
        let file = match crate::text::visible(&file) {
            Cow::Borrowed(_) => file,
            Cow::Owned(clean) => Arc::from(clean),
        };
        let place = Place {
            unit: None,
            file,
            sheet: None,
        };
        Problem::placed(severity, code, &Arc::new(place), message)
    }

    /// A problem at a place already shared by others (see [`Place`]).
    pub fn placed(
        severity: Severity,
        code: Code,
        place: &Arc<Place>,
        message: impl Into<Text>,
    ) -> Problem {
        Problem {
            severity,
            code,
            place: place.clone(),
            cell: None,
            message: message.into(),
            fix: None,
            office_fix: None,
        }
    }

    pub fn at(mut self, sheet: impl IntoShared, cell: impl Into<CompactString>) -> Problem {
        Arc::make_mut(&mut self.place).sheet = Some(sheet.into_shared());
        self.cell = Some(cell.into());
        self
    }

    /// The cell, in the sheet the place names.
    pub fn at_cell(mut self, cell: impl Into<CompactString>) -> Problem {
        self.cell = Some(cell.into());
        self
    }

    pub fn in_sheet(mut self, sheet: impl IntoShared) -> Problem {
        Arc::make_mut(&mut self.place).sheet = Some(sheet.into_shared());
        self
    }

    pub fn fix(mut self, fix: impl Into<Text>) -> Problem {
        self.fix = Some(fix.into());
        self
    }

    pub fn office_fix(mut self, fix: impl Into<Text>) -> Problem {
        self.office_fix = Some(fix.into());
        self
    }

    pub fn unit(mut self, unit: Option<impl IntoShared>) -> Problem {
        Arc::make_mut(&mut self.place).unit = unit.map(IntoShared::into_shared);
        self
    }

    /// The unit the problem belongs to, when known.
    pub fn unit_name(&self) -> Option<&str> {
        self.place.unit.as_deref()
    }

    /// The file, as shown.
    pub fn file(&self) -> &str {
        &self.place.file
    }

    /// The file shown instead (a return's path shortened for display).
    pub fn set_file(&mut self, file: impl IntoShared) {
        Arc::make_mut(&mut self.place).file = file.into_shared();
    }

    pub fn sheet(&self) -> Option<&str> {
        self.place.sheet.as_deref()
    }

    /// `稿件明细!F12`, or the sheet alone, or nothing.
    pub fn location(&self) -> String {
        match (&self.place.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => s.to_string(),
            _ => String::new(),
        }
    }
}

/// What kind of I/O failure it was, in Chinese only (no OS text, no temporary paths).
pub fn io_kind(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    if crate::files::not_regular(e).is_some() {
        return "不是普通文件";
    }
    match e.kind() {
        ErrorKind::PermissionDenied => "没有写入权限",
        ErrorKind::NotFound => "找不到该位置",
        ErrorKind::ReadOnlyFilesystem => "磁盘是只读的",
        ErrorKind::StorageFull => "磁盘已满",
        ErrorKind::ResourceBusy => "正被其他程序使用",
        _ => "系统拒绝写入",
    }
}

/// An I/O error in words the clerk understands. The system's own text (English, or "Access
/// denied. (os error 5)" on Windows) is kept only for errors without words of their own.
pub fn io_reason(e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    if let Some(what) = crate::files::not_regular(e) {
        return what;
    }
    let what = match e.kind() {
        ErrorKind::PermissionDenied => "没有权限",
        ErrorKind::NotFound => "找不到",
        ErrorKind::AlreadyExists => "已存在",
        ErrorKind::ReadOnlyFilesystem => "磁盘只读",
        ErrorKind::StorageFull => "磁盘已满",
        ErrorKind::ResourceBusy => "正被其他程序使用",
        ErrorKind::InvalidData | ErrorKind::UnexpectedEof => "内容不完整或已损坏",
        ErrorKind::TimedOut => "等待超时",
        ErrorKind::Interrupted => "被中断",
        _ => {
            return match e.raw_os_error() {
                Some(code) => format!("系统错误（代码 {code}）"),
                None => "系统错误".into(),
            }
        }
    };
    what.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_documents_every_code() {
        let readme = include_str!("../README.md");
        for c in Code::ALL {
            let line = format!("| {} | {} |", c.id(), c.title());
            assert!(readme.contains(&line), "README lacks the row: {line}");
        }
        let mut ids: Vec<String> = Code::ALL.iter().map(|c| c.id()).collect();
        ids.dedup();
        assert_eq!(ids.len(), Code::ALL.len(), "codes are unique");
    }

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

    #[test]
    fn equal_texts_are_kept_once() {
        let mut texts = Texts::default();
        let a = texts.share(format!("“{}”不在媒体名单中", "城市晚报").into());
        let b = texts.share(format!("“{}”不在媒体名单中", "城市晚报").into());
        let c = texts.share(format!("“{}”不在媒体名单中", "乡村晚报").into());
        let (Text::Made(a), Text::Made(b), Text::Made(c)) = (a, b, c) else {
            panic!("made texts");
        };
        assert!(Arc::ptr_eq(&a, &b), "one copy for the same words");
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*c, "“乡村晚报”不在媒体名单中");
        assert_eq!(texts.share("固定".into()), Text::Fixed("固定"));
    }
}
