//! 密码规则 — the password policy and how user names are compared: what a new password must
//! be, a fresh one that meets it, and the key a name is compared by.

use crate::accounts::secret;
use crate::{Result, StoreError};

/// The shortest password accepted.
pub const MIN_PASSWORD: usize = 8;
/// The longest password accepted (argon2 takes any length; this bounds the work per login).
pub const MAX_PASSWORD: usize = 128;
/// The longest user name accepted.
pub const MAX_USERNAME: usize = 32;
/// Passwords that are guessed first (lists of leaked passwords, and the Chinese favourites):
/// refused whatever their length.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "password1",
    "password12",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "87654321",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "12341234",
    "11223344",
    "123123123",
    "147258369",
    "qwertyui",
    "qwerty123",
    "qwer1234",
    "1qaz2wsx",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "zaq12wsx",
    "asdf1234",
    "asdfghjk",
    "abcd1234",
    "abc12345",
    "abc123456",
    "a1234567",
    "a12345678",
    "a123456789",
    "aa123456",
    "admin123",
    "admin888",
    "admin@123",
    "root1234",
    "test1234",
    "iloveyou",
    "woaini1314",
    "woaini520",
    "5201314",
    "52013145",
    "1314520",
    "welcome1",
    "letmein1",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "trustno1",
    "superman",
    "changeme",
    "duban123",
    "duban2025",
    "duban2026",
    "admin2025",
    "admin2026",
];

/// A user name as it is compared: trimmed of every kind of space (the ideographic one
/// too) and without case, so "Admin", " admin" and "admin\u{3000}" are one name.
pub fn username_key(name: &str) -> String {
    duban_core::text::name(name).to_lowercase()
}

/// Checks a new password against the policy government systems expect: 8–128 characters, at
/// least two kinds of letters, digits and symbols, not a common password, not the user name.
pub fn check_password(username: &str, password: &str) -> Result<()> {
    let refuse = |why: String| Err(StoreError::Invalid(format!("密码：{why}")));
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return refuse(format!("至少 {MIN_PASSWORD} 个字符"));
    }
    if n > MAX_PASSWORD {
        return refuse(format!("不能超过 {MAX_PASSWORD} 个字符"));
    }
    let lower = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lower.as_str()) {
        return refuse("过于常见，容易被猜中，请换一个".into());
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    let symbols = password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
    if [letters, digits, symbols].iter().filter(|k| **k).count() < 2 {
        return refuse("须包含字母、数字、符号中的至少两类".into());
    }
    let key = username_key(username);
    if key.chars().count() >= 3 && lower.contains(&key) {
        return refuse("不能包含用户名".into());
    }
    Ok(())
}

/// A fresh password that meets the policy (for demo accounts): 12 characters of letters
/// and digits, with at least one of each.
pub fn fresh_password() -> String {
    loop {
        let p: String = secret().chars().take(12).collect();
        if check_password("", &p).is_ok() {
            return p;
        }
    }
}
