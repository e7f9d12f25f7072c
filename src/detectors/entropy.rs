//! Shannon entropy, the floor that separates random secrets from words and placeholders.

/// Bits per byte of `data` (0.0 for empty input).
pub fn shannon(data: &[u8]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let mut counts = [0usize; 256];
    for &b in data {
        counts[b as usize] += 1;
    }
    let len = data.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / len;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    #[test]
    fn uniform_and_constant() {
        assert_eq!(super::shannon(b"aaaa"), 0.0);
        assert!((super::shannon(b"abcd") - 2.0).abs() < 1e-9);
    }
}
