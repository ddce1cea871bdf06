//! Randomized sequences with time advancing; after every step the contract's balance per asset
//! equals the bonds it escrows, and every account's balance is what the model expects.
