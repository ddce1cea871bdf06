-- Pay-per-view content ids are per creator: an item is (contract, creator, content id), and two
-- creators may use the same id. Rows written before are unique by (contract, content id), so
-- they are unique by the new key too and stay as they are.
ALTER TABLE ppv_items DROP CONSTRAINT ppv_items_pkey;
ALTER TABLE ppv_items ADD PRIMARY KEY (contract, creator, content_id);

-- `access` names the creator and the content id, not the contract.
DROP INDEX ppv_items_by_content;
DROP INDEX ppv_items_by_creator;
CREATE INDEX ppv_items_by_creator ON ppv_items (creator, content_id, contract);

DROP INDEX ppv_purchases_by_buyer;
CREATE INDEX ppv_purchases_by_buyer ON ppv_purchases (buyer, creator, content_id);
