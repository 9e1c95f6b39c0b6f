//! Command-line arguments (clap derive only; no logic here).

use clap::{ArgAction, Args, Parser, Subcommand};

/// The help's layout, with Chinese headings (clap's own are English).
const HELP: &str = "{about}\n\n用法：{usage}\n\n{all-args}";
use std::path::PathBuf;

/// 政务信息和宣传报道季度计分：生成报送模板、校验和汇总各单位报送表。
#[derive(Parser, Debug)]
#[command(
    name = "xinxi-score",
    version,
    help_template = HELP,
    subcommand_help_heading = "命令",
    next_help_heading = "选项",
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// 规则文件（TOML）；不指定时使用内置默认规则
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Option<PathBuf>,

    /// 显示帮助
    #[arg(short, long, global = true, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// 显示版本
    #[arg(short = 'V', long, action = ArgAction::Version)]
    pub version: Option<bool>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 生成某季度各单位的报送模板（每单位一个，另加一个空白模板）
    Template(TemplateArgs),
    /// 汇总一个季度：计分、排名、任务完成情况，写出汇总表（主要功能）
    Consolidate(ConsolidateArgs),
    /// 检查报送表：逐行校验，列出每个问题及其单元格（有错误时退出码为 1）
    Check(CheckArgs),
    /// 年度汇总：把一年四个季度的汇总表相加，得出全年排名、个人排名和表彰建议
    Annual(AnnualArgs),
    /// 资料库：把办公室文件夹中各季度的汇总表汇成一个可筛选的工作簿，或用 --find 查找稿件
    Archive(ArchiveArgs),
    /// 导出或检查规则文件
    Rules(RulesArgs),
}

#[derive(Args, Debug)]
#[command(help_template = HELP, next_help_heading = "选项")]
pub struct ArchiveArgs {
    /// 办公室文件夹（存放各季度汇总表的文件夹；默认：当前文件夹）
    #[arg(value_name = "DIR", default_value = ".", help_heading = "参数")]
    pub folder: PathBuf,
    /// 资料库的保存位置（默认：办公室文件夹中的 资料库.xlsx）
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// 查找标题、作者或媒体中含有这些词的稿件（在屏幕上列出，不写资料库）
    #[arg(long, value_name = "WORDS", num_args = 1..)]
    pub find: Vec<String>,
}

#[derive(Args, Debug)]
#[command(help_template = HELP, next_help_heading = "选项")]
pub struct AnnualArgs {
    /// 各季度的汇总表，或存放它们的文件夹（可写多个）
    #[arg(required = true, value_name = "PATH", help_heading = "参数")]
    pub paths: Vec<PathBuf>,
    /// 年份（各汇总表属于同一年时可省略）
    #[arg(long, short)]
    pub year: Option<i32>,
    /// 年度汇总表的保存位置（默认：第一个文件夹旁边的 年度汇总_年份.xlsx）
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// 另存一份 JSON 格式的年度数据
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// 不生成表彰通报（表彰通报_年份.docx）
    #[arg(long)]
    pub no_bulletin: bool,
}

#[derive(Args, Debug)]
#[command(help_template = HELP, next_help_heading = "选项")]
pub struct TemplateArgs {
    /// 季度，如 2026Q3 或 2026年第三季度（不写时为今天所在的季度）
    #[arg(long, short)]
    pub quarter: Option<String>,
    /// 输出文件夹
    #[arg(long, short, default_value = ".", value_name = "DIR")]
    pub out: PathBuf,
    /// 只生成这些单位的模板（可写多次；名称或别名均可）
    #[arg(long, value_name = "NAME")]
    pub unit: Vec<String>,
    /// 媒体认定记录：已认定的媒体列入“刊发媒体”下拉列表（默认：输出文件夹或其上一级文件夹中的 媒体认定.json）
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(help_template = HELP, next_help_heading = "选项")]
#[group(required = true, multiple = false)]
pub struct RulesArgs {
    /// 把内置默认规则（带说明）写到此文件，供办公室修改
    #[arg(long, value_name = "FILE")]
    pub write: Option<PathBuf>,
    /// 检查一个规则文件是否有误
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(help_template = HELP, next_help_heading = "选项")]
pub struct CheckArgs {
    /// 要检查的报送表文件或文件夹（可写多个）
    #[arg(required = true, value_name = "PATH", help_heading = "参数")]
    pub paths: Vec<PathBuf>,
    /// 按此季度的报送范围检查（不指定时按各表自己的季度）
    #[arg(long, short)]
    pub quarter: Option<String>,
    /// 以 JSON 格式输出（供其他程序使用）
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Clone)]
#[command(help_template = HELP, next_help_heading = "选项")]
pub struct ConsolidateArgs {
    /// 存放各单位报送表的文件夹
    #[arg(value_name = "DIR", help_heading = "参数")]
    pub dir: PathBuf,
    /// 季度，如 2026Q3（各表季度一致时可省略）
    #[arg(long, short)]
    pub quarter: Option<String>,
    /// 汇总表的保存位置（默认：文件夹旁边的 汇总表_季度.xlsx）
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// 另存一份 JSON 格式的汇总数据
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// 为每个单位生成回执，保存到此文件夹
    #[arg(long, value_name = "DIR")]
    pub feedback: Option<PathBuf>,
    /// 复核记录文件（默认：文件夹旁边的 复核记录_季度.json）
    #[arg(long, value_name = "FILE")]
    pub decisions: Option<PathBuf>,
    /// 媒体认定记录（默认：复核记录旁边的 媒体认定.json）
    #[arg(long, value_name = "FILE")]
    pub register: Option<PathBuf>,
    /// 上季度的汇总表，通报和得分排名中与上季度比较（默认：办公室文件夹中的 汇总表_上季度.xlsx）
    #[arg(long, value_name = "FILE", conflicts_with = "no_previous")]
    pub previous: Option<PathBuf>,
    /// 不与上季度比较
    #[arg(long)]
    pub no_previous: bool,
    /// 不生成季度通报（通报_季度.docx 和 .txt）
    #[arg(long)]
    pub no_bulletin: bool,
}
