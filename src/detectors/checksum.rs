//! Offline checksum validators. GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm (`npm_`)
//! tokens end in six base62 characters that encode the CRC32 of the 30 random characters before
//! them; checking it turns a shape match into near-certainty without calling any API.

use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// `<prefix>_` + 30 random base62 + 6 base62 CRC32 (GitHub's token format).
    GithubCrc32,
    /// `npm_` + 30 random base62 + 6 base62 CRC32 (npm's, which follows GitHub's).
    NpmCrc32,
}

impl FromStr for Checksum {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "github_crc32" => Ok(Checksum::GithubCrc32),
            "npm_crc32" => Ok(Checksum::NpmCrc32),
            other => Err(format!(
                "unknown checksum `{other}` (known: github_crc32, npm_crc32)"
            )),
        }
    }
}

impl Checksum {
    pub fn verify(self, secret: &[u8]) -> bool {
        match self {
            Checksum::GithubCrc32 | Checksum::NpmCrc32 => crc32_base62_suffix(secret),
        }
    }
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The token after its last `_` must be 36 characters: 30 random, then the base62 CRC32.
fn crc32_base62_suffix(secret: &[u8]) -> bool {
    let body = match secret.iter().rposition(|&b| b == b'_') {
        Some(i) => &secret[i + 1..],
        None => secret,
    };
    if body.len() != 36 {
        return false;
    }
    let (random, check) = body.split_at(30);
    base62_padded(crc32fast::hash(random), 6).as_bytes() == check
}

fn base62_padded(mut n: u32, width: usize) -> String {
    let mut digits = Vec::with_capacity(width);
    while n > 0 {
        digits.push(BASE62[(n % 62) as usize]);
        n /= 62;
    }
    while digits.len() < width {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).expect("base62 is ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(prefix: &str, random: &str) -> String {
        format!(
            "{prefix}{random}{}",
            base62_padded(crc32fast::hash(random.as_bytes()), 6)
        )
    }

    #[test]
    fn valid_and_tampered_tokens() {
        let t = token("ghp_", "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1");
        assert!(Checksum::GithubCrc32.verify(t.as_bytes()));
        let mut bad = t.into_bytes();
        bad[10] = if bad[10] == b'x' { b'y' } else { b'x' };
        assert!(!Checksum::GithubCrc32.verify(&bad));
    }

    #[test]
    fn wrong_length_fails() {
        assert!(!Checksum::NpmCrc32.verify(b"npm_short"));
    }
}
