//! The quarterly bulletin (通报, SPEC §10) as a sequence of blocks — pure. Every figure comes
//! from the quarter's [`Summary`] (the same one the 汇总表, the terminal and the JSON show);
//! `write::bulletin` lays the blocks out as an official document, [`Bulletin::to_text`] as
//! plain text for the website.

use crate::report::Report;
use crate::rules::Tier;
use crate::score::SubmissionStatus;
use crate::score::UnitResult;
use crate::scoring::Points;
use crate::summary::Summary;
use chrono::{Datelike, NaiveDate};

/// One piece of the document, in reading order.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// The title (one or two lines), centred.
    Title(String),
    /// A line under the title: （征求意见稿）.
    Subtitle(String),
    /// 各市（州）局（分公司）： — flush left, no indent.
    Addressee(String),
    /// 一、总体情况 (黑体).
    Heading(String),
    /// （一）市（州）局 (楷体).
    Subheading(String),
    Para(String),
    /// A table whose first row is the header (repeated on each page).
    Table {
        widths: Vec<u32>,
        rows: Vec<Vec<String>>,
        /// Set in 小四 rather than 四号 (the attachment's long titles).
        small: bool,
    },
    /// Right-aligned lines: the issuing office and the date.
    Signature(Vec<String>),
    /// The attachment starts on a new page with 附件 and its own title.
    Attachment {
        label: String,
        title: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bulletin {
    /// Rows still await the office's review: the text says so and is titled a draft.
    pub draft: bool,
    pub blocks: Vec<Block>,
}

pub use crate::rules::BulletinConfig;

pub use crate::summary::Previous;

/// At most this many items in the attachment: a document to publish, not the full list (which
/// the 汇总表 has).
const ATTACHMENT_ITEMS: usize = 300;

/// Table column widths in twentieths of a point; they add up to the text width of the page.
const RANKING_WIDTHS: [u32; 6] = [1300, 3244, 1050, 1050, 1050, 1150];
/// With 较上季度: the same text width.
const RANKING_WIDTHS_COMPARED: [u32; 7] = [1100, 2844, 850, 850, 850, 900, 1450];
const ITEMS_WIDTHS: [u32; 5] = [700, 2400, 2644, 1450, 1650];

/// 2026年9月25日
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Compose the quarter's bulletin. `issued` is the date it bears.
pub fn compose(
    report: &Report,
    summary: &Summary,
    config: &BulletinConfig,
    issued: NaiveDate,
) -> Bulletin {
    let previous = report.previous.as_ref();
    let q = report.quarter;
    let draft = summary.review.provisional;
    let mut b = Vec::new();
    b.push(Block::Title(format!(
        "关于{}全省烟草系统政务信息和宣传报道工作情况的通报",
        q.chinese()
    )));
    if draft {
        b.push(Block::Subtitle("（征求意见稿）".into()));
    }
    b.push(Block::Addressee(format!("{}：", config.addressees)));
    b.push(Block::Para(format!(
        "按照全省烟草系统政务信息和宣传报道工作管理办法的要求，省局（公司）办公室对各单位{}（报送截止日期为{}）政务信息和宣传报道工作情况进行了统计和评分。现将有关情况通报如下。",
        q.chinese(),
        chinese_date(q.deadline(report.rules.deadline_day))
    )));
    if draft {
        b.push(Block::Para(format!(
            "本稿为征求意见稿：尚有 {} 篇稿件待省局（公司）办公室复核，以下得分和排名为暂定，复核完成后以正式通报为准。",
            summary.review.awaiting_review
        )));
    }
    b.push(Block::Heading("一、总体情况".into()));
    b.push(Block::Para(overview(summary)));
    if let Some(p) = previous {
        b.push(Block::Para(change(summary, p)));
    }
    ranking(&mut b, report, summary, config);
    quotas(&mut b, summary);
    submissions(&mut b, summary);
    b.push(Block::Heading("五、有关要求".into()));
    b.push(Block::Para(
        "各单位要严格执行政务信息和新闻稿件送审签发制度，报送的稿件须经办公室主任（宣传部长）审核、主管领导签发；要严格区分政务信息和宣传报道，不得一稿多投。".into(),
    ));
    let next = q.next();
    b.push(Block::Para(format!(
        "请各单位于{}前将{}政务信息和宣传报道情况报送省局（公司）办公室。",
        chinese_date(next.deadline(report.rules.deadline_day)),
        next.chinese()
    )));
    b.push(Block::Signature(vec![
        config.issuer.clone(),
        chinese_date(issued),
    ]));
    first_tier_items(&mut b, report);
    Bulletin { draft, blocks: b }
}

/// 本季度应报送单位 9 个，按时报送 7 个……合计得分 251 分。
fn overview(s: &Summary) -> String {
    let t = &s.totals;
    let sum = |f: fn(&UnitResult) -> u32| s.ranking.iter().map(f).sum::<u32>();
    let on_time = t.submitted - t.late;
    let mut text = format!(
        "本季度应报送单位 {} 个，按时报送 {} 个，逾期报送 {} 个，未报送 {} 个",
        t.units, on_time, t.late, t.missing
    );
    if t.unreadable > 0 {
        text.push_str(&format!("，报送文件无法读取 {} 个", t.unreadable));
    }
    let pending = if t.rows_pending > 0 {
        format!("（其中待复核 {} 篇）", t.rows_pending)
    } else {
        String::new()
    };
    text.push_str(&format!(
        "。各单位共报送稿件 {} 篇，计分 {} 篇{pending}，其中政务信息 {} 条、宣传报道 {} 篇；按刊发媒体等级计，一级 {} 篇、二级 {} 篇、三级 {} 篇，合计得分 {} 分。",
        t.rows_read,
        sum(|u| u.items()),
        sum(|u| u.info_items),
        sum(|u| u.news_items),
        sum(|u| u.tiers[0]),
        sum(|u| u.tiers[1]),
        sum(|u| u.tiers[2]),
        s.ranking.iter().map(|u| u.total).sum::<Points>(),
    ));
    text
}

/// 与上季度相比……
fn change(s: &Summary, p: &Previous) -> String {
    let items: u32 = s.ranking.iter().map(|u| u.items()).sum();
    let points: Points = s.ranking.iter().map(|u| u.total).sum();
    fn diff<T: Ord + std::ops::Sub<Output = T> + std::fmt::Display + Copy>(
        now: T,
        then: T,
        unit: &str,
    ) -> String {
        match now.cmp(&then) {
            std::cmp::Ordering::Greater => format!("增加 {} {unit}", now - then),
            std::cmp::Ordering::Less => format!("减少 {} {unit}", then - now),
            std::cmp::Ordering::Equal => "持平".to_string(),
        }
    }
    format!(
        "与{}（计分稿件 {} 篇、合计 {} 分）相比，计分稿件{}，合计得分{}。",
        p.quarter.chinese(),
        p.items,
        p.points,
        diff(items, p.items, "篇"),
        diff(points, p.points, "分")
    )
}

/// 二、得分排名: one table per group (a subheading each when there are several groups), then
/// the leading units. Units that sent nothing readable are listed after the ranked ones,
/// without a rank.
fn ranking(b: &mut Vec<Block>, report: &Report, s: &Summary, config: &BulletinConfig) {
    b.push(Block::Heading("二、得分排名".into()));
    let groups = report.rules.groups();
    let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    for (g, group) in groups.iter().enumerate() {
        if groups.len() > 1 {
            let n = numerals.get(g).copied().unwrap_or("十");
            b.push(Block::Subheading(format!("（{n}）{group}")));
        }
        let compared = report.previous.is_some();
        let members: Vec<&UnitResult> = s.ranking.iter().filter(|u| &u.group == group).collect();
        let rows = ranking_rows(&members, groups.len() > 1, compared);
        b.push(Block::Table {
            widths: match compared {
                true => RANKING_WIDTHS_COMPARED.to_vec(),
                false => RANKING_WIDTHS.to_vec(),
            },
            rows,
            small: false,
        });
    }
    let leaders: Vec<&str> = s
        .ranking
        .iter()
        .filter(|u| u.total > Points::ZERO && u.ranked().is_some_and(|r| r <= config.leading))
        .map(|u| u.name.as_str())
        .collect();
    if !leaders.is_empty() {
        b.push(Block::Para(format!(
            "{}得分位居全省前列{}。",
            leaders.join("、"),
            if leaders.len() as u32 == config.leading {
                format!(
                    "（前{}名）",
                    numerals[(config.leading as usize).clamp(1, 10) - 1]
                )
            } else {
                String::new()
            }
        )));
    }
}

/// One group's ranking table: the header, the ranked units (by group rank when `grouped`),
/// then those that sent nothing readable; 较上季度 last when `compared`.
fn ranking_rows(members: &[&UnitResult], grouped: bool, compared: bool) -> Vec<Vec<String>> {
    let mut rows = vec![vec![
        "排名".into(),
        "单位".into(),
        "一级".into(),
        "二级".into(),
        "三级".into(),
        "总分".into(),
    ]];
    if compared {
        rows[0].push("较上季度".into());
    }
    let (ranked, unranked): (Vec<&UnitResult>, Vec<&UnitResult>) =
        members.iter().partition(|u| u.status.reported());
    for u in ranked {
        let rank = if grouped { u.group_rank } else { u.rank };
        let mut row = vec![
            Some(rank)
                .filter(|&r| r > 0)
                .map(|r| r.to_string())
                .unwrap_or_default(),
            u.name.clone(),
            u.tiers[0].to_string(),
            u.tiers[1].to_string(),
            u.tiers[2].to_string(),
            u.total.to_string(),
        ];
        if compared {
            row.push(u.rank_change.clone().unwrap_or_default());
        }
        rows.push(row);
    }
    for u in unranked {
        let mut row = vec![
            u.status.label().into(),
            u.name.clone(),
            "—".into(),
            "—".into(),
            "—".into(),
            "—".into(),
        ];
        if compared {
            row.push(String::new());
        }
        rows.push(row);
    }
    rows
}

/// 三、任务完成情况: every unit short of a quota and how; softer 未达目标 separately.
fn quotas(b: &mut Vec<Block>, s: &Summary) {
    b.push(Block::Heading("三、任务完成情况".into()));
    if s.shortfalls.is_empty() {
        b.push(Block::Para(
            "各单位均完成本季度宣传报道和政务信息任务。".into(),
        ));
    } else {
        b.push(Block::Para(format!(
            "按照每月在《东方烟草报》《中国烟草》和中国烟草网刊登宣传报道、每季度在国家局或当地党委政府信息刊物刊登政务信息的任务要求，以下 {} 个单位未完成本季度任务（完成数/任务数）：",
            s.shortfalls.len()
        )));
        for sf in &s.shortfalls {
            b.push(Block::Para(format!(
                "{}：{}。",
                sf.unit,
                sf.short.join("；")
            )));
        }
    }
    let soft: Vec<String> = s
        .ranking
        .iter()
        .filter(|u| u.status.reported())
        .filter_map(|u| {
            u.quotas.iter().find(|q| q.below_target()).map(|q| {
                format!(
                    "{}（{} {}/{}）",
                    u.name,
                    q.name,
                    q.count,
                    q.target.unwrap_or(q.required)
                )
            })
        })
        .collect();
    if !soft.is_empty() {
        b.push(Block::Para(format!(
            "以下单位季度政务信息达到最低任务、但未达到目标：{}。",
            soft.join("、")
        )));
    }
}

/// 四、报送情况: late and missing units by name.
fn submissions(b: &mut Vec<Block>, s: &Summary) {
    b.push(Block::Heading("四、报送情况".into()));
    let named = |st: SubmissionStatus| -> Vec<&UnitResult> {
        s.ranking.iter().filter(|u| u.status == st).collect()
    };
    let late = named(SubmissionStatus::Late);
    let missing = named(SubmissionStatus::Missing);
    let unreadable = named(SubmissionStatus::Unreadable);
    if late.is_empty() && missing.is_empty() && unreadable.is_empty() {
        b.push(Block::Para("各单位均按时报送。".into()));
        return;
    }
    if !late.is_empty() {
        let list: Vec<String> = late
            .iter()
            .map(|u| match u.filed {
                Some(d) => format!("{}（填报日期{}）", u.name, chinese_date(d)),
                None => u.name.clone(),
            })
            .collect();
        b.push(Block::Para(format!(
            "逾期报送的单位：{}。",
            list.join("、")
        )));
    }
    if !missing.is_empty() {
        let list: Vec<&str> = missing.iter().map(|u| u.name.as_str()).collect();
        b.push(Block::Para(format!("未报送的单位：{}。", list.join("、"))));
    }
    if !unreadable.is_empty() {
        let list: Vec<&str> = unreadable.iter().map(|u| u.name.as_str()).collect();
        b.push(Block::Para(format!(
            "报送文件无法读取的单位：{}。",
            list.join("、")
        )));
    }
    b.push(Block::Para("请上述单位高度重视，按时、规范报送。".into()));
}

/// 附件: every scoring 一级 item, unit by unit in roster order, by date.
fn first_tier_items(b: &mut Vec<Block>, report: &Report) {
    let title = format!("{}一级媒体采用稿件目录", report.quarter.chinese());
    b.push(Block::Attachment {
        label: "附件".into(),
        title,
    });
    let mut rows = vec![vec![
        "序号".into(),
        "单位".into(),
        "标题".into(),
        "刊发媒体".into(),
        "刊发日期".into(),
    ]];
    let mut items: Vec<(usize, &crate::validate::Entry)> = report
        .scored
        .entries
        .iter()
        .enumerate()
        .flat_map(|(u, es)| es.iter().map(move |e| (u, e)))
        .filter(|(_, e)| e.status.scores() && e.tier == Tier::One)
        .collect();
    items.sort_by_key(|(u, e)| (*u, e.date, e.row));
    if items.len() > ATTACHMENT_ITEMS {
        b.push(Block::Para(format!(
            "本季度一级媒体采用稿件共 {} 篇，以下列出前 {ATTACHMENT_ITEMS} 篇；完整目录见汇总表“稿件明细”（筛选等级为一级）。",
            items.len()
        )));
        items.truncate(ATTACHMENT_ITEMS);
    }
    for (n, (u, e)) in items.iter().enumerate() {
        let outlet = e.outlet_name(report.rules);
        rows.push(vec![
            (n + 1).to_string(),
            report.rules.units[*u].name.clone(),
            e.title.clone(),
            outlet,
            e.date.map(|d| d.to_string()).unwrap_or_default(),
        ]);
    }
    b.push(Block::Table {
        widths: ITEMS_WIDTHS.to_vec(),
        rows,
        small: true,
    });
}

impl Bulletin {
    /// The same text, plain: for pasting into the website's editor. Table cells are separated
    /// by tabs (a pasted tab-separated block becomes a table in most editors).
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            match block {
                Block::Title(t) | Block::Subtitle(t) => out.push_str(&format!("{t}\n")),
                Block::Addressee(t) => out.push_str(&format!("\n{t}\n")),
                Block::Heading(t) | Block::Subheading(t) => out.push_str(&format!("{t}\n")),
                Block::Para(t) => out.push_str(&format!("　　{t}\n")),
                Block::Table { rows, .. } => {
                    for r in rows {
                        out.push_str(&r.join("\t"));
                        out.push('\n');
                    }
                }
                Block::Signature(lines) => {
                    out.push('\n');
                    for l in lines {
                        out.push_str(&format!("{l}\n"));
                    }
                }
                Block::Attachment { label, title } => {
                    out.push_str(&format!("\n{label}\n{title}\n"));
                }
            }
        }
        out
    }
}

/// The year's draft commendation bulletin (表彰通报): the candidate units per group and the
/// candidate individuals with their scores, in the quarterly bulletin's layout. Always a
/// draft: the office decides whom to commend.
pub fn compose_commendation(
    annual: &crate::annual::Annual,
    config: &BulletinConfig,
    issued: NaiveDate,
) -> Bulletin {
    let y = annual.year;
    let why_draft = commendation_draft_reasons(annual);
    let draft = !why_draft.is_empty();
    let mut b = vec![Block::Title(format!(
        "关于表彰{y}年度全省烟草系统政务信息和宣传报道先进单位和先进个人的通报"
    ))];
    if draft {
        b.push(Block::Subtitle("（征求意见稿）".into()));
    }
    b.push(Block::Addressee(format!("{}：", config.addressees)));
    b.push(Block::Para(format!(
        "{y}年，各单位认真贯彻政务信息和宣传报道工作管理办法，政务信息和宣传报道工作取得了新的成效。依据全年四个季度的评分情况，经研究，决定对以下先进单位和先进个人予以通报表彰。"
    )));
    if draft {
        b.push(Block::Para(format!(
            "本稿为征求意见稿：{}。全年得分和表彰名单为暂定，补齐、复核后重新运行年度汇总即为正式稿。",
            why_draft.join("；")
        )));
    }
    commended_units(&mut b, annual);
    commended_people(&mut b, annual);
    b.push(Block::Para(
        "希望受到表彰的单位和个人珍惜荣誉，再接再厉；各单位要以先进为榜样，进一步做好政务信息和宣传报道工作。".into(),
    ));
    b.push(Block::Signature(vec![
        config.issuer.clone(),
        chinese_date(issued),
    ]));
    Bulletin { draft, blocks: b }
}

/// Why the 表彰通报 is still a draft: a quarter missing, or a quarter whose figures were
/// provisional (rows awaiting review). None: it is final.
pub fn commendation_draft_reasons(annual: &crate::annual::Annual) -> Vec<String> {
    let mut why = Vec::new();
    if !annual.missing.is_empty() {
        why.push(format!("{}的汇总表未计入", annual.missing.join("、")));
    }
    let provisional: Vec<String> = annual
        .used
        .iter()
        .filter(|q| q.awaiting_review > 0)
        .map(|q| format!("{}尚有 {} 篇稿件待复核", q.quarter, q.awaiting_review))
        .collect();
    why.extend(provisional);
    why
}

/// 一、先进单位: a table per group (the candidates come grouped).
fn commended_units(b: &mut Vec<Block>, annual: &crate::annual::Annual) {
    b.push(Block::Heading("一、先进单位".into()));
    let groups: Vec<&str> = {
        let mut g: Vec<&str> = annual
            .unit_candidates
            .iter()
            .map(|c| c.of.as_str())
            .collect();
        g.dedup();
        g
    };
    for group in &groups {
        if groups.len() > 1 {
            b.push(Block::Subheading(group.to_string()));
        }
        // Who is commended and for what; shortfalls stay in the 年度汇总, never in a public
        // commendation.
        let mut rows = vec![vec!["名次".into(), "单位".into(), "全年得分".into()]];
        for c in annual.unit_candidates.iter().filter(|c| c.of == *group) {
            rows.push(vec![
                c.rank.to_string(),
                c.name.clone(),
                format!("{}", c.points),
            ]);
        }
        b.push(Block::Table {
            widths: vec![1400, 5044, 2400],
            rows,
            small: true,
        });
    }
}

/// 二、先进个人.
fn commended_people(b: &mut Vec<Block>, annual: &crate::annual::Annual) {
    b.push(Block::Heading("二、先进个人".into()));
    let mut rows = vec![vec![
        "名次".into(),
        "姓名".into(),
        "单位".into(),
        "全年得分".into(),
        "稿件篇数".into(),
    ]];
    for c in &annual.person_candidates {
        rows.push(vec![
            c.rank.to_string(),
            c.name.clone(),
            c.of.clone(),
            format!("{}", c.points),
            c.note.trim_end_matches(" 篇").to_string(),
        ]);
    }
    b.push(Block::Table {
        widths: vec![900, 1600, 3144, 1600, 1600],
        rows,
        small: true,
    });
}
