//! What validation produces, and every later stage reads: a row as an `Entry` (its category,
//! outlet match, tier, status, reasons and quota standing), and a unit's rows as a
//! `Submission`. Plain data with the small methods that describe it.

use super::*;
use compact_str::CompactString;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Category {
    #[serde(rename = "政务信息")]
    Info,
    #[serde(rename = "宣传报道")]
    News,
}

impl Category {
    pub fn label(self) -> &'static str {
        match self {
            Category::Info => "政务信息",
            Category::News => "宣传报道",
        }
    }

    /// 政务信息 / 宣传报道 and their common synonyms.
    pub fn parse(s: &str) -> Option<Category> {
        // Almost every row holds one of the two words exactly, as the template's list gives them.
        match s {
            "政务信息" => return Some(Category::Info),
            "宣传报道" => return Some(Category::News),
            _ => {}
        }
        let k = name_key(s);
        match k.as_str() {
            "政务信息" | "信息" | "政务" | "政务信息类" | "政务类" | "信息类" => {
                Some(Category::Info)
            }
            "宣传报道" | "宣传" | "新闻" | "报道" | "新闻报道" | "新闻宣传" | "宣传稿件"
            | "新闻稿件" | "宣传报道类" | "宣传类" | "新闻类" => {
                Some(Category::News)
            }
            _ => None,
        }
    }
}

/// What a unit declared about an unlisted outlet (媒体类别).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Declared {
    /// 市级以上党委政府信息刊物
    PartyInfo,
    /// 市级以上党委政府新闻媒体
    PartyNews,
    /// 其他媒体
    Other,
}

impl Declared {
    /// As the template's drop-down words it.
    pub fn label(self) -> &'static str {
        let [info, news, other] = crate::rules::DECLARED_KINDS;
        match self {
            Declared::PartyInfo => info,
            Declared::PartyNews => news,
            Declared::Other => other,
        }
    }

    pub fn parse(s: &str) -> Option<Declared> {
        let k = name_key(s);
        if k.is_empty() {
            return None;
        }
        if k.contains("其他") {
            return Some(Declared::Other);
        }
        let party = k.contains("党委") || k.contains("政府") || k.contains("市级");
        if party && (k.contains("信息") || k.contains("刊物")) {
            Some(Declared::PartyInfo)
        } else if party && (k.contains("新闻") || k.contains("媒体") || k.contains("报")) {
            Some(Declared::PartyNews)
        } else {
            None
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum OutletMatch {
    /// A listed outlet, by index into the rules' outlets.
    Listed(usize),
    /// Not listed, but close to this listed outlet.
    NearMiss(usize),
    Unlisted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Status {
    #[serde(rename = "计分")]
    Scored,
    #[serde(rename = "补报计分")]
    CarriedOver,
    #[serde(rename = "待核")]
    Pending,
    #[serde(rename = "不计分")]
    NotScored,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Scored => "计分",
            Status::CarriedOver => "补报计分",
            Status::Pending => "待核",
            Status::NotScored => "不计分",
        }
    }

    pub fn scores(self) -> bool {
        self != Status::NotScored
    }
}

/// One row of a return, validated.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Entry {
    /// Shared by every row of a return.
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    /// Zero-based sheet row.
    pub row: u32,
    /// The row's title cell (or the row, when it has no title column), e.g. `C12`.
    pub at: CompactString,
    pub category: Option<Category>,
    pub title: String,
    /// The title's key ([`title_key`]) as a 128-bit digest, `None` when the key is empty:
    /// duplicates are found by it, and a quarter has too many rows to keep every key as text.
    #[serde(skip)]
    pub title_digest: Option<u128>,
    pub outlet_written: CompactString,
    pub outlet: OutletMatch,
    pub declared: Option<Declared>,
    pub date: Option<NaiveDate>,
    pub issue: CompactString,
    /// The authors as one text, each name followed by '、' but the last (see
    /// [`Entry::authors`]): one small string a row instead of one per author.
    pub author_list: CompactString,
    pub reviewer: CompactString,
    pub signer: CompactString,
    /// What most rows do not have, boxed (`None` when all of it is empty).
    pub seldom: Option<Box<Seldom>>,
    /// The evidence copies matched to the row (indices into the quarter's copies).
    pub copies: Vec<u32>,
    pub tier: Tier,
    pub status: Status,
    /// Why it does not score, or why it is flagged; short Chinese phrases.
    pub reasons: Vec<String>,
    /// Counts towards the monthly news quota (in the month of `date`).
    pub monthly_news: bool,
    /// Counts towards the quarterly information quota.
    pub quarterly_info: bool,
    /// Published after the previous quarter's deadline: scores as 补报, counts for no quota.
    pub carried_over: bool,
    /// The row's stable id (unit, title, outlet, date), given by `resolve`; empty before.
    pub id: CompactString,
    /// The office's decision on this row, when one is recorded (boxed: few rows have one,
    /// and a large quarter holds half a million rows).
    pub review: Option<Box<RowReview>>,
    /// The office's decision on the row's outlet (媒体认定), when the register has one.
    pub ruled: Option<Box<RowRuling>>,
}

/// What a row seldom has: a 稿件类别 or 刊发日期 that could not be read (kept as written), 备注,
/// and the 复印件 cell. Boxed in [`Entry`]: a large quarter holds half a million rows, most
/// with none of it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Seldom {
    /// The 稿件类别 as written, when it is not a category.
    pub category_written: String,
    /// The 刊发日期 as written, when it cannot be read as a date.
    pub date_written: String,
    pub remarks: String,
    /// The 复印件 cell: the file name of the piece's copy, as the unit wrote it.
    pub copy_written: String,
}

impl Seldom {
    /// Boxed, or `None` when there is nothing to keep.
    pub fn boxed(s: Seldom) -> Option<Box<Seldom>> {
        (s != Seldom::default()).then(|| Box::new(s))
    }
}

/// An outlet decision (媒体认定) as it bears on a row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowRuling {
    pub ruling: crate::review::outlet::Ruling,
    /// The quarter it was decided in, e.g. "2026Q3".
    pub quarter: String,
    /// False when it could not change the row: the rules reject the row, or "即《X》" names an
    /// outlet no longer in the list.
    pub applied: bool,
}

impl RowRuling {
    /// "省局已认定该媒体为二级（2026年第三季度）", for a problem the decision settled.
    pub fn sentence(&self) -> String {
        use crate::review::outlet::Ruling;
        let what = match &self.ruling {
            Ruling::Tier(t) => format!("为{}", t.label()),
            Ruling::NoScore => "不计分".into(),
            Ruling::Same(x) => format!("即《{x}》"),
        };
        let when = Quarter::parse(&self.quarter)
            .map(|q| format!("（{}）", q.chinese()))
            .unwrap_or_default();
        format!("省局已认定该媒体{what}{when}")
    }
}

/// The reason a row awaits review because of its outlet (名单外 declared party media, or a
/// near miss of a listed name); the outlet register settles it.
pub const DECLARED_PARTY_DOUBT: &str = "名单外党委政府媒体，待核";
const NEAR_MISS_DOUBT: &str = "媒体名称疑为《";

/// Whether `reason` is a doubt about the row's outlet (see [`DECLARED_PARTY_DOUBT`]).
pub fn is_outlet_doubt(reason: &str) -> bool {
    reason == DECLARED_PARTY_DOUBT || reason.starts_with(NEAR_MISS_DOUBT)
}

/// The doubt about a near-miss outlet: "媒体名称疑为《东方烟草报》".
pub fn near_miss_doubt(likely: &str) -> String {
    format!("{NEAR_MISS_DOUBT}{likely}》")
}

/// A recorded decision as shown on its row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowReview {
    pub verdict: crate::review::Verdict,
    pub reason: String,
    /// False when the rules keep the decision from applying (listed as 未应用).
    pub applied: bool,
}

impl Entry {
    /// Each author, as the unit wrote them (in order; a name listed twice comes twice).
    pub fn authors(&self) -> impl Iterator<Item = &str> {
        self.author_list.split('、').filter(|a| !a.is_empty())
    }

    /// The 稿件类别 as written, when it is not a category (else empty).
    pub fn category_written(&self) -> &str {
        self.seldom.as_ref().map_or("", |s| &s.category_written)
    }

    /// The 刊发日期 as written, when it cannot be read as a date (else empty).
    pub fn date_written(&self) -> &str {
        self.seldom.as_ref().map_or("", |s| &s.date_written)
    }

    pub fn remarks(&self) -> &str {
        self.seldom.as_ref().map_or("", |s| &s.remarks)
    }

    /// The 复印件 cell as written.
    pub fn copy_written(&self) -> &str {
        self.seldom.as_ref().map_or("", |s| &s.copy_written)
    }

    /// The outlet's name as it is published: the listed outlet's own name when matched, else
    /// what the unit wrote.
    pub fn outlet_name(&self, rules: &Rules) -> String {
        match self.outlet {
            OutletMatch::Listed(i) => rules.outlets[i].name.clone(),
            _ => self.outlet_written.to_string(),
        }
    }

    /// The points this row earns (see `crate::scoring`): 0 when it does not score.
    pub fn points(&self, rules: &Rules) -> crate::scoring::Points {
        self.score(rules).points
    }

    /// The row's points with their breakdown.
    pub fn score(&self, rules: &Rules) -> crate::scoring::RowScore {
        crate::scoring::row(rules, self.tier, self.status.scores())
    }

    /// Take the row out of the scores for `reason`: it no longer earns points or counts towards
    /// any quota. The one way a row stops scoring after validation.
    pub fn set_not_scored(&mut self, reason: &str) {
        self.status = Status::NotScored;
        self.reasons.push(reason.to_string());
        self.monthly_news = false;
        self.quarterly_info = false;
    }

    /// The status as shown: 计分, 待核 …, with （已复核） once the office's decision on the row
    /// applies, or （媒体认定） when the decision on its outlet made it so.
    pub fn status_text(&self) -> String {
        match (&self.review, &self.ruled) {
            (Some(r), _) if r.applied => format!("{}（已复核）", self.status.label()),
            (_, Some(r)) if self.ruling_decides(r) => {
                format!("{}（媒体认定）", self.status.label())
            }
            _ => self.status.label().to_string(),
        }
    }

    /// Whether the outlet decision is what the row's status stands on (not a duplicate's or a
    /// cross-unit doubt's).
    fn ruling_decides(&self, r: &RowRuling) -> bool {
        use crate::review::outlet::Ruling;
        r.applied
            && match self.status {
                Status::Pending => false,
                Status::NotScored => r.ruling == Ruling::NoScore,
                Status::Scored | Status::CarriedOver => true,
            }
    }

    /// 原因 as shown: the reasons, then the office's decision and its reason when there is one.
    /// A row that does not score gives what decides it first; a row not 待核 is not called
    /// 待核 for its outlet.
    pub fn reasons_text(&self) -> String {
        let mut parts = self.reasons.clone();
        // A doubt the office settled, or that no longer matters, is not called 待核.
        let settled =
            self.status != Status::Pending || self.review.as_ref().is_some_and(|r| r.applied);
        if settled {
            let (doubts, others): (Vec<String>, Vec<String>) =
                parts.into_iter().partition(|r| is_outlet_doubt(r));
            let doubts = doubts
                .into_iter()
                .map(|d| d.trim_end_matches("，待核").to_string());
            parts = match self.status.scores() {
                true => doubts.chain(others).collect(),
                false => others.into_iter().chain(doubts).collect(),
            };
        }
        if let Some(r) = &self.review {
            let mut d = format!("办公室复核：{}", r.verdict.label());
            if !r.reason.is_empty() {
                d.push_str(&format!("（{}）", r.reason));
            }
            if !r.applied {
                d.push_str("，未应用");
            }
            parts.push(d);
        }
        parts.join("；")
    }

    /// 稿件类别 as recognised, or as written when it was not.
    pub fn category_text(&self) -> &str {
        self.category
            .map(Category::label)
            .unwrap_or(self.category_written())
    }
}

/// How a roster unit's return stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum SubmissionStatus {
    #[serde(rename = "按时")]
    OnTime,
    #[serde(rename = "逾期")]
    Late,
    #[serde(rename = "无法读取")]
    Unreadable,
    #[serde(rename = "未报送")]
    Missing,
}

impl SubmissionStatus {
    /// A readable return was used (on time or late): the unit is ranked.
    pub fn reported(self) -> bool {
        matches!(self, SubmissionStatus::OnTime | SubmissionStatus::Late)
    }

    pub fn label(self) -> &'static str {
        match self {
            SubmissionStatus::OnTime => "按时",
            SubmissionStatus::Late => "逾期",
            SubmissionStatus::Unreadable => "无法读取",
            SubmissionStatus::Missing => "未报送",
        }
    }
}

/// One roster unit's input to scoring: the rows of the return used for it.
#[derive(Clone, Debug)]
pub struct Submission {
    pub status: SubmissionStatus,
    /// The file the rows come from.
    pub file: Option<String>,
    pub filed: Option<NaiveDate>,
    pub entries: Vec<Entry>,
}

impl Submission {
    pub fn missing() -> Submission {
        Submission {
            status: SubmissionStatus::Missing,
            file: None,
            filed: None,
            entries: Vec::new(),
        }
    }
}
