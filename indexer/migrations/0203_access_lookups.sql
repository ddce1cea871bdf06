-- `access` looks items up by content id and surprises by token id alone (the API does not ask
-- which contract); the primary keys lead with the contract.
CREATE INDEX ppv_items_by_content ON ppv_items (content_id, contract);
CREATE INDEX surprises_by_token ON surprises (token_id, contract);
