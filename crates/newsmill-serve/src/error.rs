//! Errors: the crate's [`Error`] (starting the server) and [`ApiError`] (one failed request).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::store::StoreError;

/// Why the server could not start or run.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Binding a non-loopback address without an API token.
    #[error(
        "refusing to bind {addr} without an API token: set NEWSMILL_TOKEN (or --token-file) or bind to 127.0.0.1"
    )]
    TokenRequired {
        /// The address asked for.
        addr: std::net::SocketAddr,
    },
    /// The API token is too short to be a secret.
    #[error("the API token must be at least 16 characters")]
    WeakToken,
    /// A configured webhook URL is not an absolute http(s) URL.
    #[error("webhook {url:?}: not an absolute http:// or https:// URL")]
    BadWebhook {
        /// The URL as configured.
        url: String,
    },
    /// An I/O error, naming the address or file.
    #[error("{what}: {source}")]
    Io {
        /// The address or file.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The alerts file could not be read or written.
    #[error("alerts file {path}: {message}")]
    Alerts {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// Result with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The JSON body of every failed API request: `{"error": {"status": 404, "message": "..."}}`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The status and message of an error.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status code, repeated.
    pub status: u16,
    /// What went wrong, for a person.
    pub message: String,
}

/// A failed request: a status code and a message, rendered as [`ErrorBody`].
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Message.
    pub message: String,
}

impl ApiError {
    /// An error with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// 503 Service Unavailable with `Retry-After: 1`: the server is busy, try again.
    pub fn busy(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message)
    }

    /// 500, for failures that are the server's fault.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                status: self.status.as_u16(),
                message: self.message.clone(),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::Query { .. } | StoreError::Filter { .. } => {
                ApiError::bad_request(e.to_string())
            }
            StoreError::Backend(_) => ApiError::internal(e.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut resp = (self.status, axum::Json(self.body())).into_response();
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        resp
    }
}

/// Maps an extractor's rejection (bad JSON, too large a body, a bad query string) to JSON.
pub(crate) fn rejection(status: StatusCode, text: String) -> ApiError {
    ApiError::new(status, text)
}
