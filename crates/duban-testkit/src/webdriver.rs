//! A headless Chromium driven through chromedriver's WebDriver REST protocol, spoken with the
//! test kit's HTTP client. Eight JSON calls are all the tests need, so no WebDriver crate.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::client::Client;
use serde_json::{Value, json};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

pub struct Browser {
    driver: tokio::process::Child,
    client: Client,
    session: String,
    _profile: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    /// Starts chromedriver and a headless Chromium with a fresh profile.
    pub async fn start() -> Browser {
        let port = free_port();
        let driver = tokio::process::Command::new("/usr/bin/chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver (apt-get install chromium-driver)");
        let mut client = Client::new(format!("127.0.0.1:{port}").parse().unwrap());
        let started = Instant::now();
        loop {
            if let Ok(a) = client.get("/status").await
                && a.json()["value"]["ready"] == true
            {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run",
                         "--window-size=1400,1000",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        }}});
        let a = client.post_json("/session", &caps).await.unwrap();
        let session = a.json()["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {}", a.text()))
            .to_string();
        Browser {
            driver,
            client,
            session,
            _profile: profile,
        }
    }

    async fn call(&mut self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let path = format!("/session/{}{path}", self.session);
        let a = if method == reqwest::Method::GET {
            self.client.get(&path).await.unwrap()
        } else {
            self.client
                .send(
                    method,
                    &path,
                    Some(("application/json", body.to_string().into_bytes())),
                )
                .await
                .unwrap()
        };
        a.json()["value"].clone()
    }

    pub async fn goto(&mut self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({ "url": url }))
            .await;
    }

    /// The first element matching a CSS selector, waiting up to 10 s for it.
    pub async fn find(&mut self, css: &str) -> String {
        let started = Instant::now();
        loop {
            let v = self
                .call(
                    reqwest::Method::POST,
                    "/element",
                    json!({ "using": "css selector", "value": css }),
                )
                .await;
            if let Some(id) = v[ELEMENT].as_str() {
                return id.to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no element {css}: {v}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Empties a text field.
    pub async fn clear(&mut self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/clear"),
            json!({}),
        )
        .await;
    }

    pub async fn type_into(&mut self, css: &str, text: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/value"),
            json!({ "text": text }),
        )
        .await;
    }

    pub async fn click(&mut self, css: &str) {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{id}/click"),
            json!({}),
        )
        .await;
    }

    pub async fn text(&mut self, css: &str) -> String {
        let id = self.find(css).await;
        self.call(
            reqwest::Method::GET,
            &format!("/element/{id}/text"),
            Value::Null,
        )
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
    }

    /// Waits until the element's text contains `needle`; its text.
    pub async fn wait_text(&mut self, css: &str, needle: &str) -> String {
        let started = Instant::now();
        loop {
            let t = self.text(css).await;
            if t.contains(needle) {
                return t;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "{css} never showed {needle:?}: {t:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The text of the page's open dialog, waiting up to 10 s for one.
    pub async fn alert_text(&mut self) -> String {
        let started = Instant::now();
        loop {
            let v = self
                .call(reqwest::Method::GET, "/alert/text", json!({}))
                .await;
            if let Some(t) = v.as_str() {
                return t.to_string();
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no dialog open: {v}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Accepts the page's confirm() dialog, waiting up to 10 s for it.
    pub async fn accept_alert(&mut self) {
        let started = Instant::now();
        loop {
            let v = self
                .call(reqwest::Method::POST, "/alert/accept", json!({}))
                .await;
            if v.is_null() {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "no dialog to accept: {v}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs a script in the page (`arguments[0]`… are `args`); what it returns.
    pub async fn execute(&mut self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            json!({ "script": script, "args": args }),
        )
        .await
    }

    /// Resizes the window (a phone: 390 × 844).
    pub async fn resize(&mut self, width: u32, height: u32) {
        self.call(
            reqwest::Method::POST,
            "/window/rect",
            json!({ "width": width, "height": height }),
        )
        .await;
    }

    /// Renders the page as for printing (CSS `@media print`) or back to the screen.
    pub async fn print_media(&mut self, print: bool) {
        self.call(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            json!({ "cmd": "Emulation.setEmulatedMedia",
                    "params": { "media": if print { "print" } else { "" } } }),
        )
        .await;
    }

    /// Sets a form field's value by script (date inputs, selects) and tells the page.
    pub async fn set_value(&mut self, css: &str, value: &str) {
        self.find(css).await;
        self.execute(
            "var e = document.querySelector(arguments[0]); e.value = arguments[1]; \
             e.dispatchEvent(new Event('change', { bubbles: true }));",
            json!([css, value]),
        )
        .await;
    }

    /// Saves the page's downloads in `dir` without asking (headless Chromium otherwise drops
    /// them).
    pub async fn allow_downloads(&mut self, dir: &std::path::Path) {
        let params = json!({ "behavior": "allow", "downloadPath": dir.display().to_string() });
        let v = self
            .call(
                reqwest::Method::POST,
                "/goog/cdp/execute",
                json!({ "cmd": "Browser.setDownloadBehavior", "params": params }),
            )
            .await;
        if v.get("error").is_some() {
            self.call(
                reqwest::Method::POST,
                "/goog/cdp/execute",
                json!({ "cmd": "Page.setDownloadBehavior", "params": params }),
            )
            .await;
        }
    }

    /// Waits up to 20 s for a finished download in `dir` whose name ends with `suffix`; its path.
    pub async fn downloaded(&mut self, dir: &std::path::Path, suffix: &str) -> std::path::PathBuf {
        let started = Instant::now();
        loop {
            let found = std::fs::read_dir(dir).ok().and_then(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .find(|p| p.to_string_lossy().ends_with(suffix))
            });
            if let Some(p) = found {
                return p;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no download ending {suffix} in {}",
                dir.display()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Chooses `values` (and only them) in a `<select multiple>`.
    pub async fn select_many(&mut self, css: &str, values: &[&str]) {
        self.find(css).await;
        self.execute(
            "var s = document.querySelector(arguments[0]), want = arguments[1]; \
             Array.prototype.forEach.call(s.options, function (o) { o.selected = want.indexOf(o.value) >= 0; }); \
             s.dispatchEvent(new Event('change', { bubbles: true }));",
            json!([css, values]),
        )
        .await;
    }

    /// The page's width beyond the window (a phone must not scroll sideways).
    pub async fn scroll_width(&mut self) -> i64 {
        self.execute(
            "return document.documentElement.scrollWidth;",
            serde_json::json!([]),
        )
        .await
        .as_i64()
        .unwrap_or_default()
    }

    /// Signs in at `base` as `user` with a fresh session, and waits for the header to name him.
    pub async fn sign_in(&mut self, base: &str, user: &str, password: &str) {
        self.delete_cookies().await;
        self.goto(&format!("{base}/login")).await;
        self.type_into("#username", user).await;
        self.type_into("#password", password).await;
        self.click("#login-button").await;
        self.wait_text("#who", user).await;
    }

    pub async fn delete_cookies(&mut self) {
        self.call(reqwest::Method::DELETE, "/cookie", Value::Null)
            .await;
    }

    /// Saves a PNG screenshot under target/screenshots; its path.
    pub async fn screenshot(&mut self, name: &str) -> std::path::PathBuf {
        let b64 = self
            .call(reqwest::Method::GET, "/screenshot", Value::Null)
            .await;
        let png = decode_base64(b64.as_str().unwrap_or_default());
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../target/screenshots"
        ));
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    pub async fn quit(mut self) {
        self.call(reqwest::Method::DELETE, "", Value::Null).await;
        let _ = self.driver.kill().await;
    }
}

fn decode_base64(s: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for v in s.bytes().filter_map(value) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
