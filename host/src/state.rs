//! Per-store state: one `HostState` per request or cron tick, built from the component's
//! resolved configuration and the running host's shared services.

use crate::clock::{TestClock, WallClock};
use crate::outbound::{AllowedHosts, OutboundHooks};
use crate::pg::Pools;
use crate::sqlite::Database;
use std::collections::HashMap;
use std::sync::Arc;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// A component's configuration after variable resolution, fixed for a running host.
#[derive(Debug)]
pub struct ComponentConfig {
    /// Its variables, rendered from the application variables.
    pub variables: HashMap<String, String>,
    /// The database labels it may open.
    pub sqlite_databases: Vec<String>,
    /// Where it may send HTTP requests.
    pub allowed_hosts: Arc<AllowedHosts>,
}

/// The data of one wasmtime `Store`.
pub struct HostState {
    pub(crate) wasi: WasiCtx,
    pub(crate) http: WasiHttpCtx,
    pub(crate) table: ResourceTable,
    pub(crate) hooks: OutboundHooks,
    pub(crate) component: Arc<ComponentConfig>,
    pub(crate) db: Arc<Database>,
    pub(crate) pg: Arc<Pools>,
}

impl HostState {
    /// Fresh state for one instance of `component`; `clock` replaces the wall clock (test mode).
    pub(crate) fn new(
        component: Arc<ComponentConfig>,
        db: Arc<Database>,
        pg: Arc<Pools>,
        clock: Option<Arc<TestClock>>,
    ) -> HostState {
        let mut wasi = WasiCtx::builder();
        wasi.inherit_stdout().inherit_stderr();
        if let Some(clock) = clock {
            wasi.wall_clock(WallClock(clock));
        }
        HostState {
            wasi: wasi.build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: OutboundHooks { allowed: component.allowed_hosts.clone() },
            component,
            db,
            pg,
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for HostState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.hooks }
    }
}
