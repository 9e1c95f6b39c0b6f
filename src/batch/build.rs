//! One located return built: metadata read, unit and quarter identified, rows validated,
//! columns the unit left out named.

use super::*;

pub(super) fn meta_text(v: &Option<MetaValue>) -> String {
    v.as_ref()
        .map(|m| crate::text::clean_cell(&m.cell.display()))
        .unwrap_or_default()
}

/// A located table becomes a return: whose it is, which quarter, when it was filed, whether
/// columns are missing, then its rows validated. Each step adds its own problems.
pub(super) fn build_return(
    located: &Located,
    path: &Path,
    file: &str,
    rules: &Rules,
    quarter: Option<Quarter>,
    problems: &mut Vec<Problem>,
) -> Return {
    let (unit, unit_written) = identify_unit(located, path, file, rules, problems);
    let unit_name = unit.map(|i| rules.units[i].name.as_str());
    let mut own_problems = Vec::new();
    let (effective, own) = resolve_quarter(located, file, quarter, &mut own_problems);
    let (filed, late) = filed_and_lateness(located, file, rules, effective, &mut own_problems);
    column_warnings(located, file, &mut own_problems);
    problems.extend(own_problems.into_iter().map(|p| p.unit(unit_name)));

    let ctx = validate::Context {
        rules,
        quarter: effective,
        file,
        unit: unit_name,
        filed,
    };
    let (entries, row_problems) = validate::validate(&ctx, located);
    problems.extend(row_problems);

    Return {
        unit,
        unit_written,
        quarter: effective,
        declared_quarter: own,
        filed,
        contact: meta_text(&located.meta.contact),
        phone: meta_text(&located.meta.phone),
        late,
        on_template: located.marker.is_some(),
        sheet: located.sheet.clone(),
        entries,
        superseded_by: None,
    }
}

/// A warning when required columns are missing (their rows will not score).
pub(super) fn column_warnings(located: &Located, file: &str, problems: &mut Vec<Problem>) {
    let missing = located.missing_required();
    if missing.is_empty() {
        return;
    }
    let names: Vec<&str> = missing.iter().map(|c| c.header()).collect();
    problems.push(
        Problem::new(
            Severity::Warning,
            Code::F16MissingColumns,
            file,
            format!(
                "表中没有“{}”列，相关各行将因缺少该项不计分",
                names.join("”“")
            ),
        )
        .at(&located.sheet, format!("第{}行", located.header_row + 1))
        .fix("请使用报送模板，不要删除列"),
    );
}
