//! The bound on open connections: in total (below the process's file limit, so that
//! `accept` never fails for lack of descriptors) and per client address (so that one
//! client holding many connections cannot lock the others out). A connection over a
//! bound is answered with a short 503 and closed at once; the others go on.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

/// Counts the open connections.
#[derive(Debug)]
pub struct Gate {
    max_total: usize,
    /// `None`: no bound per address (behind a proxy every connection comes from it).
    max_per_client: Option<usize>,
    open: Mutex<Open>,
}

#[derive(Debug, Default)]
struct Open {
    total: usize,
    by_client: HashMap<IpAddr, usize>,
}

/// Why a connection was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// The server holds `max_total` connections.
    Total,
    /// This address holds `max_per_client` connections.
    Client,
}

/// An admitted connection; dropping it frees its place.
#[derive(Debug)]
pub struct Ticket {
    gate: Arc<Gate>,
    ip: IpAddr,
}

impl Gate {
    /// A gate for at most `max_total` connections, at most `max_per_client` of them from
    /// one address.
    pub fn new(max_total: usize, max_per_client: Option<usize>) -> Arc<Gate> {
        Arc::new(Gate { max_total, max_per_client, open: Mutex::new(Open::default()) })
    }

    /// Admits a connection from `ip`, or says why not.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Ticket, Refused> {
        let mut open = self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if open.total >= self.max_total {
            return Err(Refused::Total);
        }
        let mine = open.by_client.get(&ip).copied().unwrap_or(0);
        if self.max_per_client.is_some_and(|max| mine >= max) {
            return Err(Refused::Client);
        }
        open.total += 1;
        *open.by_client.entry(ip).or_insert(0) += 1;
        Ok(Ticket { gate: self.clone(), ip })
    }

    /// Connections open now (for tests).
    pub fn open(&self) -> usize {
        self.open.lock().map_or(0, |o| o.total)
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut open = self.gate.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        open.total = open.total.saturating_sub(1);
        if let Some(n) = open.by_client.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                // Forget the address, so the map holds at most `max_total` entries.
                open.by_client.remove(&self.ip);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_total_and_per_client_and_frees_on_drop() {
        let gate = Gate::new(3, Some(2));
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let a1 = gate.admit(a).unwrap();
        let _a2 = gate.admit(a).unwrap();
        assert_eq!(gate.admit(a).unwrap_err(), Refused::Client);
        let _b1 = gate.admit(b).unwrap();
        assert_eq!(gate.admit(b).unwrap_err(), Refused::Total);
        drop(a1);
        assert_eq!(gate.open(), 2);
        let _a3 = gate.admit(a).unwrap();
        let unbounded = Gate::new(10, None);
        let held: Vec<_> = (0..10).map(|_| unbounded.admit(a).unwrap()).collect();
        assert_eq!(unbounded.admit(b).unwrap_err(), Refused::Total);
        drop(held);
        assert_eq!(unbounded.open(), 0);
        assert!(unbounded.open.lock().unwrap().by_client.is_empty());
    }
}
