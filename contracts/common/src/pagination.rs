//! Every paginated query takes `limit: Option<u32>`: 10 by default, at most 100.

pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 100;

/// The page size to use for a requested `limit`.
pub fn page_limit(limit: Option<u32>) -> usize {
    limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_caps() {
        assert_eq!(page_limit(None), 10);
        assert_eq!(page_limit(Some(0)), 1);
        assert_eq!(page_limit(Some(55)), 55);
        assert_eq!(page_limit(Some(u32::MAX)), 100);
    }
}
