"""Schemathesis hooks for the Mesi indexer API (loaded by scripts/fuzz-api).

The OpenAPI document gives custom formats to what no pattern can describe, and here they
generate valid values: `bech32` addresses (checksummed; mostly the demo's real accounts and
contracts, so valid requests reach real creators and fans) and `asset`s (`native:<denom>` or
`cw20:<address>`, the chain's real ones). Feed `position`s have a pattern too, but schemathesis
draws header values from letters and digits only, so the format generates them.

List cursors are opaque (`next_cursor` of a previous page): a generated one is never valid, so
schema-valid cases go without `cursor`/`before`; schema-violating cases keep theirs.
"""

import json
import os

import schemathesis
from bech32 import bech32_encode, convertbits
from hypothesis import strategies as st


def load(variable):
    with open(os.environ[variable], encoding="utf-8") as file:
        return json.load(file)


DEMO = load("MESI_DEMO")
CHAIN = load("MESI_CHAIN_INFO")
PREFIX = CHAIN["bech32_prefix"]
CONTRACTS = CHAIN["deployment"]["contracts"]

# Accounts: a contract in an account's place answers 404, an account in a contract's too,
# but a contract cannot sign in (POST /auth/nonce takes accounts only).
KNOWN_ADDRESSES = [DEMO["ava"], DEMO["ben"], *DEMO["fans"]]
KNOWN_ASSETS = [
    f"native:{CHAIN['stable_denom']}",
    f"native:{CHAIN['fee_denom']}",
    f"cw20:{CONTRACTS['mesi_token']}",
]


def encode(data: bytes) -> str:
    return bech32_encode(PREFIX, convertbits(data, 8, 5))


addresses = st.one_of(
    st.sampled_from(KNOWN_ADDRESSES),
    st.binary(min_size=20, max_size=20).map(encode),
)
schemathesis.openapi.format("bech32", addresses)
schemathesis.openapi.format(
    "asset",
    st.one_of(st.sampled_from(KNOWN_ASSETS), addresses.map(lambda a: f"cw20:{a}")),
)

schemathesis.openapi.format("position", st.from_regex(r"[0-9]{1,18}-[0-9]{1,9}", fullmatch=True))

CURSOR_PARAMETERS = ("cursor", "before")


@schemathesis.hook
def map_case(context, case):
    meta = case.meta
    if case.query and meta is not None and meta.generation.mode.is_positive:
        # Feed cursors are positions with a pattern, and so valid when generated.
        is_feed = "/feed" in case.operation.path
        for name in CURSOR_PARAMETERS:
            if not (is_feed and name == "before"):
                case.query.pop(name, None)
    return case
