//! What the app holds while it runs: the engine, the venues plugged into it, and the
//! accounts connected in Settings.

use crate::accounts::Accounts;
use crate::keychain::{Keychain, SERVICE};
use kestrel_core::engine::{Engine, EngineConfig};
use kestrel_core::{Clock, SystemClock};
use kestrel_venues::demo::DemoVenue;
use std::sync::Arc;

/// Shared app state, managed by Tauri.
pub struct AppState {
    pub engine: Engine,
    pub accounts: Accounts,
    demo: Arc<DemoVenue>,
}

impl AppState {
    /// Starts the engine with the Demo venue plugged in. Venue accounts join once the
    /// settings store is attached (`Accounts::attach`). Must run inside the async runtime.
    pub async fn start() -> Self {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let engine = Engine::new(clock.clone(), EngineConfig::default());
        let seed = u64::try_from(clock.now_ms()).unwrap_or_default();
        let demo = DemoVenue::start(clock.clone(), seed);
        engine.add_market(demo.clone());
        engine.add_account(demo.account_info(), demo.clone());
        let accounts = Accounts::new(engine.clone(), Keychain::start(SERVICE), clock);
        Self {
            engine,
            accounts,
            demo,
        }
    }

    /// Stops streams and the simulation.
    pub fn shutdown(&self) {
        self.engine.shutdown();
        self.demo.stop();
    }
}
