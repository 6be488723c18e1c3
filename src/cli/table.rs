//! Plain-text tables for `snapshot`: columns sized to their content, wide characters counted right.

use watchfloor_core::model::links::LinkInfo;
use watchfloor_core::model::record::Record;
use watchfloor_core::model::store::Store;
use watchfloor_core::model::vocab::Kind;
use watchfloor_core::present;
use watchfloor_core::text::{fit, width};

/// Widest a column may grow before its text is cut with an ellipsis.
const MAX_COLUMN: usize = 40;

/// The column titles of a kind.
pub fn headers(kind: Kind) -> Vec<&'static str> {
    present::columns(kind).iter().map(|c| c.title).collect()
}

/// The cells of one record, in the order of [`headers`].
pub fn cells(r: &Record, links: &LinkInfo, store: &Store) -> Vec<String> {
    present::cells(r, links, store).into_iter().map(|(text, _)| text).collect()
}

/// Lays rows out in aligned columns, two spaces apart, each column as wide as its widest cell (capped).
pub fn render(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| width(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell).min(MAX_COLUMN));
        }
    }
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        let parts: Vec<String> = cells.zip(&widths).map(|(c, &w)| fit(c, w, true)).collect();
        let mut l = parts.join("  ");
        l.truncate(l.trim_end().len());
        l.push('\n');
        l
    };
    let mut out = line(&mut headers.iter().copied());
    for row in rows {
        out.push_str(&line(&mut row.iter().map(String::as_str)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_with_wide_characters() {
        let out = render(&["name", "country"], &[vec!["深圳华".into(), "cn".into()], vec!["Acme".into(), "hk".into()]]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "name    country");
        assert_eq!(lines[1], "深圳华  cn");
        assert_eq!(lines[2], "Acme    hk");
    }
}
