-- On a creator's cancellation the creator pays a fee to the treasury on top of the escrow,
-- which goes back to the fan in full: kept with the payout it came with.
ALTER TABLE meeting_payouts ADD COLUMN cancellation_fee numeric;
