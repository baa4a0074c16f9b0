//! End-to-end tests live in integration/.
