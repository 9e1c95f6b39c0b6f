//! `archive`: the office's archive of every quarter (资料库.xlsx), or `--find`: the items whose
//! title, author or outlet contain the words, printed.

use crate::archive::Archive;
use crate::cli::ArchiveArgs;
use crate::pipeline::archive::{archive, ArchiveOptions};
use std::process::ExitCode;

pub fn run(args: ArchiveArgs) -> anyhow::Result<ExitCode> {
    let opts = ArchiveOptions {
        folder: args.folder,
        out: args.out,
        finding: !args.find.is_empty(),
        now: super::consolidate::now()?,
    };
    let done = archive(&opts, &crate::write::lock::say_waiting)?;
    let a = &done.archive;
    if opts.finding {
        print!("{}", found(a, &args.find));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "资料库：{} 个季度（{}至{}），稿件 {} 篇",
        a.quarters.len(),
        a.quarters.first().map(|q| q.quarter.as_str()).unwrap_or(""),
        a.quarters.last().map(|q| q.quarter.as_str()).unwrap_or(""),
        a.items.len()
    );
    for s in &a.set_aside {
        println!("未使用：{}（{}）", s.file, s.why);
    }
    for o in &done.written {
        println!("输出：{o}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The matching items, one a line, and how many.
fn found(a: &Archive, words: &[String]) -> String {
    let hits = a.find(words);
    let mut out = format!("查找“{}”：{} 篇\n", words.join(" "), hits.len());
    for i in hits {
        let r = &i.row;
        out.push_str(&format!(
            "  {}  {}  {}  《{}》 {}  {}  {}分  {}\n",
            Archive::quarter_of(i),
            r.unit,
            r.title,
            r.outlet.trim_matches(|c| c == '《' || c == '》'),
            r.date,
            r.authors,
            r.points,
            r.status
        ));
    }
    for s in &a.set_aside {
        out.push_str(&format!("未使用：{}（{}）\n", s.file, s.why));
    }
    out
}
