//! The return template as a contract with the units (SPEC §3): sheet names, column headers,
//! metadata labels and the machine-readable marker. The template writer produces exactly this;
//! the reader looks for it first and tolerates departures from it.

/// Version of the template layout, written into the marker. Raise it when the layout changes.
pub const TEMPLATE_VERSION: u32 = 1;

/// First cell of the marker sheet: identifies a workbook as one of our templates.
pub const MARKER_MAGIC: &str = "xinxi-score-template";

pub const SHEET_INSTRUCTIONS: &str = "填表说明";
pub const SHEET_ENTRIES: &str = "稿件明细";
pub const SHEET_CATALOG: &str = "媒体目录";
pub const SHEET_MARKER: &str = "模板信息";

/// Marker keys (column A of the marker sheet; values in column B).
pub const MARKER_VERSION: &str = "模板版本";
pub const MARKER_UNIT: &str = "报送单位";
pub const MARKER_QUARTER: &str = "报送季度";
pub const MARKER_GENERATOR: &str = "生成程序";

/// The entry table's columns, in template order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Seq,
    Category,
    Title,
    Outlet,
    DeclaredKind,
    Date,
    Issue,
    Authors,
    Reviewer,
    Signer,
    Remarks,
    /// 复印件 (optional, SPEC §12): the file name of the piece's copy sent with the return.
    Copy,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::Seq,
        Column::Category,
        Column::Title,
        Column::Outlet,
        Column::DeclaredKind,
        Column::Date,
        Column::Issue,
        Column::Authors,
        Column::Reviewer,
        Column::Signer,
        Column::Remarks,
        Column::Copy,
    ];

    /// The header exactly as the template writes it.
    pub fn header(self) -> &'static str {
        match self {
            Column::Seq => "序号",
            Column::Category => "稿件类别",
            Column::Title => "标题",
            Column::Outlet => "刊发媒体",
            Column::DeclaredKind => "媒体类别",
            Column::Date => "刊发日期",
            Column::Issue => "期号版面",
            Column::Authors => "作者",
            Column::Reviewer => "审核人",
            Column::Signer => "签发人",
            Column::Remarks => "备注",
            Column::Copy => "复印件",
        }
    }

    /// Zero-based column in the template.
    pub fn index(self) -> u16 {
        self as u16
    }
}

/// Metadata labels, in the template's order.
pub const META_UNIT: &str = "报送单位";
pub const META_QUARTER: &str = "报送季度";
pub const META_DEADLINE: &str = "截止日期";
pub const META_CONTACT: &str = "联系人";
pub const META_PHONE: &str = "联系电话";
pub const META_FILED: &str = "填报日期";

/// Zero-based row of the header in the template's entry sheet; entries start on the next row.
pub const HEADER_ROW: u32 = 5;
/// How many prepared, numbered rows the template offers.
pub const PREPARED_ROWS: u32 = 500;

/// A1-style reference for a zero-based cell, e.g. (11, 5) → "F12".
pub fn cell_ref(row: u32, col: u16) -> String {
    rust_xlsxwriter::utility::row_col_to_cell(row, col)
}

/// The zero-based row of an A1 reference (`F12` → 11).
pub fn row_of(cell: &str) -> Option<u32> {
    let digits = cell.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    digits.parse::<u32>().ok()?.checked_sub(1)
}

/// Rows an Excel worksheet holds (2^20): a table of ours never has more, and reading one back
/// never needs to stop before.
pub const SHEET_ROWS: u32 = 1_048_576;

/// The consolidated workbook (汇总表) as a contract between the code that writes it and the
/// code that reads it back (the clerk's decisions, `annual`): names both sides take from here.
pub mod book {
    /// 稿件明细 and 复核记录 headers that reviewing relies on.
    pub const ID: &str = "编号";
    pub const UNIT: &str = "单位";
    pub const TITLE: &str = "标题";
    /// 稿件明细's outlet as the unit typed it; 复核记录 calls it [`OUTLET_SHORT`].
    pub const OUTLET: &str = "刊发媒体（填写）";
    pub const OUTLET_SHORT: &str = "刊发媒体";
    pub const DATE: &str = "刊发日期";
    pub const DECISION: &str = "复核决定";
    /// 稿件明细's link to the row's evidence copy (SPEC §12).
    pub const COPY: &str = "复印件";
    pub const REASON: &str = "复核说明";
    /// Hidden: the decision and reason as the program wrote them.
    pub const WRITTEN_DECISION: &str = "原复核决定（程序用，请勿修改）";
    pub const WRITTEN_REASON: &str = "原复核说明（程序用，请勿修改）";

    /// The 汇总表's visible sheets, in their order (the hidden record, [`RECORD_SHEET`], comes
    /// last): every writer and reader names and judges a sheet through this one list.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Sheet {
        Ranking,
        Quotas,
        Entries,
        Outlets,
        Decisions,
        People,
        Problems,
        Submissions,
        About,
    }

    impl Sheet {
        pub const ALL: [Sheet; 9] = [
            Sheet::Ranking,
            Sheet::Quotas,
            Sheet::Entries,
            Sheet::Outlets,
            Sheet::Decisions,
            Sheet::People,
            Sheet::Problems,
            Sheet::Submissions,
            Sheet::About,
        ];

        pub const fn name(self) -> &'static str {
            match self {
                Sheet::Ranking => "得分排名",
                Sheet::Quotas => "任务完成",
                Sheet::Entries => "稿件明细",
                Sheet::Outlets => "媒体认定",
                Sheet::Decisions => "复核记录",
                Sheet::People => "个人得分",
                Sheet::Problems => "校验问题",
                Sheet::Submissions => "报送情况",
                Sheet::About => "说明",
            }
        }

        /// Whether the clerk types decisions into it (read back for them).
        pub const fn holds_decisions(self) -> bool {
            matches!(self, Sheet::Entries | Sheet::Outlets | Sheet::Decisions)
        }

        /// A row or more per item or problem: passed over when a 汇总表 is read back for its
        /// figures (the ranking and the hidden record hold them).
        pub const fn bulky(self) -> bool {
            matches!(self, Sheet::Entries | Sheet::Problems | Sheet::People)
        }
    }

    /// The names of the sheets for which `holds` says `want`, in the sheets' order (`N` of them).
    const fn names<const N: usize>(bulky: bool, want: bool) -> [&'static str; N] {
        let mut out = [""; N];
        let (mut i, mut k) = (0, 0);
        while i < Sheet::ALL.len() {
            let s = Sheet::ALL[i];
            let has = if bulky {
                s.bulky()
            } else {
                s.holds_decisions()
            };
            if has == want {
                out[k] = s.name();
                k += 1;
            }
            i += 1;
        }
        out
    }

    /// 得分排名's columns that reading back relies on (the previous quarter's ranks and totals).
    pub const RANK: &str = "排名";
    pub const TIER_COUNTS: [&str; 3] = ["一级条数", "二级条数", "三级条数"];
    pub const TOTAL: &str = "总分";

    pub const SHEET_ENTRIES: &str = Sheet::Entries.name();
    pub const SHEET_DECISIONS: &str = Sheet::Decisions.name();
    pub const SHEET_RANKING: &str = Sheet::Ranking.name();
    pub const SHEET_PROBLEMS: &str = Sheet::Problems.name();
    pub const SHEET_OUTLETS: &str = Sheet::Outlets.name();

    /// The sheets that hold no decision, passed over when a 汇总表 is read for the clerk's
    /// decisions (a renamed one is read, and found to hold none).
    pub const SHEETS_WITHOUT_DECISIONS: &[&str] = &names::<6>(false, false);
    /// The first rows searched for a sheet's header row when decisions are read back (the
    /// clerk may have added a line or two above it).
    pub const HEADER_SEARCH_ROWS: u32 = 6;
    /// Every header whose column is read back for decisions (SPEC §6, §11): the ids, the
    /// decisions typed and as written, and what names the row or outlet. Below the first
    /// [`HEADER_SEARCH_ROWS`] rows, the other columns of a national 汇总表 (half a million rows
    /// of 稿件明细) are passed over when it is read for decisions.
    pub const HARVESTED_HEADERS: &[&str] = &[
        ID,
        UNIT,
        TITLE,
        OUTLET,
        OUTLET_SHORT,
        DATE,
        DECISION,
        REASON,
        WRITTEN_DECISION,
        WRITTEN_REASON,
        OUTLET_NAME,
        OUTLET_UNITS,
        OUTLET_DECLARED,
        OUTLET_KEY,
        OUTLET_RULING,
        OUTLET_REASON,
        WRITTEN_RULING,
        WRITTEN_RULING_REASON,
    ];

    /// A row's decision cells as typed and as the program wrote them. A row whose four are
    /// empty shows no decision and none withdrawn: when the decisions record is at least as
    /// new as the workbook, reading it back asks nothing of the record (see
    /// `review::reconcile::blank_rows_ask_nothing`), and a reader may pass it over.
    pub const DECISION_CELLS: [&str; 4] = [DECISION, REASON, WRITTEN_DECISION, WRITTEN_REASON];

    /// The sheets the clerk types decisions into.
    pub const DECISION_SHEETS: [&str; 3] = names::<3>(false, true);

    /// The sheets a row or more per item or problem long (see [`Sheet::bulky`]).
    pub const SHEETS_BULKY: &[&str] = &names::<3>(true, true);

    // 媒体认定 (SPEC §11, [`Sheet::Outlets`]): one row per outlet the office decides.
    /// Its columns, in order; the clerk fills 认定 and 认定说明.
    pub const OUTLET_NAME: &str = "媒体名称";
    pub const OUTLET_ROWS: &str = "行数";
    pub const OUTLET_UNITS: &str = "单位";
    pub const OUTLET_DECLARED: &str = "单位声明的类别";
    pub const OUTLET_LIKELY: &str = "可能是";
    pub const OUTLET_STANDING: &str = "现行认定";
    pub const OUTLET_RULING: &str = "认定";
    pub const OUTLET_REASON: &str = "认定说明";
    /// Hidden: the outlet's key (its name normalised), and the 认定 / 认定说明 as written.
    pub const OUTLET_KEY: &str = "识别名（程序用，请勿修改）";
    pub const WRITTEN_RULING: &str = "原认定（程序用，请勿修改）";
    pub const WRITTEN_RULING_REASON: &str = "原认定说明（程序用，请勿修改）";

    /// Name of the very hidden sheet that keeps the quarter's figures for `annual`.
    pub const RECORD_SHEET: &str = "数据";
    /// Its first cell, saying what the sheet is (followed by a space and the format).
    pub const RECORD_MAGIC: &str = "xinxi-score 季度数据（供年度汇总使用，请勿修改）";
    /// Format of the hidden sheet: 2 adds the digest and the decisions' generation; 3 every
    /// row read in column C (for the archive), which the digest covers.
    pub const RECORD_FORMAT: u32 = 3;
    /// C1 of the hidden sheet: this label, a space, and the decisions record's generation the
    /// workbook was written from.
    pub const GENERATION_LABEL: &str = "复核记录版本";
    /// E1: this label, a space, and the outlet register's generation the workbook was
    /// written from.
    pub const REGISTER_GENERATION_LABEL: &str = "媒体认定版本";
    /// D1: this label, a space, and [`data_digest`] of the sheet's data.
    pub const DIGEST_LABEL: &str = "校验码";

    /// Lines a column of the hidden sheet holds below its first row. Column B's and C's
    /// lines past it (a quarter of over a million rows) go on three columns to the right
    /// (E and F, then H and I, …), from the second row again: see [`record_block`].
    pub const RECORD_LINES: u32 = super::SHEET_ROWS - 1;

    /// Where line `i` of a hidden-sheet column goes: (row, column), for column `base` (1 for
    /// the scoring rows, 2 for every row) with `per` lines a column.
    pub fn record_block(base: u16, i: usize, per: u32) -> (u32, u16) {
        let per = per as usize;
        (1 + (i % per) as u32, base + 3 * (i / per) as u16)
    }

    /// The hidden sheet's digest: SHA-256, in hex, of column A's pieces then column B's lines,
    /// each followed by a line feed. The writer notes it; `annual` checks it.
    pub fn data_digest<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> String {
        let mut digest = DataDigest::default();
        for t in texts {
            digest.add(t.as_ref());
        }
        digest.hex()
    }

    /// [`data_digest`] a text at a time, for a writer that does not keep the texts.
    #[derive(Default)]
    pub struct DataDigest(sha2::Sha256);

    impl DataDigest {
        pub fn add(&mut self, text: &str) {
            use sha2::Digest;
            self.0.update(text.as_bytes());
            self.0.update(b"\n");
        }

        pub fn hex(self) -> String {
            use sha2::Digest;
            format!("{:x}", self.0.finalize())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_refs() {
        assert_eq!(cell_ref(0, 0), "A1");
        assert_eq!(cell_ref(11, 5), "F12");
        assert_eq!(cell_ref(0, 25), "Z1");
        assert_eq!(cell_ref(0, 26), "AA1");
        assert_eq!(cell_ref(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn headers_are_the_spec_headers_in_order() {
        let h: Vec<&str> = Column::ALL.iter().map(|c| c.header()).collect();
        assert_eq!(
            h,
            [
                "序号",
                "稿件类别",
                "标题",
                "刊发媒体",
                "媒体类别",
                "刊发日期",
                "期号版面",
                "作者",
                "审核人",
                "签发人",
                "备注",
                "复印件"
            ]
        );
        for (i, c) in Column::ALL.iter().enumerate() {
            assert_eq!(c.index() as usize, i);
        }
    }

    /// The lists of sheets read back by kind are the sheets of that kind, every one.
    #[test]
    fn sheet_lists_follow_the_sheets_flags() {
        use super::book::*;
        let of = |f: fn(Sheet) -> bool| -> Vec<&str> {
            Sheet::ALL
                .into_iter()
                .filter(|s| f(*s))
                .map(Sheet::name)
                .collect()
        };
        assert_eq!(DECISION_SHEETS.to_vec(), of(Sheet::holds_decisions));
        assert_eq!(
            SHEETS_WITHOUT_DECISIONS.to_vec(),
            of(|s| !s.holds_decisions())
        );
        assert_eq!(SHEETS_BULKY.to_vec(), of(Sheet::bulky));
        assert!(SHEETS_BULKY
            .iter()
            .chain(&DECISION_SHEETS)
            .all(|n| !n.is_empty()));
    }
}
