//! The platform every product contract runs on in tests: funded accounts, CW20 tokens and the
//! `creators` registry.

use anyhow::Result as AnyResult;
use cosmwasm_std::testing::MockApi;
use cosmwasm_std::{Addr, Coin, Timestamp, Uint128};
use cw20::Cw20Coin;
use cw_multi_test::{App, AppResponse, Executor};
use mesi_common::chat_rule::ChatRule;
use mesi_common::interfaces::creators::{Fees, PaymentTerms, Product};
use mesi_common::AssetInfo;
use mesi_creators::msg::{
    ExecuteMsg as RegistryMsg, InstantiateMsg as RegistryInit, ProfileInput, QueryMsg,
    SiblingContracts,
};
use serde::Serialize;

use crate::{creators_contract, cw20_contract, money};

/// A CW20 token the builder deploys: every funded account holds `balance` of it.
pub struct Token {
    pub symbol: String,
    /// Whether the platform accepts it.
    pub accepted: bool,
}

/// Builds a [`Platform`]. Accounts are named (addresses come from `MockApi::addr_make`, as
/// `App::api().addr_make` gives them) and each funded one holds `balance` of every native
/// denom and every token.
pub struct PlatformBuilder {
    funded: Vec<String>,
    denoms: Vec<String>,
    accepted_denoms: Vec<String>,
    tokens: Vec<Token>,
    balance: u128,
    fees: Fees,
    gateways: Vec<String>,
    arbiter: bool,
}

impl Default for PlatformBuilder {
    fn default() -> Self {
        PlatformBuilder {
            funded: vec![],
            denoms: vec![crate::USDC.into()],
            accepted_denoms: vec![crate::USDC.into()],
            tokens: vec![Token {
                symbol: "MESI".into(),
                accepted: true,
            }],
            balance: 1_000_000_000,
            fees: Fees::default(),
            gateways: vec![],
            arbiter: false,
        }
    }
}

impl PlatformBuilder {
    /// Accounts that start with `balance` of every denom and token.
    pub fn funded<S: ToString>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.funded.extend(names.into_iter().map(|n| n.to_string()));
        self
    }

    /// The native denoms funded accounts hold, and those of them the platform accepts.
    pub fn denoms(mut self, held: &[&str], accepted: &[&str]) -> Self {
        self.denoms = held.iter().map(|d| d.to_string()).collect();
        self.accepted_denoms = accepted.iter().map(|d| d.to_string()).collect();
        self
    }

    /// Another CW20 token, accepted by the platform or not (MESI is always deployed, accepted).
    pub fn token(mut self, symbol: &str, accepted: bool) -> Self {
        self.tokens.push(Token {
            symbol: symbol.into(),
            accepted,
        });
        self
    }

    pub fn balance(mut self, balance: u128) -> Self {
        self.balance = balance;
        self
    }

    pub fn fees(mut self, fees: Fees) -> Self {
        self.fees = fees;
        self
    }

    /// The account `gateway` may attest fiat payments.
    pub fn fiat_gateway(mut self) -> Self {
        self.gateways.push("gateway".into());
        self
    }

    /// The account `arbiter` resolves meeting disputes.
    pub fn arbiter(mut self) -> Self {
        self.arbiter = true;
        self
    }

    pub fn build(self) -> Platform {
        let mut app = App::default();
        let api = MockApi::default();
        let funded: Vec<Addr> = self.funded.iter().map(|n| api.addr_make(n)).collect();
        let owner = api.addr_make("owner");
        app.init_modules(|router, _, storage| {
            for account in &funded {
                let coins = self
                    .denoms
                    .iter()
                    .map(|d| Coin::new(self.balance, d))
                    .collect();
                router.bank.init_balance(storage, account, coins).unwrap();
            }
        });

        let cw20_code = app.store_code(cw20_contract());
        let tokens: Vec<_> = self
            .tokens
            .iter()
            .map(|token| {
                let address = instantiate_token(
                    &mut app,
                    cw20_code,
                    &owner,
                    &token.symbol,
                    &funded,
                    self.balance,
                );
                (token.symbol.clone(), address, token.accepted)
            })
            .collect();

        let accepted_assets = self
            .accepted_denoms
            .iter()
            .map(AssetInfo::native)
            .chain(
                tokens
                    .iter()
                    .filter(|t| t.2)
                    .map(|t| AssetInfo::cw20(t.1.clone())),
            )
            .collect();
        let registry_code = app.store_code(creators_contract());
        let registry = app
            .instantiate_contract(
                registry_code,
                owner.clone(),
                &RegistryInit {
                    owner: None,
                    treasury: api.addr_make("treasury").to_string(),
                    fees: self.fees,
                    accepted_assets,
                    fiat_gateways: self
                        .gateways
                        .iter()
                        .map(|g| api.addr_make(g).to_string())
                        .collect(),
                    arbiter: self.arbiter.then(|| api.addr_make("arbiter").to_string()),
                    contracts: SiblingContracts::default(),
                },
                &[],
                "creators",
                Some(owner.to_string()),
            )
            .unwrap();
        Platform {
            app,
            api,
            owner,
            registry,
            cw20_code,
            tokens: tokens.into_iter().map(|(s, a, _)| (s, a)).collect(),
        }
    }
}

/// An app with the platform deployed: the registry, the tokens and the funded accounts.
pub struct Platform {
    pub app: App,
    api: MockApi,
    pub owner: Addr,
    pub registry: Addr,
    cw20_code: u64,
    tokens: Vec<(String, Addr)>,
}

impl Platform {
    pub fn builder() -> PlatformBuilder {
        PlatformBuilder::default()
    }

    /// The address of the account `name` (funded or not).
    pub fn addr(&self, name: &str) -> Addr {
        self.api.addr_make(name)
    }

    /// The MESI token.
    pub fn mesi(&self) -> Addr {
        self.token("MESI")
    }

    /// The token deployed as `symbol`.
    pub fn token(&self, symbol: &str) -> Addr {
        let (_, address) = self
            .tokens
            .iter()
            .find(|(s, _)| s == symbol)
            .unwrap_or_else(|| panic!("no token {symbol}"));
        address.clone()
    }

    /// Deploys another CW20 token, one the platform does not accept, with `amount` for each
    /// of `holders`: a stranger's token for the refusal tests.
    pub fn deploy_token(&mut self, symbol: &str, holders: &[Addr], amount: u128) -> Addr {
        let owner = self.owner.clone();
        instantiate_token(
            &mut self.app,
            self.cw20_code,
            &owner,
            symbol,
            holders,
            amount,
        )
    }

    pub fn treasury(&self) -> Addr {
        self.addr("treasury")
    }

    pub fn gateway(&self) -> Addr {
        self.addr("gateway")
    }

    pub fn arbiter(&self) -> Addr {
        self.addr("arbiter")
    }

    // --- The registry ---

    /// Runs a registry message as the owner.
    pub fn update_registry(&mut self, msg: RegistryMsg) {
        self.app
            .execute_contract(self.owner.clone(), self.registry.clone(), &msg, &[])
            .unwrap();
    }

    /// Sets the platform fees, every other setting unchanged.
    pub fn set_fees(&mut self, fees: Fees) {
        self.update_config(|config| config.fees = Some(fees));
    }

    /// Sets the assets the platform accepts.
    pub fn set_accepted_assets(&mut self, assets: Vec<AssetInfo>) {
        self.update_config(|config| config.accepted_assets = Some(assets));
    }

    /// Tells the registry which product contracts are the platform's.
    pub fn set_siblings(&mut self, contracts: SiblingContracts) {
        self.update_config(|config| config.contracts = Some(contracts));
    }

    fn update_config(&mut self, change: impl FnOnce(&mut ConfigChange)) {
        let mut config = ConfigChange::default();
        change(&mut config);
        self.update_registry(RegistryMsg::UpdateConfig {
            treasury: None,
            fees: config.fees,
            accepted_assets: config.accepted_assets,
            fiat_gateways: None,
            arbiter: None,
            contracts: config.contracts,
        });
    }

    /// Registers `creator` with `profile` (see [`Platform::profile`]).
    pub fn register_creator(&mut self, creator: &Addr, profile: ProfileInput) {
        self.app
            .execute_contract(
                creator.clone(),
                self.registry.clone(),
                &RegistryMsg::RegisterCreator { profile },
                &[],
            )
            .unwrap();
    }

    /// A profile that accepts every platform asset, open chat, paid at `payout` (or the
    /// creator's own address).
    pub fn profile(payout: Option<&Addr>) -> ProfileInput {
        ProfileInput {
            display_name: "creator".into(),
            payout: payout.map(Addr::to_string),
            accepted_assets: vec![],
            tip_minimums: vec![],
            chat_rule: ChatRule::Everyone,
        }
    }

    pub fn set_creator_active(&mut self, creator: &Addr, active: bool) {
        let msg = if active {
            RegistryMsg::ReactivateCreator {}
        } else {
            RegistryMsg::DeactivateCreator {}
        };
        self.app
            .execute_contract(creator.clone(), self.registry.clone(), &msg, &[])
            .unwrap();
    }

    /// The registry's payment terms for `creator` and `product`.
    pub fn payment_terms(&self, creator: &Addr, product: Product) -> PaymentTerms {
        let query = QueryMsg::PaymentTerms {
            creator: creator.to_string(),
            product,
        };
        self.app
            .wrap()
            .query_wasm_smart(&self.registry, &query)
            .unwrap()
    }

    // --- Money ---

    /// What `who` holds of `asset`.
    pub fn balance(&self, who: &Addr, asset: &AssetInfo) -> u128 {
        money::balance(&self.app, who, asset)
    }

    pub fn native_balance(&self, who: &Addr, denom: &str) -> u128 {
        money::native_balance(&self.app, who, denom)
    }

    pub fn token_balance(&self, token: &Addr, who: &Addr) -> u128 {
        money::token_balance(&self.app, token, who)
    }

    /// Sends `amount` of `token` from `from` to `contract` with `hook` as the `Receive` message.
    pub fn send_cw20<M: Serialize>(
        &mut self,
        from: &Addr,
        token: &Addr,
        contract: &Addr,
        amount: u128,
        hook: &M,
    ) -> AnyResult<AppResponse> {
        let msg = money::cw20_send(contract, amount, hook)?;
        self.app
            .execute_contract(from.clone(), token.clone(), &msg, &[])
    }

    // --- Time ---

    pub fn now(&self) -> Timestamp {
        self.app.block_info().time
    }

    /// Moves the clock `seconds` forward, in one block.
    pub fn advance(&mut self, seconds: u64) {
        self.app.update_block(|block| {
            block.time = block.time.plus_seconds(seconds);
            block.height += 1;
        });
    }

    /// Moves the clock `seconds` forward, a block per five seconds as on a real chain.
    pub fn advance_in_blocks(&mut self, seconds: u64) {
        self.app.update_block(|block| {
            block.time = block.time.plus_seconds(seconds);
            block.height += seconds.div_ceil(5).max(1);
        });
    }
}

#[derive(Default)]
struct ConfigChange {
    fees: Option<Fees>,
    accepted_assets: Option<Vec<AssetInfo>>,
    contracts: Option<SiblingContracts>,
}

/// A cw20-base token `symbol` in which each of `holders` starts with `amount`.
fn instantiate_token(
    app: &mut App,
    code: u64,
    owner: &Addr,
    symbol: &str,
    holders: &[Addr],
    amount: u128,
) -> Addr {
    let msg = cw20_base::msg::InstantiateMsg {
        name: format!("{symbol} token"),
        symbol: symbol.into(),
        decimals: 6,
        initial_balances: holders
            .iter()
            .map(|holder| Cw20Coin {
                address: holder.to_string(),
                amount: Uint128::new(amount),
            })
            .collect(),
        mint: None,
        marketing: None,
    };
    app.instantiate_contract(code, owner.clone(), &msg, &[], symbol, None)
        .unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_built_platform_funds_its_accounts_and_pays_creators_in_what_it_accepts() {
        let mut platform = Platform::builder()
            .funded(["alice"])
            .denoms(&[crate::USDC, crate::ATOM], &[crate::USDC])
            .token("OTHER", false)
            .balance(500)
            .build();
        let alice = platform.addr("alice");
        let mesi = platform.mesi();
        assert_eq!(
            platform.balance(&alice, &AssetInfo::native(crate::ATOM)),
            500
        );
        assert_eq!(
            platform.balance(&alice, &AssetInfo::cw20(mesi.clone())),
            500
        );
        assert_eq!(
            platform.token_balance(&platform.token("OTHER"), &alice),
            500
        );
        assert_eq!(
            platform.native_balance(&platform.addr("bob"), crate::USDC),
            0
        );

        let creator = platform.addr("creator");
        let payout = platform.addr("payout");
        platform.register_creator(&creator, Platform::profile(Some(&payout)));
        let terms = platform.payment_terms(&creator, Product::Tips);
        assert_eq!(terms.payout, payout);
        assert_eq!(
            terms.accepted_assets,
            vec![AssetInfo::native(crate::USDC), AssetInfo::cw20(mesi)]
        );

        let before = platform.now();
        platform.advance(60);
        assert_eq!(platform.now(), before.plus_seconds(60));
    }
}
