//! `cargo xtask bench [emulator|client|simulation|notifications|gateway|gateway-fleet|bridge|review|deploy|rollout|all]`: the benchmarks recorded in
//! BENCHMARKS.md. Each one measures a baseline in the same run and reports a ratio, because the
//! machines are shared and noisy; absolute figures are printed for context only.

mod bridge;
mod client;
mod deploy;
mod emulator;
mod gateway;
mod gateway_fleet;
mod gateway_nginx;
mod gateway_server;
mod load;
mod notifications;
mod review;
mod rollout;
mod simulation;

use anyhow::bail;

pub fn run(arguments: &[String]) -> anyhow::Result<()> {
    let which = arguments.first().map(String::as_str).unwrap_or("all");
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    println!("machine: {}", machine_description());
    match which {
        "emulator" => runtime.block_on(emulator::run()),
        "client" => runtime.block_on(client::run()),
        "simulation" => simulation::run(),
        "notifications" => runtime.block_on(notifications::run()),
        "gateway" => runtime.block_on(gateway::run()),
        // The gateway's own process during `bench gateway` (not a benchmark by itself).
        "gateway-server" => runtime.block_on(gateway_server::run(&arguments[1..])),
        // 100,000 sessions over several gateway processes sharing a port.
        "gateway-fleet" => runtime.block_on(gateway_fleet::run()),
        // One load generator process of `bench gateway-fleet` (not a benchmark by itself).
        "gateway-load" => runtime.block_on(gateway_fleet::generator(&arguments[1..])),
        "bridge" => runtime.block_on(bridge::run()),
        "review" => runtime.block_on(review::run()),
        "deploy" => runtime.block_on(deploy::run()),
        "rollout" => runtime.block_on(rollout::run()),
        "all" => {
            runtime.block_on(emulator::run())?;
            simulation::run()?;
            runtime.block_on(notifications::run())?;
            runtime.block_on(bridge::run())?;
            runtime.block_on(review::run())?;
            runtime.block_on(client::run())
        }
        other => bail!("unknown benchmark {other}: emulator, client, simulation, notifications, gateway, gateway-fleet, bridge, review, deploy, rollout or all"),
    }
}

fn machine_description() -> String {
    let cpus = std::thread::available_parallelism().map(|count| count.get()).unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split(':').nth(1))
                .map(|name| name.trim().to_string())
        })
        .unwrap_or_else(|| "unknown cpu".to_string());
    format!("{cpus} cores, {model}")
}
