#!/usr/bin/python3
"""Act as the clerk in LibreOffice Calc: open a 汇总表, type into cells of 稿件明细 found by the
row's title, save it as .xlsx again, close. Driven through UNO (python3-uno, Debian's
/usr/bin/python3), so the file is written by LibreOffice itself, as hers would be.

usage: lo_edit.py WORKBOOK EDITS_JSON
EDITS_JSON: [{"title": "part of the 标题", "column": "复核决定", "value": "二级"}, ...]
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
        sheet = doc.Sheets.getByName("稿件明细")
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last_row = cursor.RangeAddress.EndRow
        last_col = cursor.RangeAddress.EndColumn
        header = {sheet.getCellByPosition(c, 1).String: c for c in range(last_col + 1)}
        for e in edits:
            col = header.get(e["column"])
            if col is None:
                raise SystemExit(f"no column {e['column']}")
            rows = [r for r in range(2, last_row + 1)
                    if e["title"] in sheet.getCellByPosition(header["标题"], r).String]
            if not rows:
                raise SystemExit(f"no row titled {e['title']}")
            for r in rows[: e.get("rows", 1)]:
                cell = sheet.getCellByPosition(col, r)
                if e["value"] == "":
                    cell.setString("")
                else:
                    cell.setString(e["value"])
        doc.storeToURL(url, (prop("FilterName", "Calc MS Excel 2007 XML"),
                             prop("Overwrite", True)))
        doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass  # the bridge goes away as LibreOffice quits
    finally:
        try:
            office.wait(timeout=60)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
