use std::path::Path;

use cosmwasm_schema::{export_schema, schema_for, write_api};
use mesi_meetings::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg, ReceiveMsg};

fn main() {
    write_api! {
        instantiate: InstantiateMsg,
        execute: ExecuteMsg,
        query: QueryMsg,
        migrate: MigrateMsg,
    }
    // The `msg` of a CW20 `Send` to this contract (base64 JSON), beside write_api!'s raw
    // schemas so that clients can type the payload.
    export_schema(&schema_for!(ReceiveMsg), Path::new("schema/raw"));
}
