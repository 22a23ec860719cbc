//! `Debug` for wire types that carry a credential (an access token, a client secret, a presigned
//! URL's signature): the type writes its `Debug` by hand and prints these stand-ins, so a `{:?}`
//! in a log or an error never shows the secret (`cargo xtask tidy` checks no such type derives it).

use std::fmt;

/// Prints `***` in place of a secret.
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("***")
    }
}

/// `Some(***)` / `None`: says whether a secret is there, never what it is.
pub fn optional<T>(value: &Option<T>) -> Option<Redacted> {
    value.as_ref().map(|_| Redacted)
}

/// A presigned URL without its query (the signature is the credential): `https://host/path?***`.
pub struct UrlWithoutQuery<'a>(pub &'a str);

impl fmt::Debug for UrlWithoutQuery<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.split_once('?') {
            Some((base, _)) => write!(formatter, "\"{base}?***\""),
            None => write!(formatter, "{:?}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::architect::{ArchitectExportJobStateResponse, RegisterArchitectJobResponse};
    use crate::auth::{OAuthClient, TokenResponse};
    use crate::credentials::OrgCredentials;
    use crate::gateway::{ClientFrame, TokenPayload};

    const SECRET: &str = "s3cr3t-v4lue";

    #[test]
    fn no_credential_shows_in_debug() {
        let printed = [
            format!("{:?}", TokenResponse { access_token: SECRET.into(), token_type: "bearer".into(), expires_in: 60 }),
            format!("{:?}", OAuthClient { name: "ci".into(), secret: Some(SECRET.into()), ..OAuthClient::default() }),
            format!(
                "{:?}",
                OrgCredentials { id: "o".into(), name: "acme".into(), parent_id: None, client_id: "client".into(), client_secret: SECRET.into() }
            ),
            format!(
                "{:?}",
                RegisterArchitectJobResponse { id: "job".into(), presigned_url: format!("https://up.example/f?X-Sig={SECRET}"), ..Default::default() }
            ),
            format!("{:?}", ArchitectExportJobStateResponse { download_url: Some(format!("https://dl.example/f?sig={SECRET}")), ..Default::default() }),
            format!("{:?}", ClientFrame { token_payload: Some(TokenPayload { access_token: SECRET.into(), ..TokenPayload::default() }), ..ClientFrame::default() }),
        ];
        for text in printed {
            assert!(!text.contains(SECRET), "{text}");
            assert!(text.contains("***"), "{text}");
        }
    }

    #[test]
    fn what_is_not_secret_still_shows() {
        let credentials = OrgCredentials { id: "o".into(), name: "acme".into(), parent_id: None, client_id: "client-1".into(), client_secret: SECRET.into() };
        let text = format!("{credentials:?}");
        assert!(text.contains("client-1") && text.contains("acme"), "{text}");
        let job = RegisterArchitectJobResponse { id: "job".into(), presigned_url: format!("https://up.example/flows/1?sig={SECRET}"), ..Default::default() };
        assert!(format!("{job:?}").contains("https://up.example/flows/1?***"));
    }
}
