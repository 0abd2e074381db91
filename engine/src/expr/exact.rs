//! `+ - * /` on decimals, computed exactly and rounded once (docs/form-language.md#numbers).
//!
//! `rust_decimal`'s own operations round a result that does not fit its 96-bit mantissa
//! to 29 digits, and the evaluator then had to round again to 28: a sum like
//! `1000000000000000000000000001 + 0.49` came out as …002 (…001.49 → …001.5 → …002)
//! instead of …001. Here the exact result is formed in a 56-digit integer ([`Wide`]),
//! and rounded half to even once, to 28 significant digits and at most 28 places (the
//! most a `Decimal` holds). A result of magnitude 10^28 or more is `None` (empty), and
//! so is a division by zero.

use std::cmp::Ordering;

use rust_decimal::Decimal;

/// 10^28: one limb of a [`Wide`], and the first magnitude that is too large.
const LIMB: u128 = 10_000_000_000_000_000_000_000_000_000;
/// Significant digits a result keeps.
const DIGITS: u32 = 28;
/// Places a `Decimal` can hold.
const MAX_SCALE: u32 = 28;

/// A non-negative integer `hi * 10^28 + lo` with `lo < 10^28`: room for the exact product
/// of two mantissas and for the sum of two aligned ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Wide {
    hi: u128,
    lo: u128,
}

impl Wide {
    fn of(x: u128) -> Wide {
        Wide { hi: x / LIMB, lo: x % LIMB }
    }

    /// `x * 10^k`, or `None` when it does not fit.
    fn shifted(x: u128, k: u32) -> Option<Wide> {
        if k >= DIGITS {
            return Some(Wide { hi: x.checked_mul(10u128.checked_pow(k - DIGITS)?)?, lo: 0 });
        }
        let split = 10u128.pow(DIGITS - k);
        let (xh, xl) = (x / split, x % split);
        // xl < 10^(28-k), so xl * 10^k < 10^28: it is the low limb.
        Some(Wide { hi: xh, lo: xl * 10u128.pow(k) })
    }

    fn add(self, o: Wide) -> Option<Wide> {
        let lo = self.lo + o.lo;
        let (lo, carry) = if lo >= LIMB { (lo - LIMB, 1) } else { (lo, 0) };
        Some(Wide { hi: self.hi.checked_add(o.hi)?.checked_add(carry)?, lo })
    }

    /// `self - o` for `self >= o`.
    fn sub(self, o: Wide) -> Wide {
        if self.lo >= o.lo {
            Wide { hi: self.hi - o.hi, lo: self.lo - o.lo }
        } else {
            Wide { hi: self.hi - o.hi - 1, lo: self.lo + LIMB - o.lo }
        }
    }

    /// The exact product of two mantissas below 2^96 (< 10^29).
    fn mul(x: u128, y: u128) -> Wide {
        const HALF: u128 = 100_000_000_000_000; // 10^14
        let (xh, xl, yh, yl) = (x / HALF, x % HALF, y / HALF, y % HALF);
        // Each partial product is below 10^30; the cross term is split at 10^14.
        let cross = xh * yl + xl * yh;
        let (ch, cl) = (cross / HALF, cross % HALF);
        let low = xl * yl + cl * HALF;
        Wide { hi: xh * yh + ch + low / LIMB, lo: low % LIMB }
    }

    fn digits(self) -> u32 {
        let d = |x: u128| x.checked_ilog10().map_or(0, |l| l + 1);
        if self.hi > 0 { DIGITS + d(self.hi) } else { d(self.lo) }
    }

    /// `(self / 10^k, self % 10^k)` for `k >= 1`; the quotient must fit one `u128`.
    fn div_pow10(self, k: u32) -> Option<(u128, Wide)> {
        let q = if k >= DIGITS {
            self.hi / 10u128.checked_pow(k - DIGITS)?
        } else {
            self.hi.checked_mul(10u128.pow(DIGITS - k))?.checked_add(self.lo / 10u128.pow(k))?
        };
        Some((q, self.sub(Wide::shifted(q, k)?)))
    }
}

/// Rounds `n * 10^-scale` once, half to even, to at most 28 significant digits and 28
/// places; `sticky` says that something non-zero below `n` was already cut off (a
/// division's remainder). The result is `(mantissa, scale)` with a scale that may be
/// negative for large values.
fn round_once(n: Wide, scale: i64, sticky: bool) -> Option<(u128, i64)> {
    let by_digits = i64::from(n.digits()) - i64::from(DIGITS);
    let by_scale = scale - i64::from(MAX_SCALE);
    let k = by_digits.max(by_scale).max(0);
    if k == 0 {
        // Fits, so a single limb (`digits <= 28`).
        return Some((n.lo, scale));
    }
    let k32 = u32::try_from(k).ok()?;
    if k32 > 2 * DIGITS + 1 {
        // Everything is cut: the value is below half a unit of the last place kept.
        return Some((0, scale - k));
    }
    let (q, rest) = n.div_pow10(k32)?;
    let half = Wide::shifted(5, k32 - 1)?;
    let up = match rest.cmp(&half) {
        Ordering::Greater => true,
        Ordering::Less => false,
        Ordering::Equal => sticky || q % 2 == 1,
    };
    Some((q + u128::from(up), scale - k))
}

/// Builds the decimal, `None` from 10^28 on.
fn build(negative: bool, mantissa: u128, scale: i64) -> Option<Decimal> {
    let (mantissa, scale) = if scale < 0 {
        (mantissa.checked_mul(10u128.checked_pow(u32::try_from(-scale).ok()?)?)?, 0)
    } else {
        (mantissa, u32::try_from(scale).ok()?)
    };
    // mantissa * 10^-scale >= 10^28? (Never for a mantissa below 10^28, the common case,
    // which skips the wide division.)
    if mantissa >= LIMB && Wide::of(mantissa) >= Wide::shifted(1, DIGITS + scale)? {
        return None;
    }
    let m = i128::try_from(mantissa).ok()?;
    let d = Decimal::try_from_i128_with_scale(if negative { -m } else { m }, scale).ok()?;
    Some(d.normalize())
}

fn parts(d: Decimal) -> (bool, u128, i64) {
    (d.is_sign_negative() && !d.is_zero(), d.mantissa().unsigned_abs(), i64::from(d.scale()))
}

/// `a + b`, rounded once; `None` from 10^28 on.
pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
    let ((na, ma, sa), (nb, mb, sb)) = (parts(a), parts(b));
    let s = sa.max(sb);
    if let Some((negative, m)) = add_narrow((na, ma, sa), (nb, mb, sb), s) {
        return build(negative, m, s);
    }
    // Both scales are at most 28, so each shift is at most 28 places.
    let wa = Wide::shifted(ma, u32::try_from(s - sa).ok()?)?;
    let wb = Wide::shifted(mb, u32::try_from(s - sb).ok()?)?;
    let (negative, sum) = if na == nb {
        (na, wa.add(wb)?)
    } else if wa >= wb {
        (na, wa.sub(wb))
    } else {
        (nb, wb.sub(wa))
    };
    let (m, scale) = round_once(sum, s, false)?;
    build(negative, m, scale)
}

/// `a + b` aligned to scale `s` when the aligned operands and the result are below 10^28:
/// then nothing is rounded (at most 28 digits, `s` at most 28 places), and the result is
/// what the wide path gives, without its 128-bit divisions. `None`: take the wide path.
fn add_narrow((na, ma, sa): (bool, u128, i64), (nb, mb, sb): (bool, u128, i64), s: i64) -> Option<(bool, u128)> {
    let align = |m: u128, from: i64| m.checked_mul(10u128.checked_pow(u32::try_from(s - from).ok()?)?);
    let (wa, wb) = (align(ma, sa)?, align(mb, sb)?);
    let (negative, m) = if na == nb {
        (na, wa.checked_add(wb)?)
    } else if wa >= wb {
        (na, wa - wb)
    } else {
        (nb, wb - wa)
    };
    (m < LIMB && s <= i64::from(MAX_SCALE)).then_some((negative, m))
}

/// The sum of `terms`, exact until the end and then rounded once (`sum(g, expr)`: one
/// result, however many entries); `None` when it is 10^28 or more. Every term is aligned
/// to 28 places, so each fits a [`Wide`], and positive and negative terms are added
/// apart so that no intermediate rounding or sign handling is needed.
pub fn sum(terms: impl IntoIterator<Item = Decimal>) -> Option<Decimal> {
    let (mut pos, mut neg) = (Wide::of(0), Wide::of(0));
    for t in terms {
        let (negative, m, s) = parts(t);
        let w = Wide::shifted(m, u32::try_from(i64::from(MAX_SCALE) - s).ok()?)?;
        if negative {
            neg = neg.add(w)?;
        } else {
            pos = pos.add(w)?;
        }
    }
    let (negative, total) = if pos >= neg { (false, pos.sub(neg)) } else { (true, neg.sub(pos)) };
    let (m, scale) = round_once(total, i64::from(MAX_SCALE), false)?;
    build(negative, m, scale)
}

/// `a - b`, rounded once.
pub fn sub(a: Decimal, b: Decimal) -> Option<Decimal> {
    add(a, -b)
}

/// `a * b`, rounded once.
pub fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let ((na, ma, sa), (nb, mb, sb)) = (parts(a), parts(b));
    // A product below 10^28 with at most 28 places needs no rounding: the wide path would
    // give it as it is.
    if let Some(m) = ma.checked_mul(mb).filter(|m| *m < LIMB && sa + sb <= i64::from(MAX_SCALE)) {
        return build(na != nb, m, sa + sb);
    }
    let (m, scale) = round_once(Wide::mul(ma, mb), sa + sb, false)?;
    build(na != nb, m, scale)
}

/// `a / b`, rounded once; `None` for `b == 0`.
pub fn div(a: Decimal, b: Decimal) -> Option<Decimal> {
    let ((na, ma, sa), (nb, mb, sb)) = (parts(a), parts(b));
    if mb == 0 {
        return None;
    }
    // Long division, one digit at a time: the remainder stays below the divisor (< 10^29),
    // so ten times it fits a u128. Digits are produced until 28 significant digits, 28
    // places, or an exact end; one more digit and the remainder decide the rounding.
    // (`q < LIMB` is the same as "at most 28 digits".)
    let mut q = ma / mb;
    let mut r = ma % mb;
    let mut scale = sa - sb;
    if mb < 1 << 59 {
        // A divisor below 2^59 (every divisor a form writes): ten times the remainder fits
        // 64 bits, and each digit costs a 64-bit division instead of a 128-bit one.
        let (m, mut r64) = (mb as u64, r as u64);
        while r64 != 0 && q < LIMB && scale < i64::from(MAX_SCALE) + 1 {
            let t = r64 * 10;
            q = q * 10 + u128::from(t / m);
            r64 = t % m;
            scale += 1;
        }
        r = u128::from(r64);
    }
    while r != 0 && q < LIMB && scale < i64::from(MAX_SCALE) + 1 {
        let t = r * 10;
        q = q.checked_mul(10)? + t / mb;
        r = t % mb;
        scale += 1;
    }
    let (m, scale) = round_once(Wide::of(q), scale, r != 0)?;
    build(na != nb, m, scale)
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    /// The operations as they were before the narrow paths: always through [`Wide`].
    mod wide {
        use super::super::*;

        pub fn add(a: Decimal, b: Decimal) -> Option<Decimal> {
            let ((na, ma, sa), (nb, mb, sb)) = (parts(a), parts(b));
            let s = sa.max(sb);
            let wa = Wide::shifted(ma, u32::try_from(s - sa).ok()?)?;
            let wb = Wide::shifted(mb, u32::try_from(s - sb).ok()?)?;
            let (negative, sum) = if na == nb {
                (na, wa.add(wb)?)
            } else if wa >= wb {
                (na, wa.sub(wb))
            } else {
                (nb, wb.sub(wa))
            };
            let (m, scale) = round_once(sum, s, false)?;
            build(negative, m, scale)
        }

        pub fn mul(a: Decimal, b: Decimal) -> Option<Decimal> {
            let ((na, ma, sa), (nb, mb, sb)) = (parts(a), parts(b));
            let (m, scale) = round_once(Wide::mul(ma, mb), sa + sb, false)?;
            build(na != nb, m, scale)
        }

        pub fn div(a: Decimal, b: Decimal) -> Option<Decimal> {
            let ((na, ma, sa), (nb, mb, sb)) = (parts(a), parts(b));
            if mb == 0 {
                return None;
            }
            let mut q = ma / mb;
            let mut r = ma % mb;
            let mut scale = sa - sb;
            while r != 0 && q < LIMB && scale < i64::from(MAX_SCALE) + 1 && Wide::of(q).digits() <= DIGITS {
                let t = r * 10;
                q = q.checked_mul(10)? + t / mb;
                r = t % mb;
                scale += 1;
            }
            let (m, scale) = round_once(Wide::of(q), scale, r != 0)?;
            build(na != nb, m, scale)
        }
    }

    /// A decimal from its parts: small mantissas (what forms compute with) as often as any.
    fn decimal() -> impl proptest::strategy::Strategy<Value = Decimal> {
        use proptest::prelude::*;
        let mantissa = prop_oneof![0u128..1000, 0u128..10_000_000_000, 0u128..(1u128 << 96)];
        (mantissa, 0u32..=28, any::<bool>()).prop_map(|(m, s, neg)| {
            let m = i128::try_from(m).unwrap();
            Decimal::from_i128_with_scale(if neg { -m } else { m }, s)
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]

        /// The narrow paths (operands and results that fit, divisors below 2^59) give what
        /// the wide path gives, digit for digit.
        #[test]
        fn narrow_paths_agree_with_the_wide_path(a in decimal(), b in decimal()) {
            proptest::prop_assert_eq!(add(a, b), wide::add(a, b));
            proptest::prop_assert_eq!(sub(a, b), wide::add(a, -b));
            proptest::prop_assert_eq!(mul(a, b), wide::mul(a, b));
            proptest::prop_assert_eq!(div(a, b), wide::div(a, b));
        }
    }

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn show(x: Option<Decimal>) -> Option<String> {
        x.map(|x| x.normalize().to_string())
    }

    #[test]
    fn exact_results_stay_exact() {
        assert_eq!(show(add(d("0.1"), d("0.2"))).as_deref(), Some("0.3"));
        assert_eq!(show(sub(d("3.50"), d("5"))).as_deref(), Some("-1.5"));
        assert_eq!(show(mul(d("-2.5"), d("-4"))).as_deref(), Some("10"));
        assert_eq!(show(div(d("10"), d("4"))).as_deref(), Some("2.5"));
        assert_eq!(show(div(d("1"), d("0.001"))).as_deref(), Some("1000"));
        assert_eq!(show(div(d("0"), d("7"))).as_deref(), Some("0"));
        assert_eq!(show(sub(d("2"), d("2"))).as_deref(), Some("0"));
    }

    #[test]
    fn a_sum_is_rounded_once() {
        // …001.49 is …001 to 28 digits; rounding to 29 digits first (…001.5) gave …002.
        assert_eq!(show(add(d("1000000000000000000000000001"), d("0.49"))).as_deref(), Some("1000000000000000000000000001"));
        assert_eq!(show(add(d("1000000000000000000000000001"), d("0.5"))).as_deref(), Some("1000000000000000000000000002"));
        assert_eq!(show(add(d("1000000000000000000000000000"), d("0.5"))).as_deref(), Some("1000000000000000000000000000"));
        assert_eq!(show(sub(d("1000000000000000000000000001"), d("0.51"))).as_deref(), Some("1000000000000000000000000000"));
        // A far smaller addend only decides a tie-free rounding: nothing changes.
        assert_eq!(
            show(add(d("1000000000000000000000000000"), d("0.0000000000000000000000000001"))).as_deref(),
            Some("1000000000000000000000000000")
        );
        assert_eq!(show(mul(d("1.000000000000000000000000001"), d("1.49"))).as_deref(), Some("1.490000000000000000000000001"));
    }

    #[test]
    fn division_is_rounded_once_half_to_even() {
        assert_eq!(show(div(d("1"), d("3"))).as_deref(), Some("0.3333333333333333333333333333"));
        assert_eq!(show(div(d("2"), d("3"))).as_deref(), Some("0.6666666666666666666666666667"));
        assert_eq!(show(div(d("20"), d("3"))).as_deref(), Some("6.666666666666666666666666667"));
        assert_eq!(show(div(d("-1"), d("7"))).as_deref(), Some("-0.1428571428571428571428571429"));
        // A tie at the 28th digit goes to the even digit; anything beyond it goes up.
        assert_eq!(show(div(d("1000000000000000000000000001"), d("2"))).as_deref(), Some("500000000000000000000000000.5"));
        assert_eq!(show(div(d("2000000000000000000000000001"), d("20"))).as_deref(), Some("100000000000000000000000000"));
        assert_eq!(show(div(d("2000000000000000000000000003"), d("20"))).as_deref(), Some("100000000000000000000000000.2"));
        assert_eq!(div(d("1"), d("0")), None);
    }

    #[test]
    fn a_sum_of_many_terms_is_rounded_once_at_the_end() {
        let terms = |xs: &[&str]| xs.iter().map(|x| d(x)).collect::<Vec<_>>();
        // Added one by one, each step rounds: …001 + 0.3 → …001, + 0.3 → …001 again.
        // The sum is …001.6, which is …002.
        assert_eq!(show(sum(terms(&["1000000000000000000000000001", "0.3", "0.3"]))).as_deref(), Some("1000000000000000000000000002"));
        assert_eq!(show(sum(terms(&["-2.5", "1", "0.25"]))).as_deref(), Some("-1.25"));
        assert_eq!(show(sum(Vec::new())).as_deref(), Some("0"));
        // Only the result counts: a partial sum beyond 10^28 that comes back is fine.
        assert_eq!(show(sum(terms(&["9999999999999999999999999999", "9", "-9"]))).as_deref(), Some("9999999999999999999999999999"));
        assert_eq!(sum(terms(&["9999999999999999999999999999", "1"])), None);
    }

    #[test]
    fn too_large_is_none() {
        assert_eq!(add(d("9999999999999999999999999999"), d("1")), None);
        assert_eq!(mul(d("5000000000000000000000000000"), d("2")), None);
        assert_eq!(div(d("1000000000000000000000000000"), d("0.1")), None);
        assert_eq!(show(add(d("9999999999999999999999999998"), d("1"))).as_deref(), Some("9999999999999999999999999999"));
        // Rounding up to 10^28 is too large as well.
        assert_eq!(add(d("9999999999999999999999999999"), d("0.5")), None);
    }

    #[test]
    fn at_most_28_places() {
        // The most a Decimal holds: values below 0.1 keep fewer than 28 digits (a limit of
        // the representation, see docs/form-language.md), but they are rounded once.
        assert_eq!(show(div(d("1"), d("30"))).as_deref(), Some("0.0333333333333333333333333333"));
        assert_eq!(show(mul(d("0.00000000000001"), d("0.000000000000005"))).as_deref(), Some("0"));
        assert_eq!(show(mul(d("0.00000000000001"), d("0.000000000000015"))).as_deref(), Some("0.0000000000000000000000000002"));
    }
}
