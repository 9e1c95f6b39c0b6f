#!/usr/bin/python3
"""Act as the clerk in LibreOffice Calc: open a 汇总表, type into cells of 稿件明细 found by the
row's title, save it as .xlsx again, close. Driven through UNO (python3-uno, Debian's
/usr/bin/python3), so the file is written by LibreOffice itself, as hers would be.

usage: lo_edit.py WORKBOOK EDITS_JSON [SAVE_AS]
EDITS_JSON: [{"title": "part of the 标题", "column": "复核决定", "value": "二级"}, ...]
An edit may name its "sheet" (default 稿件明细; 复核记录 has the same 标题 and 复核决定 columns)
and the column its "title" is found in, "by" (default 标题; 媒体认定 rows are found by 媒体名称).
SAVE_AS, when given, is where the workbook is saved ("Save as": .xlsx, .ods or .xls by its
extension) instead of over WORKBOOK.
An edit may instead name a "cell" ("IV65536") of its "sheet" (default: the first) to type into;
{"password": "1234"} saves the workbook with that password to open.
An empty value clears the cell. Exits non-zero (with a message) when a title or column is not
found, so a test cannot pass on edits that never happened.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def connect(pipe):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(200):
        try:
            return resolver.resolve(
                f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            time.sleep(0.1)
    raise SystemExit("LibreOffice did not start")


def main():
    path, edits = os.path.abspath(sys.argv[1]), json.loads(sys.argv[2])
    profile = tempfile.mkdtemp()
    pipe = f"xinxi{os.getpid()}"
    office = subprocess.Popen([
        "soffice", f"-env:UserInstallation=file://{profile}", "--headless",
        "--invisible", "--norestore", "--nologo",
        f"--accept=pipe,name={pipe};urp;"])
    try:
        ctx = connect(pipe)
        desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx)
        url = uno.systemPathToFileUrl(path)
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        password = None
        for e in edits:
            if "password" in e:
                password = e["password"]
                continue
            if "cell" in e:
                sheets = doc.Sheets
                sheet = sheets.getByName(e["sheet"]) if "sheet" in e else sheets.getByIndex(0)
                sheet.getCellRangeByName(e["cell"]).setString(e["value"])
                continue
            sheet = doc.Sheets.getByName(e.get("sheet", "稿件明细"))
            cursor = sheet.createCursor()
            cursor.gotoEndOfUsedArea(False)
            last_row = cursor.RangeAddress.EndRow
            last_col = cursor.RangeAddress.EndColumn
            header = {sheet.getCellByPosition(c, 1).String: c for c in range(last_col + 1)}
            col = header.get(e["column"])
            if col is None:
                raise SystemExit(f"no column {e['column']}")
            rows = [r for r in range(2, last_row + 1)
                    if e["title"] in sheet.getCellByPosition(header[e.get("by", "标题")], r).String]
            if not rows:
                raise SystemExit(f"no row titled {e['title']}")
            for r in rows[: e.get("rows", 1)]:
                cell = sheet.getCellByPosition(col, r)
                if e["value"] == "":
                    cell.setString("")
                else:
                    cell.setString(e["value"])
        target = os.path.abspath(sys.argv[3]) if len(sys.argv) > 3 else path
        filters = {".ods": "calc8", ".xls": "MS Excel 97"}
        kind = filters.get(os.path.splitext(target)[1].lower(), "Calc MS Excel 2007 XML")
        args = [prop("FilterName", kind), prop("Overwrite", True)]
        if password:
            args.append(prop("Password", password))
        doc.storeToURL(uno.systemPathToFileUrl(target), tuple(args))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge goes away as LibreOffice quits
    except BaseException:
        office.kill()  # a failed edit leaves no LibreOffice waiting on a dialog
        raise
    finally:
        try:
            office.wait(timeout=60)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
