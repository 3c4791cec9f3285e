//! Range tables of a sweep grid, `{ from, to, step }`: integer ranges, and
//! decimal ranges stepped exactly in decimal (with `rust_decimal`), so
//! `step = 0.1` gives exactly `0.1, 0.2, 0.3, ...` with no accumulated error.

use std::ops::Range;

use rust_decimal::Decimal;
use toml::de::{DeTable, DeValue};

use super::load::{Ctx, describe_de};
use super::spec::{MAX_POINTS, SweepError};

/// Most decimal places a range literal may have.
const MAX_DECIMAL_PLACES: u32 = 18;

/// A number literal from a range table.
#[derive(Debug, Clone, Copy)]
enum Num {
    Int(i64),
    Dec(Decimal),
}

/// Parses a TOML float literal (`1.25`, `-0.5`, `1e-3`, `2.5E+2`,
/// `1_000.5`) exactly, trailing zeros dropped so `0.50` and `0.5` agree.
/// `None` when it is not a finite number, does not fit a [`Decimal`], or has
/// more than [`MAX_DECIMAL_PLACES`] decimal places.
fn parse_decimal(literal: &str) -> Option<Decimal> {
    let s: String = literal.chars().filter(|&c| c != '_').collect();
    let (body, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => (&s[..], 0),
    };
    let mut d = Decimal::from_str_exact(body).ok()?;
    let shift = exp.unsigned_abs();
    if exp < 0 {
        d.set_scale(d.scale().checked_add(shift)?).ok()?;
    } else if shift <= d.scale() {
        d.set_scale(d.scale() - shift).ok()?;
    } else {
        // A whole number times a power of ten: at scale 0 an overflow is an
        // error, never a rounding.
        let times = shift - d.scale();
        d.set_scale(0).ok()?;
        for _ in 0..times {
            d = d.checked_mul(Decimal::TEN)?;
        }
    }
    let d = d.normalize();
    (d.scale() <= MAX_DECIMAL_PLACES).then_some(d)
}

/// The mantissa of `d` at `scale` (at least `d`'s own), or `None` when it
/// does not fit.
fn mantissa_at(d: Decimal, scale: u32) -> Option<i128> {
    let mut x = d;
    x.rescale(scale);
    (x.scale() == scale).then(|| x.mantissa())
}

/// The `f64` nearest to `mantissa * 10^-scale` (parsed from its decimal
/// text, so it is exactly what the literal would give; zero is `+0.0`).
fn decimal_to_f64(mantissa: i128, scale: u32) -> f64 {
    Decimal::try_from_i128_with_scale(mantissa, scale)
        .ok()
        .and_then(|d| d.to_string().parse::<f64>().ok())
        .map_or(f64::NAN, |x| if x == 0.0 { 0.0 } else { x })
}

pub(super) fn parse_range(
    ctx: &Ctx<'_>,
    key: &str,
    span: Range<usize>,
    table: &DeTable<'_>,
) -> Result<Vec<toml::Value>, SweepError> {
    let err_at = |span: Range<usize>, msg: String| ctx.err(Some(span), Some(key), msg);
    let expected = "expected a range like { from = 1, to = 4, step = 1 }";
    // (number, span, literal as written) for `from`, `to`, `step`.
    let mut parts: [Option<(Num, Range<usize>, String)>; 3] = [None, None, None];
    let names = ["from", "to", "step"];
    for (k, v) in table {
        let name: &str = k.get_ref();
        let Some(slot) = names.iter().position(|n| *n == name) else {
            return Err(err_at(
                k.span(),
                format!("unknown key `{name}` in range table; {expected}"),
            ));
        };
        let num = match v.get_ref() {
            DeValue::Integer(i) => {
                Num::Int(i64::from_str_radix(i.as_str(), i.radix()).map_err(|_| {
                    err_at(v.span(), format!("`{name}` = {i} does not fit in 64 bits"))
                })?)
            }
            DeValue::Float(f) => Num::Dec(parse_decimal(f.as_str()).ok_or_else(|| {
                err_at(
                    v.span(),
                    format!(
                        "`{name}` = {f}: expected a finite decimal number with at most \
                         {MAX_DECIMAL_PLACES} decimal places"
                    ),
                )
            })?),
            other => {
                return Err(err_at(
                    v.span(),
                    format!("`{name}` must be a number, found {}", describe_de(other)),
                ));
            }
        };
        parts[slot] = Some((num, v.span(), ctx.src[v.span()].trim().to_string()));
    }
    let [from, to, step] = parts;
    let missing: Vec<&str> = [&from, &to, &step]
        .iter()
        .zip(names)
        .filter(|(p, _)| p.is_none())
        .map(|(_, n)| n)
        .collect();
    let (Some(from), Some(to), Some(step)) = (from, to, step) else {
        return Err(err_at(
            span,
            format!("range is missing `{}`; {expected}", missing.join("`, `")),
        ));
    };

    // Integers are decimals with scale 0; one float makes the range decimal.
    let integer = [&from, &to, &step]
        .iter()
        .all(|(n, _, _)| matches!(n, Num::Int(_)));
    let dec = |n: Num| match n {
        Num::Int(i) => Decimal::from(i),
        Num::Dec(d) => d,
    };
    let (df, dt, ds) = (dec(from.0), dec(to.0), dec(step.0));
    // Stepping happens on the mantissas at the common scale: exact integers.
    let scale = df.scale().max(dt.scale()).max(ds.scale());
    let overflow = || {
        err_at(
            span.clone(),
            "range literals are too large to step exactly in decimal".to_string(),
        )
    };
    let f = mantissa_at(df, scale).ok_or_else(overflow)?;
    let t = mantissa_at(dt, scale).ok_or_else(overflow)?;
    let s = mantissa_at(ds, scale).ok_or_else(overflow)?;
    if s <= 0 {
        return Err(err_at(
            step.1,
            format!("`step` must be greater than 0, found {}", step.2),
        ));
    }
    if f > t {
        return Err(err_at(
            span,
            format!(
                "`from` ({}) must not be greater than `to` ({})",
                from.2, to.2
            ),
        ));
    }
    let count = t.checked_sub(f).ok_or_else(overflow)? / s + 1;
    if count > MAX_POINTS as i128 {
        return Err(err_at(
            span,
            format!(
                "the range has {count} values, more than the limit of {MAX_POINTS}; \
                 use a larger step"
            ),
        ));
    }
    // Every value lies between `from` and `to`, so nothing overflows and the
    // integer conversion never fails.
    let values = (0..count).map(|i| f + i * s);
    Ok(if integer {
        values
            .filter_map(|v| i64::try_from(v).ok().map(toml::Value::Integer))
            .collect()
    } else {
        values
            .map(|v| toml::Value::Float(decimal_to_f64(v, scale)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::super::load::parse_spec;
    use super::super::load::tests::{floats, ints, load_err, load_str};
    use super::super::spec::{MAX_POINTS, labels};
    use proptest::prelude::*;
    use std::path::Path;
    use toml::Value;

    #[test]
    fn decimal_ranges_are_exact() {
        let spec = load_str(
            r#"scenario = "s.toml"
[grid]
"simulation.a" = { from = 0.1, to = 1.0, step = 0.1 }
"simulation.b" = { from = 0, to = 0.3, step = 0.1 }
"simulation.c" = { from = 1, to = 2, step = 0.5 }
"simulation.d" = { from = 0, to = 1, step = 0.3 }
"simulation.e" = { from = -0.2, to = 0.2, step = 1e-1 }
"simulation.f" = { from = 0.05, to = 0.1, step = 0.025 }
"#,
        )
        .unwrap();
        let want: Vec<f64> = (1..=10)
            .map(|i| format!("0.{i}").replace("0.10", "1.0").parse().unwrap())
            .collect();
        assert_eq!(spec.keys[0].values, floats(&want));
        assert_eq!(spec.keys[0].values[2], Value::Float(0.3));
        assert_eq!(spec.keys[1].values, floats(&[0.0, 0.1, 0.2, 0.3]));
        assert_eq!(spec.keys[2].values, floats(&[1.0, 1.5, 2.0]));
        assert_eq!(spec.keys[3].values, floats(&[0.0, 0.3, 0.6, 0.9]));
        assert_eq!(spec.keys[4].values, floats(&[-0.2, -0.1, 0.0, 0.1, 0.2]));
        assert_eq!(spec.keys[5].values, floats(&[0.05, 0.075, 0.1]));
        let labels: Vec<String> = spec.keys[0].values.iter().map(labels).collect();
        assert_eq!(
            labels,
            [
                "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"
            ]
        );
    }

    #[test]
    fn integer_ranges_stay_integers() {
        let spec = load_str(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = -3, to = 7, step = 5 }\n\"simulation.b\" = { from = 4, to = 4, step = 1 }\n\"simulation.c\" = { from = 0x10, to = 1_000, step = 500 }\n",
        )
        .unwrap();
        assert_eq!(spec.keys[0].values, ints(&[-3, 2, 7]));
        assert_eq!(spec.keys[1].values, ints(&[4]));
        assert_eq!(spec.keys[2].values, ints(&[16, 516]));
    }

    #[test]
    fn limits() {
        load_err(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = 0, to = 100000, step = 1 }\n",
            Some(3),
            Some("simulation.a"),
            "100001 values",
        );
        // Huge ranges are refused without being expanded.
        load_err(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = -9000000000000000000, to = 9000000000000000000, step = 1 }\n",
            Some(3),
            Some("simulation.a"),
            "18000000000000000001 values",
        );
        load_err(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = 0.0, to = 1e6, step = 0.001 }\n",
            Some(3),
            Some("simulation.a"),
            "1000000001 values",
        );
        // Exactly MAX_POINTS in one range is fine.
        let spec = load_str("scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = 1, to = 100000, step = 1 }\n")
            .unwrap();
        assert_eq!(spec.len(), MAX_POINTS);
        let err = load_err(
            "scenario = \"s.toml\"\n\n[grid]\n\"simulation.a\" = { from = 1, to = 400, step = 1 }\n\"simulation.b\" = { from = 0.5, to = 200, step = 0.5 }\n\"simulation.c\" = [1, 2]\n",
            Some(3),
            Some("grid"),
            "320000 points (400 x 400 x 2)",
        );
        assert!(err.message.contains("100000"), "{err}");
    }

    #[test]
    fn literals_parse_exactly() {
        let d = |s: &str| super::parse_decimal(s).map(|d| d.to_string());
        assert_eq!(d("1.25").as_deref(), Some("1.25"));
        assert_eq!(d("+1.50").as_deref(), Some("1.5"));
        assert_eq!(d("-0.5").as_deref(), Some("-0.5"));
        assert_eq!(d("2.5E+2").as_deref(), Some("250"));
        assert_eq!(d("1e-3").as_deref(), Some("0.001"));
        assert_eq!(d("1_000.25").as_deref(), Some("1000.25"));
        assert_eq!(d("1.5e1").as_deref(), Some("15"));
        assert_eq!(d("1e18").as_deref(), Some("1000000000000000000"));
        for bad in ["inf", "-inf", "nan", "1e-19", "1e300", "1e-300"] {
            assert_eq!(d(bad), None, "{bad}");
        }
        // Zero is +0.0 whatever the sign of the literals, so its label is `0.0`.
        let spec = load_str(
            "scenario = \"s.toml\"\n[grid]\n\"simulation.a\" = { from = -0.2, to = 0.2, step = 0.1 }\n\"simulation.b\" = { from = -0.0, to = 0.0, step = 1.0 }\n",
        )
        .unwrap();
        let shown: Vec<String> = spec
            .keys
            .iter()
            .flat_map(|k| k.values.iter().map(labels))
            .collect();
        assert_eq!(shown, ["-0.2", "-0.1", "0.0", "0.1", "0.2", "0.0"]);
    }

    proptest! {
        #[test]
        fn decimal_steps_match_the_exact_decimal(
            from in -5000i64..5000, count in 1i64..60, step in 1i64..5000, places in 1u32..5,
        ) {
            let scale = 10i64.pow(places);
            let lit = |m: i64| {
                let sign = if m < 0 { "-" } else { "" };
                let a = m.unsigned_abs();
                let s = scale as u64;
                format!("{sign}{}.{:0width$}", a / s, a % s, width = places as usize)
            };
            let to = from + (count - 1) * step;
            let text = format!(
                "scenario = \"s.toml\"\n[grid]\n\"simulation.x\" = {{ from = {}, to = {}, step = {} }}\n",
                lit(from), lit(to), lit(step)
            );
            let spec = parse_spec(Path::new("p.toml"), &text).unwrap();
            let got = &spec.keys[0].values;
            prop_assert_eq!(got.len() as i64, count);
            for (i, v) in got.iter().enumerate() {
                let want: f64 = lit(from + i as i64 * step).parse().unwrap();
                prop_assert_eq!(v, &Value::Float(want));
            }
        }
    }
}
