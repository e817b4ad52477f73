//! Bounded decoding of CloudWatch Logs subscription deliveries.
//!
//! A delivery's `awslogs.data` is base64 of gzip of JSON. `aws_lambda_events`' own `LogsEvent`
//! inflates it without a limit, so a small gzip bomb could exhaust the function's memory before
//! any of our code ran. The function therefore takes the delivery as [`RawLogsEvent`] and decodes
//! it here, refusing an encoded payload over [`MAX_ENCODED_BYTES`] and stopping inflation at
//! [`MAX_DECODED_BYTES`].

use std::io::Read as _;

use aws_lambda_events::event::cloudwatch_logs::LogData;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Largest `awslogs.data` accepted, base64 included: Lambda's 1 MiB asynchronous-invocation payload
/// limit (more cannot be a genuine delivery).
pub const MAX_ENCODED_BYTES: usize = 1024 * 1024;
/// Largest inflated delivery: CloudWatch Logs batches at most 1 MiB of log events; twice that
/// leaves room for the JSON around them. Anything larger is a compression bomb.
pub const MAX_DECODED_BYTES: usize = 2 * 1024 * 1024;

/// A subscription delivery before decoding: `{"awslogs": {"data": "<base64 gzip JSON>"}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawLogsEvent {
    /// The envelope.
    pub awslogs: RawAwsLogs,
}

/// The `awslogs` object of a delivery.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawAwsLogs {
    /// Base64 of the gzip-compressed [`LogData`] JSON.
    pub data: String,
}

/// Why a delivery was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PayloadError {
    /// The encoded payload is larger than [`MAX_ENCODED_BYTES`].
    #[error("the encoded delivery has {bytes} bytes, more than {MAX_ENCODED_BYTES}")]
    EncodedTooLarge {
        /// Its size.
        bytes: usize,
    },
    /// Inflating went past [`MAX_DECODED_BYTES`].
    #[error("the delivery inflates past {MAX_DECODED_BYTES} bytes (a compression bomb?)")]
    DecodedTooLarge,
    /// Not base64, not gzip, or not the JSON of a delivery.
    #[error("the delivery is not base64 of gzip of CloudWatch Logs JSON: {problem}")]
    Malformed {
        /// What failed.
        problem: String,
    },
}

impl RawLogsEvent {
    /// The delivery's log data, within the bounds.
    pub fn decode(&self) -> Result<LogData, PayloadError> {
        let data = &self.awslogs.data;
        if data.len() > MAX_ENCODED_BYTES {
            return Err(PayloadError::EncodedTooLarge { bytes: data.len() });
        }
        let malformed = |problem: String| PayloadError::Malformed { problem };
        let compressed =
            base64::engine::general_purpose::STANDARD.decode(data).map_err(|e| malformed(e.to_string()))?;
        let limit = u64::try_from(MAX_DECODED_BYTES).unwrap_or(u64::MAX) + 1;
        let mut json = Vec::new();
        flate2::read::GzDecoder::new(&compressed[..])
            .take(limit)
            .read_to_end(&mut json)
            .map_err(|e| malformed(e.to_string()))?;
        if json.len() > MAX_DECODED_BYTES {
            return Err(PayloadError::DecodedTooLarge);
        }
        serde_json::from_slice(&json).map_err(|e| malformed(e.to_string()))
    }
}
