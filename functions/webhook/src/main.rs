//! The `webhook` Lambda function: the admission handler behind a function URL.

use aws_lambda_events::event::lambda_function_urls::{LambdaFunctionUrlRequest, LambdaFunctionUrlResponse};
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    // Follows AWS_LAMBDA_LOG_FORMAT (JSON in the deployed stacks).
    lambda_runtime::tracing::init_default_subscriber();
    lambda_runtime::run(service_fn(|event: LambdaEvent<LambdaFunctionUrlRequest>| async move {
        Ok::<LambdaFunctionUrlResponse, lambda_runtime::Error>(webhook::handle(&event.payload))
    }))
    .await
}
