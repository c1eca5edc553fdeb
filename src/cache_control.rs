//! Reading an origin's `Cache-Control` (RFC 9111 §5.2.2), only as far as edgeguard needs.

/// A delta-seconds directive: absent, a valid number, or present but unreadable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seconds {
    /// Not sent.
    #[default]
    Absent,
    /// A valid value (the smallest, when sent twice).
    Value(u64),
    /// Sent with a value that is not delta-seconds; treated as "do not store".
    Invalid,
}

/// The directives that change edgeguard's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Directives {
    /// `no-store`.
    pub no_store: bool,
    /// `no-cache` (with or without field names).
    pub no_cache: bool,
    /// `private` (with or without field names).
    pub private: bool,
    /// `max-age`.
    pub max_age: Seconds,
    /// `s-maxage`.
    pub s_maxage: Seconds,
}

impl Directives {
    /// Parses one or more `Cache-Control` values (already joined with `,`).
    pub fn parse(value: &str) -> Directives {
        let mut out = Directives::default();
        for directive in value.split(',') {
            let (name, arg) = match directive.split_once('=') {
                Some((name, arg)) => (name.trim(), Some(arg.trim().trim_matches('"'))),
                None => (directive.trim(), None),
            };
            match name.to_ascii_lowercase().as_str() {
                "no-store" => out.no_store = true,
                "no-cache" => out.no_cache = true,
                "private" => out.private = true,
                "max-age" => out.max_age = merge(out.max_age, arg),
                "s-maxage" => out.s_maxage = merge(out.s_maxage, arg),
                _ => {}
            }
        }
        out
    }

    /// The shared-cache lifetime the origin asked for: `s-maxage`, else `max-age`.
    pub fn shared_max_age(&self) -> Seconds {
        match self.s_maxage {
            Seconds::Absent => self.max_age,
            other => other,
        }
    }
}

fn merge(previous: Seconds, arg: Option<&str>) -> Seconds {
    let parsed = match arg {
        Some(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            // Values too large for u64 are "very long": saturate (RFC 9111 §1.2.2).
            Seconds::Value(text.parse().unwrap_or(u64::MAX))
        }
        _ => Seconds::Invalid,
    };
    match (previous, parsed) {
        (Seconds::Invalid, _) | (_, Seconds::Invalid) => Seconds::Invalid,
        (Seconds::Value(a), Seconds::Value(b)) => Seconds::Value(a.min(b)),
        (Seconds::Absent, other) => other,
        (other, Seconds::Absent) => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_directives_that_matter() {
        let d = Directives::parse("Public, MAX-AGE=600, s-maxage=\"30\"");
        assert_eq!(d.max_age, Seconds::Value(600));
        assert_eq!(d.s_maxage, Seconds::Value(30));
        assert_eq!(d.shared_max_age(), Seconds::Value(30));
        assert!(!d.no_store && !d.private);

        let d = Directives::parse("private=\"set-cookie\", no-cache, no-store");
        assert!(d.private && d.no_cache && d.no_store);

        assert_eq!(Directives::parse("max-age=abc").max_age, Seconds::Invalid);
        assert_eq!(Directives::parse("max-age=-1").max_age, Seconds::Invalid);
        assert_eq!(
            Directives::parse("max-age=60, max-age=5").max_age,
            Seconds::Value(5)
        );
        assert_eq!(
            Directives::parse("max-age=99999999999999999999999").max_age,
            Seconds::Value(u64::MAX)
        );
        assert_eq!(Directives::parse("").shared_max_age(), Seconds::Absent);
    }
}
