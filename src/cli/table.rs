//! Plain-text tables for `snapshot`: columns sized to their content, wide characters counted right.

use crate::model::record::{Body, Record};
use crate::model::vocab::Kind;
use crate::text::{fit, width};

/// Widest a column may grow before its text is cut with an ellipsis.
const MAX_COLUMN: usize = 40;

/// The column titles of a kind.
pub fn headers(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Sanctions => &["date", "authority", "action", "target", "country", "programme"],
        Kind::Suppliers => &["name", "country", "goods", "risk", "status"],
        Kind::Aid => &["donor", "title", "amount", "stage", "delivered", "changed"],
        Kind::Shortages => &["date", "category / item", "region", "severity", "status"],
    }
}

/// The cells of one record, in the order of [`headers`].
pub fn cells(r: &Record) -> Vec<String> {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let w = |v: Option<&dyn std::fmt::Display>| v.map(|v| v.to_string()).unwrap_or_default();
    match &r.body {
        Body::Sanction(x) => vec![
            r.ts.date(),
            s(&x.authority),
            w(x.action.as_ref().map(|a| a as _)),
            r.title().to_owned(),
            s(&x.country),
            s(&x.program),
        ],
        Body::Supplier(x) => vec![
            r.title().to_owned(),
            s(&x.country),
            x.goods.join(", "),
            w(x.risk.as_ref().map(|a| a as _)),
            s(&x.status),
        ],
        Body::Aid(x) => vec![
            s(&x.donor),
            r.title().to_owned(),
            x.amount.map(|a| money(a, x.currency.as_deref())).unwrap_or_default(),
            w(x.stage.as_ref().map(|a| a as _)),
            share(x.delivered, x.amount),
            r.ts.date(),
        ],
        Body::Shortage(x) => vec![
            r.ts.date(),
            match (&x.category, &x.item) {
                (Some(c), Some(i)) => format!("{c} / {i}"),
                (c, i) => c.clone().or(i.clone()).unwrap_or_default(),
            },
            s(&x.region),
            w(x.severity.as_ref().map(|a| a as _)),
            w(x.status.as_ref().map(|a| a as _)),
        ],
    }
}

/// `USD 60.8bn`, `EUR 500m`, `GBP 12,000`.
pub fn money(amount: f64, currency: Option<&str>) -> String {
    let n = if amount >= 1e9 {
        format!("{}bn", trim(amount / 1e9))
    } else if amount >= 1e6 {
        format!("{}m", trim(amount / 1e6))
    } else {
        format!("{}", amount.round() as u64)
    };
    match currency {
        Some(c) => format!("{c} {n}"),
        None => n,
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.1}");
    s.strip_suffix(".0").map(str::to_owned).unwrap_or(s)
}

/// Delivered against promised, as a percentage.
pub fn share(delivered: Option<f64>, amount: Option<f64>) -> String {
    match (delivered, amount) {
        (Some(d), Some(a)) if a > 0.0 => format!("{:.0}%", (d / a * 100.0).clamp(0.0, 100.0)),
        (Some(_), _) => "?".into(),
        _ => String::new(),
    }
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
    fn money_is_short() {
        assert_eq!(money(60.84e9, Some("USD")), "USD 60.8bn");
        assert_eq!(money(500e6, Some("EUR")), "EUR 500m");
        assert_eq!(money(12000.0, None), "12000");
    }

    #[test]
    fn columns_align_with_wide_characters() {
        let out = render(&["name", "country"], &[vec!["深圳华".into(), "cn".into()], vec!["Acme".into(), "hk".into()]]);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "name    country");
        assert_eq!(lines[1], "深圳华  cn");
        assert_eq!(lines[2], "Acme    hk");
    }
}
