//! `bindgen!` output for the Spin interfaces the host implements and the cron export it calls.

wasmtime::component::bindgen!({
    path: "wit",
    world: "fermyon:spin/host",
    imports: {
        "fermyon:spin/sqlite": async | trappable,
        "spin:postgres/postgres": async | trappable,
        default: trappable,
    },
    with: {
        "fermyon:spin/sqlite.connection": crate::sqlite::Connection,
        "spin:postgres/postgres.connection": crate::pg::Connection,
    },
    require_store_data_send: true,
});

/// The `spin-cron` world (`handle-cron-event` export) of the Spin cron trigger.
pub mod cron {
    wasmtime::component::bindgen!({
        path: "../shared/wit/spin-cron.wit",
        world: "spin-cron",
        exports: { default: async },
    });
}
