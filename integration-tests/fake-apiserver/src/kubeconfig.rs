//! A kubeconfig for the running server: cluster (server URL and CA), a static-token user, one context.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Quotes a YAML scalar (a JSON string is a valid YAML double-quoted scalar).
fn quoted(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// The kubeconfig text for a server at `url` with an optional CA (PEM) and a bearer token.
pub(crate) fn render(url: &str, ca_pem: Option<&str>, token: &str) -> String {
    let ca = match ca_pem {
        Some(pem) => format!("    certificate-authority-data: {}\n", quoted(&STANDARD.encode(pem))),
        None => String::new(),
    };
    format!(
        "apiVersion: v1\n\
         kind: Config\n\
         clusters:\n\
         - name: fake\n  \
           cluster:\n    \
             server: {server}\n\
         {ca}\
         users:\n\
         - name: fake\n  \
           user:\n    \
             token: {token}\n\
         contexts:\n\
         - name: fake\n  \
           context:\n    \
             cluster: fake\n    \
             user: fake\n    \
             namespace: default\n\
         current-context: fake\n",
        server = quoted(url),
        token = quoted(token),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_server_ca_and_token() {
        let text = render("https://127.0.0.1:1234", Some("PEM"), "t0k\"en");
        assert!(text.contains("    server: \"https://127.0.0.1:1234\"\n"));
        assert!(text.contains("    certificate-authority-data: \"UEVN\"\n"));
        assert!(text.contains("    token: \"t0k\\\"en\"\n"));
        assert!(text.contains("current-context: fake\n"));
        assert!(!render("http://127.0.0.1:1", None, "t").contains("certificate-authority-data"));
    }
}
