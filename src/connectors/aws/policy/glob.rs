//! IAM's wildcard matching: `*` any run of characters, `?` any one character, ASCII case folded
//! (action names are case-insensitive; callers lower-case patterns once when parsing).

/// `pattern` and `text` must already be lower-case.
pub fn matches(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn wildcards() {
        assert!(matches("*", "iam:passrole"));
        assert!(matches("iam:*", "iam:passrole"));
        assert!(matches("s3:get*", "s3:getobject"));
        assert!(!matches("s3:get*", "s3:putobject"));
        assert!(matches("iam:*policy*", "iam:putrolepolicy"));
        assert!(matches("ec2:run?nstances", "ec2:runinstances"));
        assert!(!matches("iam:passrole", "iam:passroles"));
        assert!(matches("*:*", "sts:assumerole"));
    }
}
