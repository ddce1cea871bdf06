//! Who watches each stream's live feed in this process.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::api::http::limits::Client;
/// Who watches each stream's live feed in this process, and the peak each stream reached. A
/// viewer is a client as the limits count them (an IPv4 address or an IPv6 /64), however
/// many feeds it opens: connections are cheap, addresses are not.
#[derive(Default)]
pub struct Viewers {
    watching: Mutex<HashMap<String, HashMap<Client, usize>>>,
}

impl Viewers {
    pub fn now(&self, stream_id: &str) -> usize {
        let watching = self.watching.lock().expect("viewer counts");
        watching.get(stream_id).map_or(0, HashMap::len)
    }

    /// Counts `client` as a viewer until the returned guard (and any other of the client's)
    /// drops; returns the number of viewers now.
    pub(super) fn join(self: &Arc<Self>, stream_id: &str, client: Client) -> (ViewerGuard, usize) {
        let mut watching = self.watching.lock().expect("viewer counts");
        let viewers = watching.entry(stream_id.to_owned()).or_default();
        *viewers.entry(client).or_default() += 1;
        let now = viewers.len();
        let guard = ViewerGuard {
            viewers: Arc::clone(self),
            stream_id: stream_id.to_owned(),
            client,
        };
        (guard, now)
    }
}

pub(super) struct ViewerGuard {
    viewers: Arc<Viewers>,
    stream_id: String,
    client: Client,
}

impl Drop for ViewerGuard {
    fn drop(&mut self) {
        let mut watching = self.viewers.watching.lock().expect("viewer counts");
        if let Some(viewers) = watching.get_mut(&self.stream_id) {
            if let Some(feeds) = viewers.get_mut(&self.client) {
                *feeds -= 1;
                if *feeds == 0 {
                    viewers.remove(&self.client);
                }
            }
            if viewers.is_empty() {
                watching.remove(&self.stream_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewers_are_clients_not_connections() {
        let viewers = Arc::new(Viewers::default());
        let a = Client::of([192, 0, 2, 1].into());
        let b = Client::of([192, 0, 2, 2].into());
        let (first, n) = viewers.join("s", a);
        assert_eq!(n, 1);
        // The same client again is the same viewer.
        let (again, n) = viewers.join("s", a);
        assert_eq!(n, 1);
        let (other, n) = viewers.join("s", b);
        assert_eq!(n, 2);
        drop(first);
        assert_eq!(viewers.now("s"), 2);
        drop(again);
        assert_eq!(viewers.now("s"), 1);
        drop(other);
        assert_eq!(viewers.now("s"), 0);
    }
}
