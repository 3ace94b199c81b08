//! 压测客户端 — the load benchmark's HTTP/1.1 client: one kept-alive hyper connection per
//! simulated user, a session cookie and CSRF token once signed in. It is kept this thin (no
//! pool, no redirects, no decoding) so that `bench web` measures the server, not the client.

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode, header};
use hyper_util::rt::TokioIo;
use serde_json::Value;

/// An answer: status and the whole body.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// A client of one server.
pub struct Client {
    addr: std::net::SocketAddr,
    sender: Option<SendRequest<Full<Bytes>>>,
    pub cookie: Option<String>,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

impl Client {
    pub fn new(addr: std::net::SocketAddr) -> Client {
        Client {
            addr,
            sender: None,
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    async fn connection(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, Error> {
        let stale = self.sender.as_ref().is_none_or(|s| s.is_closed());
        if stale {
            let stream = tokio::net::TcpStream::connect(self.addr).await?;
            stream.set_nodelay(true)?;
            let (sender, conn) =
                hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            self.sender = Some(sender);
        }
        Ok(self.sender.as_mut().expect("connected above"))
    }

    /// Sends a request; `content_type` with a body.
    pub async fn send(
        &mut self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Result<Answer, Error> {
        let mut req = Request::builder()
            .method(method.clone())
            .uri(path)
            .header(header::HOST, self.addr.to_string());
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(t) = &self.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        if let Some(t) = &self.csrf
            && method != Method::GET
        {
            req = req.header("x-csrf-token", t);
        }
        let req = match body {
            Some((ct, bytes)) => req
                .header(header::CONTENT_TYPE, ct)
                .body(Full::new(Bytes::from(bytes)))?,
            None => req.body(Full::new(Bytes::new()))?,
        };
        let sender = self.connection().await?;
        sender.ready().await?;
        let res = sender.send_request(req).await?;
        let (parts, body) = res.into_parts();
        let body = body.collect().await?.to_bytes();
        if let Some(set) = parts
            .headers
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
            status: parts.status,
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
