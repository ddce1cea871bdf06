-- The time of the last indexed block, moved with the cursor in the same transaction: the API
-- answers at that time (as the chain answers at its latest block), whether or not the block
-- held an event of ours and however far the node's head is ahead.
ALTER TABLE ingest_cursor ADD COLUMN block_time timestamptz;

-- A database indexed before this column existed: the best time known at the cursor until the
-- next commit writes the exact one.
UPDATE ingest_cursor c SET block_time = greatest(
    (SELECT h.block_time FROM chain_heads h WHERE h.height <= c.height ORDER BY h.height DESC LIMIT 1),
    (SELECT e.block_time FROM events e WHERE e.height <= c.height ORDER BY e.height DESC, e.seq DESC LIMIT 1));
