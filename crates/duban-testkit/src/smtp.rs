//! A real SMTP server for the tests that send email: Debian's aiosmtpd on a free port,
//! keeping what it receives in a Maildir read back by Python's email parser.

use std::time::Duration;

use serde_json::Value;

/// A Python with aiosmtpd: Debian's (`/usr/bin/python3`) or the one on the PATH.
pub fn python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        std::process::Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// aiosmtpd on 127.0.0.1:`port`, keeping what it receives in the Maildir `dir`; killed
/// when dropped.
pub async fn smtp_server(python: &str, port: u16, dir: &std::path::Path) -> tokio::process::Child {
    let child = tokio::process::Command::new(python)
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir)
        .kill_on_drop(true)
        .spawn()
        .expect("start aiosmtpd");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not listen on {port}");
}

/// The emails in a Maildir, read by Python's email parser: subject, from, to, the SMTP
/// recipient and the decoded text.
pub fn maildir(python: &str, dir: &std::path::Path) -> Vec<Value> {
    const READ: &str = r#"
import json, mailbox, sys
from email import policy
from email.parser import BytesParser
out = []
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
for key in sorted(box.iterkeys()):
    with box.get_file(key) as f:
        m = BytesParser(policy=policy.default).parse(f)
    out.append({"subject": str(m["subject"]), "from": str(m["from"]), "to": str(m["to"]),
                "rcpt": str(m["X-RcptTo"]), "charset": m.get_content_charset(),
                "text": m.get_body(preferencelist=("plain",)).get_content()})
print(json.dumps(out, ensure_ascii=False))
"#;
    let out = std::process::Command::new(python)
        .args(["-c", READ])
        .arg(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
