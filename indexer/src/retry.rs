//! Exponential backoff with full jitter, for calls to the node and the database.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    /// `None` retries until the call succeeds: the indexer must never skip a height.
    pub max_attempts: Option<u32>,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(200),
            max: Duration::from_secs(30),
            max_attempts: None,
        }
    }
}

impl Backoff {
    /// The wait before retry number `attempt` (1-based): random in [d/2, d], d doubling up to `max`.
    pub fn delay(&self, attempt: u32) -> Duration {
        let exponential = self
            .first
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let ceiling = exponential.min(self.max);
        ceiling / 2 + ceiling.mul_f64(fastrand::f64() / 2.0)
    }

    /// Calls `op` until it succeeds (or `max_attempts` fail), logging each failure.
    pub async fn retry<T, E, F, Fut>(&self, what: &str, mut op: F) -> Result<T, E>
    where
        E: Display,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut attempt = 0;
        loop {
            match op().await {
                Ok(value) => return Ok(value),
                Err(error) => {
                    attempt += 1;
                    if self.max_attempts.is_some_and(|max| attempt >= max) {
                        return Err(error);
                    }
                    let delay = self.delay(attempt);
                    if attempt < 5 {
                        tracing::warn!(attempt, ?delay, "{what} failed: {error}");
                    } else {
                        tracing::error!(attempt, ?delay, "{what} keeps failing: {error}");
                    }
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_bounded() {
        let b = Backoff {
            first: Duration::from_millis(100),
            max: Duration::from_secs(2),
            max_attempts: None,
        };
        for attempt in 1..40 {
            let d = b.delay(attempt);
            let ceiling = Duration::from_millis(100)
                .saturating_mul(1 << (attempt - 1).min(16))
                .min(b.max);
            assert!(d >= ceiling / 2 && d <= ceiling, "attempt {attempt}: {d:?}");
        }
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts() {
        let b = Backoff {
            first: Duration::from_millis(1),
            max: Duration::from_millis(2),
            max_attempts: Some(3),
        };
        let mut calls = 0;
        let result: Result<(), String> = b
            .retry("op", || {
                calls += 1;
                async { Err("no".to_string()) }
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls, 3);
    }
}
