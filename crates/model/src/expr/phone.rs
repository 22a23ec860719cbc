//! The phone-number value `ToPhoneNumber` returns: a stand-in for Architect's PhoneNumber type that
//! reads `tel:`/`sip:` URIs and plain numbers without a numbering-plan database.
//!
//! Fields (read with `.name`, any letter case): `raw`, `e164` (NOT_SET unless the number is written
//! in international form with `+`), `isTel`, `isSip`, `isE164`, `scheme`, `userPart` (the digits or
//! user before `@`), `host` (SIP only, NOT_SET otherwise).

use super::value::ExprValue;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    pub raw: String,
    pub scheme: Option<String>,
    pub user_part: String,
    pub host: Option<String>,
    pub e164: Option<String>,
}

impl PhoneNumber {
    pub fn parse(raw: &str) -> PhoneNumber {
        let trimmed = raw.trim();
        let (scheme, rest) = match trimmed.split_once(':') {
            Some((scheme, rest)) if scheme.chars().all(|c| c.is_ascii_alphabetic()) && !scheme.is_empty() => {
                (Some(scheme.to_ascii_lowercase()), rest)
            }
            _ => (None, trimmed),
        };
        // Parameters (`;user=phone`) and the SIP host are not part of the number.
        let without_parameters = rest.split(';').next().unwrap_or(rest);
        let (user_part, host) = match without_parameters.split_once('@') {
            Some((user, host)) => (user.to_string(), Some(host.to_string())),
            None => (without_parameters.to_string(), None),
        };
        PhoneNumber { raw: raw.to_string(), scheme, e164: e164(&user_part), user_part, host }
    }

    /// A field by name, ignoring case; `None` when the type has no such field.
    pub fn field(&self, name: &str) -> Option<ExprValue> {
        let optional = |text: &Option<String>| text.clone().map_or_else(ExprValue::not_set, ExprValue::String);
        let value = match name.to_ascii_lowercase().as_str() {
            "raw" => ExprValue::String(self.raw.clone()),
            "e164" => optional(&self.e164),
            "ise164" => ExprValue::Boolean(self.e164.is_some()),
            "istel" => ExprValue::Boolean(self.scheme.as_deref().is_none_or(|scheme| scheme == "tel")),
            "issip" => ExprValue::Boolean(self.scheme.as_deref() == Some("sip") || self.scheme.as_deref() == Some("sips")),
            "scheme" => optional(&self.scheme),
            "userpart" => ExprValue::String(self.user_part.clone()),
            "host" => optional(&self.host),
            _ => return None,
        };
        Some(value)
    }
}

/// `+` followed by 7 to 15 digits once visual separators are removed.
fn e164(user_part: &str) -> Option<String> {
    let compact: String = user_part.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let digits = compact.strip_prefix('+')?;
    let valid = (7..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit());
    valid.then(|| format!("+{digits}"))
}
