//! An HTTP client of one duban (or chromedriver) on this machine, over reqwest: the session
//! cookie and CSRF token kept once signed in, a Bearer token when set, every answer read whole.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{self, HeaderMap};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// An answer: status, headers and the whole body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A client of one server: the cookie it was last given, the CSRF token and a Bearer token.
pub struct Client {
    addr: std::net::SocketAddr,
    http: reqwest::Client,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

impl Client {
    pub fn new(addr: std::net::SocketAddr) -> Client {
        Client {
            addr,
            // One kept-alive connection, no proxy from the environment, no redirects followed:
            // the tests look at what the server answers.
            http: reqwest::Client::builder()
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .pool_max_idle_per_host(1)
                .build()
                .expect("a plain HTTP client builds"),
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    /// Sends a request; `content_type` with a body.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Answer, Error> {
        let url = format!("http://{}{path}", self.addr);
        let mut req = self.http.request(method.clone(), url);
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(t) = &self.bearer {
            req = req.bearer_auth(t);
        }
        if let Some(t) = &self.csrf
            && method != Method::GET
        {
            req = req.header("x-csrf-token", t);
        }
        if let Some((ct, bytes)) = body {
            req = req.header(header::CONTENT_TYPE, ct).body(bytes);
        }
        let res = req.send().await?;
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.bytes().await?.to_vec();
        if let Some(set) = headers
            .get(header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            && let Some(pair) = set.split(';').next()
        {
            self.cookie = if pair.ends_with('=') {
                None
            } else {
                Some(pair.to_string())
            };
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    pub async fn get(&mut self, path: &str) -> Result<Answer, Error> {
        self.send(Method::GET, path, None).await
    }

    pub async fn post_json(&mut self, path: &str, body: &Value) -> Result<Answer, Error> {
        self.send(
            Method::POST,
            path,
            Some(("application/json", serde_json::to_vec(body)?)),
        )
        .await
    }

    pub async fn post_form(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<Answer, Error> {
        let body = fields
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.send(
            Method::POST,
            path,
            Some(("application/x-www-form-urlencoded", body.into_bytes())),
        )
        .await
    }

    /// Signs in through the API; keeps the session cookie and CSRF token.
    pub async fn login(&mut self, username: &str, password: &str) -> Result<Answer, Error> {
        let a = self
            .post_json(
                "/api/session",
                &serde_json::json!({ "username": username, "password": password }),
            )
            .await?;
        if a.status.is_success() {
            self.csrf = a.json()["csrf"].as_str().map(str::to_string);
        }
        Ok(a)
    }
}

/// Everything but letters, digits and `-_.~` is escaped (RFC 3986 unreserved).
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a path segment, query or form value.
pub fn encode(v: &str) -> String {
    utf8_percent_encode(v, COMPONENT).to_string()
}

/// A multipart/form-data body: the text fields, then each file sent as the field
/// `file_field`; with its content type.
pub fn multipart(
    file_field: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (String, Vec<u8>) {
    let boundary = "----duban-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{file_field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a form with its files as the field `files` (evidence, a task's moves); panics when
/// the server cannot be reached.
pub async fn post_multipart(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> Answer {
    let (ct, body) = multipart("files", fields, files);
    c.send(Method::POST, path, Some((&ct, body)))
        .await
        .expect("the server answers")
}
