//! The store's one error type.

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "数据库地址无法识别：{0}（应为 sqlite://文件名、文件路径或 postgres://用户@主机/库名）"
    )]
    BadUrl(String),
    #[error("无法连接数据库 {url}：{source}")]
    Connect {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("数据库错误：{0}")]
    Sql(#[from] sqlx::Error),
    #[error("数据库中的数据无法读取（{what}）：{detail}")]
    Corrupt { what: String, detail: String },
    #[error("{0}")]
    Invalid(String),
    #[error("未找到{what}：{key}")]
    NotFound { what: &'static str, key: String },
}

impl StoreError {
    pub(crate) fn corrupt(what: impl Into<String>, detail: impl ToString) -> StoreError {
        StoreError::Corrupt {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}
