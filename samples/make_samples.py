#!/usr/bin/env python3
"""Regenerate samples/2026Q3: a realistic quarter of returns, as units send them.

One file per roster unit but one missing (松原), with the messy cases of SPEC §4: returns on the
template and on units' own sheets, a renamed sheet with title rows, text dates, an alias unit
name, two versions from one unit, a late return, a GBK csv, an .xls saved by LibreOffice, an
office lock file and a stray file; rows with an unlisted outlet, a near miss, 一稿多投, 补报, an
item after the deadline, and a cross-unit duplicate.

Needs python3 with openpyxl, cargo (to make the templates) and LibreOffice (for the .xls).
Run from the repository root:  python3 samples/make_samples.py
"""
import csv, datetime as dt, io, os, shutil, subprocess, tempfile

import openpyxl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "samples", "2026Q3")
D = dt.date
HEAD = ["序号", "稿件类别", "标题", "刊发媒体", "媒体类别", "刊发日期", "期号版面", "作者", "审核人", "签发人", "备注"]

NEWS, INFO = "宣传报道", "政务信息"


def r(cat, title, outlet, date, authors="", kind="", issue="", reviewer="办公室主任", signer="分管副局长", remark=""):
    return [cat, title, outlet, kind, date, issue, authors, reviewer, signer, remark]


UNITS = {
    "长春": [
        r(NEWS, "长春：“数字烟草”建设助力零售终端升级", "东方烟草报", D(2026, 7, 8), "张伟、刘洋", issue="第2版"),
        r(NEWS, "长春市局开展夏季卷烟市场专项整治", "中国烟草网", D(2026, 7, 21), "刘洋"),
        r(NEWS, "长春：零售户诚信经营星级评定工作全面启动", "东方烟草报", D(2026, 8, 12), "张伟", issue="第3版"),
        # 一稿多投: the same piece again in a city newspaper.
        r(NEWS, "长春：零售户诚信经营星级评定工作全面启动", "长春晚报", D(2026, 8, 14), "张伟", kind="其他媒体"),
        r(NEWS, "长春市局推进卷烟物流配送降本增效", "中国烟草", D(2026, 9, 3), "王磊"),
        r(NEWS, "长春市局召开服务零售户座谈会", "东方烟草报", D(2026, 9, 10), "刘洋"),
        r(INFO, "长春市局关于打击涉烟违法犯罪的情况报告", "领导参阅", D(2026, 8, 20), "赵敏"),
        r(INFO, "长春市局第三季度专卖管理工作情况", "吉林烟草工作动态", D(2026, 9, 5), "赵敏"),
        # Cross-unit duplicate with 延边.
        r(NEWS, "全省烟草系统安全生产现场会在延吉召开", "吉林烟草在线", D(2026, 8, 28), "王磊"),
    ],
    "吉林_初稿": [
        r(NEWS, "吉林市局深化卷烟营销市场化取向改革", "东方烟草报", D(2026, 7, 15), "陈静"),
        r(NEWS, "吉林：烟叶收购准备工作有序推进", "中国烟草网", D(2026, 8, 6), "孙涛"),
    ],
    "吉林_修改稿": [
        r(NEWS, "吉林市局深化卷烟营销市场化取向改革", "东方烟草报", D(2026, 7, 15), "陈静"),
        r(NEWS, "吉林市局青年志愿者走进零售户", "中国烟草网", D(2026, 7, 29), "孙涛"),
        r(NEWS, "吉林：烟叶收购准备工作有序推进", "中国烟草网", D(2026, 8, 6), "孙涛"),
        r(NEWS, "吉林市局举办零售户经营培训班", "东方烟草报", D(2026, 8, 19), "陈静"),
        r(NEWS, "吉林市局推进智慧物流建设", "中国烟草", D(2026, 9, 2), "陈静、孙涛"),
        r(NEWS, "吉林：专卖执法规范化建设见成效", "东方烟草报", D(2026, 9, 9), "孙涛"),
        r(INFO, "吉林市局关于卷烟市场运行情况的分析", "情况反映", D(2026, 8, 25), "李娜"),
        r(INFO, "吉林市局创新举措服务地方经济发展", "吉林日报内参", D(2026, 9, 12), "李娜", kind="市级以上党委政府信息刊物"),
    ],
    "四平": [
        r(NEWS, "四平：精准服务让零售户更有获得感", "东方烟草报", "2026.7.16", "周强"),
        r(NEWS, "四平市局开展打假破网专项行动", "中国烟草网", "2026年8月11日", "周强、吴芳"),
        r(NEWS, "四平市局推进党建与业务深度融合", "东方烟草报", "9月8日", "吴芳"),
        r(INFO, "四平市局关于烟叶生产的调研报告", "烟草政务信息", "2026/8/30", "郑华"),
        r(NEWS, "四平：卷烟零售终端建设调研", "四平日报", "2026-08-02", "周强", kind="市级以上党委政府新闻媒体"),
    ],
    "辽源": [
        r(NEWS, "辽源市局开展“诚信经营”主题宣传月活动", "东方烟草报", D(2026, 7, 9), "冯涛"),
        r(NEWS, "辽源：零售户经营数据分析助力精准营销", "中国烟草网", D(2026, 8, 13), "冯涛"),
        r(NEWS, "辽源市局召开上半年工作总结会", "吉林烟草在线", D(2026, 7, 3), "韩梅"),
    ],
    "通化": [
        r(NEWS, "通化市局：山区卷烟配送“最后一公里”提速", "东方烟草", "2026-07-14", "杨帆", kind="其他媒体"),
        r(NEWS, "通化市局开展卷烟市场秩序检查", "通化日报", "2026-08-09", "杨帆", kind="市级以上党委政府新闻媒体"),
        r(NEWS, "通化：零售户诚信等级评定结果公布", "中国烟草网", "2026-09-04", "杨帆"),
        r(INFO, "通化市局关于边境地区卷烟市场情况的报告", "国烟办通报", "2026-08-18", "许丽"),
        r(INFO, "通化市局深化“放管服”改革情况", "通化政务信息", "2026-09-11", "许丽", kind="市级以上党委政府信息刊物"),
    ],
    "白山": [
        # 补报: published after the Q2 deadline (20 June).
        r(NEWS, "白山市局举办专卖执法业务技能竞赛", "东方烟草报", D(2026, 6, 26), "高远"),
        r(NEWS, "白山：林区零售网点建设稳步推进", "中国烟草网", D(2026, 7, 22), "高远"),
        r(NEWS, "白山市局开展安全生产月活动", "东方烟草报", D(2026, 8, 17), "高远", signer=""),
        r(NEWS, "白山：卷烟品牌培育成效明显", "中国烟草", D(2026, 9, 15), "林静"),
        # After the deadline: belongs to the next quarter.
        r(NEWS, "白山市局召开第三季度经济运行分析会", "东方烟草报", D(2026, 9, 24), "林静"),
        r(INFO, "白山市局关于烟叶收购工作的汇报", "领导参阅", D(2026, 8, 3), "林静"),
    ],
    "白城": [
        r(NEWS, "白城：推进烟草扶贫项目落地见效", "东方烟草报", D(2026, 7, 20), "马骏"),
        r(NEWS, "白城市局开展零售户法律知识培训", "中国烟草网", D(2026, 8, 24), "马骏"),
        r(NEWS, "白城市局组织开展消防应急演练", "东方烟草报", D(2026, 9, 7), "马骏"),
        r(INFO, "白城市局关于卷烟销售形势的分析", "白城信息", D(2026, 9, 1), "丁一", kind="市级以上党委政府信息刊物"),
    ],
    "延边": [
        r(NEWS, "延边州局：边境地区专卖管理协作机制见成效", "东方烟草报", D(2026, 7, 10), "金哲"),
        r(NEWS, "延边州局推进双语服务零售户", "中国烟草网", D(2026, 8, 7), "金哲、朴英"),
        r(NEWS, "全省烟草系统安全生产现场会在延吉召开", "东方烟草报", D(2026, 8, 27), "朴英"),
        r(NEWS, "延边州局开展民族团结进步创建活动", "中国烟草", D(2026, 9, 9), "朴英"),
        r(INFO, "延边州局关于边境卷烟走私情况的报告", "情况反映", D(2026, 7, 30), "崔明"),
        r(INFO, "延边州局第三季度工作要点", "烟草政务信息", D(2026, 9, 14), "崔明"),
    ],
}


def fill_template(src, dst, rows, filed, contact=("", "")):
    wb = openpyxl.load_workbook(src)
    ws = wb["稿件明细"]
    ws["B3"], ws["E3"], ws["G3"] = contact[0], contact[1], filed
    for i, row in enumerate(rows):
        for j, v in enumerate(row):
            if v not in ("", None):
                ws.cell(7 + i, 2 + j, v)
    wb.save(dst)


def own_sheet(dst, rows, unit_label, filed_text):
    """A unit's own layout: renamed sheet, title rows, synonyms, text dates."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "三季度"
    ws["A1"] = "2026年第三季度政务信息宣传报道统计表"
    ws.merge_cells("A1:J1")
    ws["A2"] = f"填报单位：{unit_label}"
    ws["F2"] = f"填报日期：{filed_text}"
    ws.append([])
    ws.append(["序号", "类别", "稿件标题", "刊物名称", "媒体类别", "发表日期", "版面", "撰稿人", "审核", "签发", "备注"])
    for i, row in enumerate(rows, 1):
        ws.append([i, *row])
    wb.save(dst)


def gbk_csv(dst, rows):
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["报送单位", "通化市局"])
    w.writerow(["填报日期", "2026-09-17"])
    w.writerow(HEAD[1:])
    for row in rows:
        w.writerow(row)
    with open(dst, "wb") as f:
        f.write(buf.getvalue().encode("gbk"))


def copies(profile):
    """Evidence copies (SPEC §12), as units send them: an e-paper page printed to PDF holding two
    of 吉林's pieces, its file named for the unit (matched by text); a Word file of 通化's
    (matched by text, the unit by its name); a phone photo named by 长春's title (matched by
    name). Made by LibreOffice."""
    tmp = tempfile.mkdtemp()
    page = os.path.join(tmp, "吉林市局_东方烟草报2026-07-15第2版.html")
    with open(page, "w", encoding="utf-8") as f:
        f.write("<html><head><meta charset='utf-8'></head><body><h1>东方烟草报 2026年7月15日 第2版</h1>"
                "<h2>吉林市局深化卷烟营销市场化取向改革</h2><p>本报讯 吉林市局……</p>"
                "<h2>吉林市局举办零售户经营培训班</h2><p>本报讯 近日，吉林市局……</p></body></html>")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", OUT, page], check=True, capture_output=True)
    doc = os.path.join(tmp, "通化稿件.html")
    with open(doc, "w", encoding="utf-8") as f:
        f.write("<html><head><meta charset='utf-8'></head><body><p>中国烟草网 2026-09-04</p>"
                "<p>通化：零售户诚信等级评定结果公布</p><p>……</p></body></html>")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "docx:MS Word 2007 XML", "--outdir", OUT, doc], check=True, capture_output=True)
    import struct, zlib
    w, h = 8, 8
    raw = b"".join(b"\x00" + bytes([200, 60, 40]) * w for _ in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    with open(os.path.join(OUT, "长春：“数字烟草”建设助力零售终端升级.png"), "wb") as f:
        f.write(png)
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    if os.path.exists(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    tmp = tempfile.mkdtemp()
    subprocess.run(["cargo", "run", "-q", "--", "template", "--quarter", "2026Q3", "--out", tmp], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    tpl = lambda name: os.path.join(tmp, f"2026Q3_{name}_报送模板.xlsx")

    fill_template(tpl("长春市局（分公司）"), os.path.join(OUT, "长春市局2026年三季度报送表.xlsx"), UNITS["长春"],
                  D(2026, 9, 18), ("刘洋", "0431-8888001"))
    fill_template(tpl("吉林市局（分公司）"), os.path.join(OUT, "吉林市局_初稿.xlsx"), UNITS["吉林_初稿"], D(2026, 9, 10),
                  ("陈静", "0432-6666001"))
    fill_template(tpl("吉林市局（分公司）"), os.path.join(OUT, "吉林市局_修改稿.xlsx"), UNITS["吉林_修改稿"], D(2026, 9, 16),
                  ("陈静", "0432-6666001"))
    own_sheet(os.path.join(OUT, "四平信息报送.xlsx"), UNITS["四平"], "四平市烟草专卖局", "2026年9月19日")
    fill_template(tpl("辽源市局（分公司）"), os.path.join(OUT, "辽源市局（逾期）.xlsx"), UNITS["辽源"], D(2026, 9, 23),
                  ("冯涛", "0437-5555001"))
    gbk_csv(os.path.join(OUT, "通化.csv"), UNITS["通化"])
    fill_template(tpl("白山市局（分公司）"), os.path.join(OUT, "白山市局.xlsx"), UNITS["白山"], D(2026, 9, 19),
                  ("高远", "0439-3333001"))
    fill_template(tpl("白城市局（分公司）"), os.path.join(tmp, "白城市局.xlsx"), UNITS["白城"], D(2026, 9, 15),
                  ("马骏", "0436-2222001"))
    profile = tempfile.mkdtemp()
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xls",
                    "--outdir", OUT, os.path.join(tmp, "白城市局.xlsx")], check=True, capture_output=True)
    fill_template(tpl("延边州局（分公司）"), os.path.join(OUT, "延边州局.xlsx"), UNITS["延边"], D(2026, 9, 20),
                  ("金哲", "0433-1111001"))
    # What else lands in the folder: an office lock file and a stray document.
    with open(os.path.join(OUT, "~$长春市局2026年三季度报送表.xlsx"), "wb") as f:
        f.write(b"\x00" * 165)
    with open(os.path.join(OUT, "报送要求.pdf"), "wb") as f:
        f.write(b"%PDF-1.4\n% sample\n")
    copies(profile)
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.rmtree(profile, ignore_errors=True)
    # Fixed file times so that "newest file" does not depend on when this ran.
    for i, name in enumerate(sorted(os.listdir(OUT))):
        t = dt.datetime(2026, 9, 21, 9, 0).timestamp() + i * 60
        os.utime(os.path.join(OUT, name), (t, t))


if __name__ == "__main__":
    main()
