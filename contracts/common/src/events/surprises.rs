//! Events of the `surprises` contract (sealed, tradable content tokens).
//!
//! A reader rebuilds every surprise from these events alone:
//! - the token, its hints, commitment, royalty, bond and reveal window from [`SurpriseMinted`];
//! - its owner from [`SurpriseMinted`], [`SurpriseTransferred`] (CW721 transfer and send) and
//!   [`SurpriseSold`];
//! - its listing from [`SurpriseListed`] (which replaces an earlier listing of the token); a
//!   listing ends with [`SurpriseDelisted`], [`SurpriseSold`], or a transfer or unlock that says
//!   `delisted`;
//! - its state (sealed, unlocked, revealed, forfeited) from [`SurpriseUnlocked`],
//!   [`SurpriseRevealed`] and [`SurpriseForfeited`];
//! - CW721 approvals from [`SurpriseApproval`].
//!
//! Hashes and salts are lowercase hex.

use cosmwasm_std::{Addr, Timestamp, Uint128};

use crate::asset::AssetInfo;

crate::mesi_event! {
    /// A creator minted a sealed surprise.
    pub struct SurpriseMinted = "mesi.surprise_minted.v1" {
        pub token_id: String,
        pub creator: Addr,
        pub owner: Addr,
        pub title: String,
        pub hints: Vec<String>,
        pub category: String,
        pub preview_uri: Option<String>,
        /// See `mesi_common::commitment`.
        pub commitment: String,
        /// Creator royalty on every sale, in basis points.
        pub royalty_bps: u16,
        /// The creator's bond, escrowed until the reveal or its deadline; absent when none.
        pub bond_asset: Option<AssetInfo>,
        /// Zero when there is no bond.
        pub bond: Uint128,
        /// Seconds the creator has to reveal once the surprise is unlocked.
        pub reveal_window: u64,
    }
}

crate::mesi_event! {
    /// A CW721 transfer or send moved a sealed surprise.
    pub struct SurpriseTransferred = "mesi.surprise_transferred.v1" {
        pub token_id: String,
        pub from: Addr,
        pub to: Addr,
        /// The token was listed; the transfer ended the listing.
        pub delisted: bool,
    }
}

crate::mesi_event! {
    /// The owner listed a sealed surprise for a fixed price (replacing any earlier listing).
    pub struct SurpriseListed = "mesi.surprise_listed.v1" {
        pub token_id: String,
        pub seller: Addr,
        pub asset: AssetInfo,
        pub price: Uint128,
        /// The listing cannot be bought from this time on; absent when it does not expire.
        pub expires_at: Option<Timestamp>,
    }
}

crate::mesi_event! {
    /// A listing ended without a sale.
    pub struct SurpriseDelisted = "mesi.surprise_delisted.v1" {
        pub token_id: String,
        pub seller: Addr,
        /// The listing had expired and was cleared (by anyone); otherwise the seller withdrew it.
        pub expired: bool,
    }
}

crate::mesi_event! {
    /// A listed surprise was bought; the price is split and paid out, the token is the buyer's.
    pub struct SurpriseSold = "mesi.surprise_sold.v1" {
        pub token_id: String,
        pub seller: Addr,
        pub buyer: Addr,
        pub creator: Addr,
        pub asset: AssetInfo,
        /// `fee + royalty + seller_amount == price`.
        pub price: Uint128,
        /// Platform fee, paid to `treasury`.
        pub fee: Uint128,
        pub treasury: Addr,
        /// Creator royalty, paid to `royalty_payout` (the creator's payout address).
        pub royalty: Uint128,
        pub royalty_payout: Addr,
        /// Paid to the seller.
        pub seller_amount: Uint128,
    }
}

crate::mesi_event! {
    /// The owner unlocked a surprise: it can no longer move, and the creator's reveal deadline runs.
    pub struct SurpriseUnlocked = "mesi.surprise_unlocked.v1" {
        pub token_id: String,
        pub owner: Addr,
        pub creator: Addr,
        /// The creator reveals up to and including this time; after it the owner claims the bond.
        pub reveal_deadline: Timestamp,
        /// The token was listed; unlocking ended the listing.
        pub delisted: bool,
    }
}

crate::mesi_event! {
    /// The creator revealed the salt and content hash, and they match the commitment.
    pub struct SurpriseRevealed = "mesi.surprise_revealed.v1" {
        pub token_id: String,
        pub creator: Addr,
        pub salt: String,
        pub content_hash: String,
        pub bond_asset: Option<AssetInfo>,
        /// Bond paid back to the creator; zero when there was none.
        pub bond_returned: Uint128,
    }
}

crate::mesi_event! {
    /// The reveal deadline passed without a reveal; the unlocker took the bond.
    pub struct SurpriseForfeited = "mesi.surprise_forfeited.v1" {
        pub token_id: String,
        pub unlocker: Addr,
        pub creator: Addr,
        pub bond_asset: Option<AssetInfo>,
        /// Bond paid to the unlocker; zero when there was none.
        pub bond_claimed: Uint128,
    }
}

crate::mesi_event! {
    /// A CW721 approval was granted or revoked: for one token (`token_id`) or, as an operator,
    /// for all of the owner's tokens.
    pub struct SurpriseApproval = "mesi.surprise_approval.v1" {
        pub owner: Addr,
        pub spender: Addr,
        pub token_id: Option<String>,
        pub granted: bool,
        /// A granted approval ends at this block height or time; neither means never.
        pub expires_at_height: Option<u64>,
        pub expires_at: Option<Timestamp>,
    }
}

crate::mesi_event! {
    /// The contract's configuration after instantiate or an update.
    pub struct SurprisesConfigSet = "mesi.surprises_config.v1" {
        pub creators: Addr,
        pub reveal_window: u64,
        /// Seconds an unbonded mint trusts the registry's last "active" for a creator.
        pub creator_recheck_interval: u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{attr_pairs, MesiEvent};
    use crate::events::AnyEvent;

    #[test]
    fn minted_round_trips_with_and_without_options() {
        for (preview_uri, bond_asset) in [
            (None, None),
            (
                Some("ipfs://bafy/preview.jpg".to_string()),
                Some(AssetInfo::native("uusdc")),
            ),
        ] {
            let ev = SurpriseMinted {
                token_id: "3.first".into(),
                creator: Addr::unchecked("cosmwasm1creator"),
                owner: Addr::unchecked("cosmwasm1fan"),
                title: "Behind the scenes".into(),
                hints: vec!["filmed in June".into(), "has a \"cat\", maybe".into()],
                category: "video".into(),
                preview_uri,
                commitment: "a59bf73d708816fa44c9f10a142272aef70246141c83726cf2a4fe7f31550201"
                    .into(),
                royalty_bps: 500,
                bond: Uint128::new(if bond_asset.is_some() { 1_000 } else { 0 }),
                bond_asset,
                reveal_window: 604_800,
            };
            let event = ev.to_event();
            let decoded =
                AnyEvent::decode(&format!("wasm-{}", event.ty), &attr_pairs(&event)).unwrap();
            assert_eq!(decoded, Some(AnyEvent::SurpriseMinted(ev)));
        }
    }

    #[test]
    fn sold_round_trips() {
        let ev = SurpriseSold {
            token_id: "3.first".into(),
            seller: Addr::unchecked("cosmwasm1seller"),
            buyer: Addr::unchecked("cosmwasm1buyer"),
            creator: Addr::unchecked("cosmwasm1creator"),
            asset: AssetInfo::cw20(Addr::unchecked("cosmwasm1mesi")),
            price: Uint128::new(1_000),
            fee: Uint128::new(25),
            treasury: Addr::unchecked("cosmwasm1treasury"),
            royalty: Uint128::new(50),
            royalty_payout: Addr::unchecked("cosmwasm1payout"),
            seller_amount: Uint128::new(925),
        };
        let event = ev.to_event();
        assert_eq!(event.ty, "mesi.surprise_sold.v1");
        assert_eq!(
            SurpriseSold::from_attributes(&attr_pairs(&event)).unwrap(),
            ev
        );
    }

    #[test]
    fn approval_round_trips() {
        let ev = SurpriseApproval {
            owner: Addr::unchecked("cosmwasm1owner"),
            spender: Addr::unchecked("cosmwasm1market"),
            token_id: None,
            granted: true,
            expires_at_height: Some(1_234),
            expires_at: None,
        };
        let event = ev.to_event();
        assert!(!attr_pairs(&event)
            .iter()
            .any(|(k, _)| *k == "token_id" || *k == "expires_at"));
        assert_eq!(
            SurpriseApproval::from_attributes(&attr_pairs(&event)).unwrap(),
            ev
        );
    }
}
