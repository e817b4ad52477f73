//! The real `aws-sdk-vpclattice` and `aws-sdk-resourcegroupstagging` clients against a started emulator
//! over HTTP.

mod common;
mod errors;
mod faults;
mod lifecycle;
mod paging;
mod persistence;
mod rules;
mod tagging;
mod targets;
