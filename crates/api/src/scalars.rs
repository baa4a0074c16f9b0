//! `Date`: an ISO 8601 calendar date (`2024-09-01`).

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar date as an ISO 8601 string, e.g. `2024-09-01`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

/// A calendar date as an ISO 8601 string, e.g. `2024-09-01`.
#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("not an ISO date (YYYY-MM-DD): {s:?}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Any JSON value: a job's payload, e.g. `{"dataset": "019afee4-…"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonValue(pub serde_json::Value);

/// Any JSON value: a job's payload, e.g. `{"dataset": "019afee4-…"}`.
#[Scalar(name = "JSON")]
impl ScalarType for JsonValue {
    fn parse(value: Value) -> InputValueResult<Self> {
        value.into_json().map(JsonValue).map_err(|e| InputValueError::custom(format!("not JSON: {e}")))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}
