//! The `audit` Lambda function: configuration and clients once, then the runtime loop.
#![recursion_limit = "256"]

use lambda_runtime::{LambdaEvent, service_fn};
use lambda_support::{Clients, Config};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let config = Config::from_env()?;
    if config.queue_url.is_none() {
        return Err("environment variable QUEUE_URL: not set (the audit function sends to it)".into());
    }
    lambda_support::init_logging(config.json_logs);
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let clients = Clients::new(config, sdk);
    let clients = &clients;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<audit::payload::RawLogsEvent>| {
        audit::handle_raw(clients, event)
    }))
    .await
}
