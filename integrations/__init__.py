"""Outbound HTTP clients (httpx only; no Flask, no database).

- webhooks: Standard Webhooks signing (`sign`, `new_secret`) and `WebhookSender`.
- notify: `NotifyClient`, GOV.UK Notify e-mail by template.
- dbs: `DbsClient`, DBS Update Service status checks.
- ssrf: `GuardedTransport` for the client that sends webhooks (the address rule is
licensing.alerts.addresses).
- errors: every failure is a `RetryableError` (try again, maybe after `retry_after`) or a `PermanentError`.

Each client takes an `httpx.Client` the caller builds, so timeouts, connection pooling and the transport
(GuardedTransport in production: `httpx.Client(transport=GuardedTransport(allow_private=False))`) are the
caller's choice and tests can point them at a loopback server.
"""
