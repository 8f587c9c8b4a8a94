"""xAPI out: the platform's learning events as xAPI 1.0.3 statements to an LRS each
organisation configures, through an outbox (docs/xapi.md, decision 0042)."""
