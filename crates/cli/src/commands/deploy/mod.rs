//! `plan`, `apply`, `rollback`, `history`, `export`, `drift`: glue between flags, the config
//! repository, the journal, the target's orgs and `switchboard-deploy`.

pub mod apply;
pub(crate) mod context;
pub mod export;
pub mod history;
pub mod plan;
mod progress;
pub(crate) mod table;
